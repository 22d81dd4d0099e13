// `msq-authz s3-check`: the preflight, written for an operator.
import type { StoragePreflight } from "../storage/preflight.js";

export function describePreflight(result: StoragePreflight): string {
  const failed = result.missing.length;
  const headline =
    !result.ok ? `S3 preflight: FAIL (${failed} of ${result.checks.length} checks not allowed)`
    : result.checks.length === 0 ? "S3 preflight: nothing to evaluate (no S3 durable storage or export path in these settings)"
    : `S3 preflight: OK (${result.checks.length} checks allowed)`;
  const lines = [
    headline,
    "",
    ...result.reasons.map((reason) => `  ${reason}`),
  ];
  if (result.excess.length > 0) {
    lines.push("", "Beyond least privilege (warnings):");
    for (const excess of result.excess) {
      lines.push(`  ${excess.statement}: ${excess.action} on ${excess.resource}: ${excess.reason}`);
    }
  }
  for (const [store, items] of Object.entries(result.checklists)) {
    if (items.length === 0) continue;
    lines.push("", `${store} checklist (not evaluated):`);
    for (const item of items) lines.push(`  ${item.permission} (${item.rule}, ${item.processes.join(", ")}; ${item.source}): ${item.scope}`);
  }
  if (!result.ok) lines.push("", "msq-authz s3-check --emit-policy prints the least-privilege policy for these settings.");
  return lines.join("\n");
}
