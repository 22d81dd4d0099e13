// `msq-authz explain`: the decision, written for a person.
import type { Decision, DecisionRequest, ResourceAction } from "../types.js";

const describe = (ra: ResourceAction): string => `${ra.action} on ${ra.type} '${ra.name}'`;

// A literal pattern: Druid matches names as full-match regular expressions, so metacharacters are escaped.
const literal = (name: string): string => name.replace(/[\\^$.*+?()[\]{}|]/gu, "\\$&");

export function explain(decision: Decision, request: unknown): string {
  const req = (typeof request === "object" && request !== null ? request : {}) as Partial<DecisionRequest>;
  const who = req.identity?.authenticated ? `user '${req.identity.user ?? ""}'` : "an unauthenticated caller";
  const lines = [
    `${decision.allow ? "ALLOW" : "DENY"}  ${decision.status} ${decision.code}  (engine ${decision.engine}, revision ${decision.revision})`,
    `${String(req.operation ?? "(no operation)")} by ${who}`,
    "",
  ];
  if (decision.required.length > 0) {
    lines.push("Required:");
    for (const ra of decision.required) {
      const match = decision.matched.find((m) => m.type === ra.type && m.name === ra.name && m.action === ra.action);
      lines.push(
        match
          ? `  [granted] ${describe(ra)}  by role '${match.role}', pattern '${match.pattern}'`
          : `  [missing] ${describe(ra)}`,
      );
    }
    lines.push("");
  }
  lines.push("Why:", ...decision.reasons.map((reason) => `  ${reason}`));
  if (decision.filter) {
    lines.push("", `Task list filtered to datasources matching: ${decision.filter.patterns.join(", ") || "(none)"}`);
    if (decision.filter.taskIds) lines.push(`Visible tasks: ${decision.filter.taskIds.join(", ") || "(none)"}`);
  }
  if (decision.missing.length > 0) {
    lines.push("", "Smallest grant that would allow it (add to one of the user's roles):");
    for (const ra of decision.missing) {
      lines.push(`  ${JSON.stringify({ resource: { name: literal(ra.name), type: ra.type }, action: ra.action })}`);
    }
  }
  return lines.join("\n");
}
