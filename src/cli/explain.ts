// `msq-authz explain`: the decision, written for a person.
import type { Decision, DecisionRequest, ResourceAction } from "../types.js";
import type { Paint } from "./command.js";

const describe = (ra: ResourceAction): string => `${ra.action} on ${ra.type} '${ra.name}'`;

// A literal pattern: Druid matches names as full-match regular expressions, so metacharacters are escaped.
const literal = (name: string): string => name.replace(/[\\^$.*+?()[\]{}|]/gu, "\\$&");

export function explain(decision: Decision, request: unknown, paint: Paint): string {
  const req = (typeof request === "object" && request !== null ? request : {}) as Partial<DecisionRequest>;
  const who = req.identity?.authenticated ? `user '${req.identity.user ?? ""}'` : "an unauthenticated caller";
  const verdict = decision.allow ? paint("green", "ALLOW") : paint("red", "DENY");
  const lines = [
    `${paint("bold", verdict)}  ${decision.status} ${decision.code}`,
    `${String(req.operation ?? "(no operation)")} by ${who}  ${paint("dim", `(engine ${decision.engine}, revision ${decision.revision})`)}`,
  ];
  if (decision.required.length > 0) {
    lines.push("", paint("bold", "Required"));
    for (const ra of decision.required) {
      const match = decision.matched.find((m) => m.type === ra.type && m.name === ra.name && m.action === ra.action);
      lines.push(
        match
          ? `  ${paint("green", "granted")}  ${describe(ra)}  ${paint("dim", `role '${match.role}', pattern '${match.pattern}'`)}`
          : `  ${paint("red", "missing")}  ${describe(ra)}`,
      );
    }
  }
  lines.push("", paint("bold", "Why"), ...decision.reasons.map((reason) => `  ${reason}`));
  if (decision.warnings && decision.warnings.length > 0) {
    lines.push("", paint("bold", paint("yellow", "Warnings")), ...decision.warnings.map((warning) => `  ${paint("yellow", warning)}`));
  }
  if (decision.filter) {
    lines.push("", paint("bold", "Task list"), `  filtered to datasources matching: ${decision.filter.patterns.join(", ") || "(none)"}`);
    if (decision.filter.taskIds) lines.push(`  visible tasks: ${decision.filter.taskIds.join(", ") || "(none)"}`);
  }
  if (decision.missing.length > 0) {
    lines.push("", paint("bold", "Smallest grant that would allow it"), "  add to one of the user's roles:");
    for (const ra of decision.missing) {
      lines.push(`  ${JSON.stringify({ resource: { name: literal(ra.name), type: ra.type }, action: ra.action })}`);
    }
  }
  return lines.join("\n");
}
