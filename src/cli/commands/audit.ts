// msq-authz audit: who can do what under a grants set, asked of the policy, and what looks risky in it.
import { audit as runAudit } from "../../audit/audit.js";
import { auditMarkdown, auditText } from "../../audit/render.js";
import { type Command, UsageError, write } from "../command.js";
import { grantOptions, loadSettings, readJson, str } from "../inputs.js";

const severities = ["high", "medium", "low"] as const;

export const audit: Command = {
  name: "audit",
  summary: "who can read, write, EXTERN and export, and risky-grant findings; exit 1 at --fail-on severity",
  synopsis: "--grants FILE [--config FILE | --druid-properties FILE] [--json | --markdown] [--fail-on high|medium|low]",
  options: [
    ...grantOptions,
    { name: "json", type: "boolean", summary: "print the whole report as JSON" },
    { name: "markdown", type: "boolean", summary: "print the report as Markdown" },
    { name: "fail-on", type: "string", value: "SEVERITY", summary: "exit 1 when a finding has this severity or a higher one (default: high)" },
  ],
  examples: [
    "msq-authz audit --grants examples/grants.json",
    "msq-authz audit --grants examples/grants.json --druid-properties runtime.properties --markdown --fail-on medium",
  ],
  async run({ values }, io) {
    const grantsFile = str(values, "grants");
    if (grantsFile === undefined) throw new UsageError("audit needs --grants FILE");
    const failOn = str(values, "fail-on") ?? "high";
    const threshold = severities.indexOf(failOn as (typeof severities)[number]);
    if (threshold < 0) throw new UsageError(`--fail-on must be high, medium or low, not '${failOn}'`);
    const [grants, settings] = await Promise.all([readJson(grantsFile, "--grants", io), loadSettings(values, io)]);
    const report = await runAudit(grants, settings);
    if (values.json === true) await write(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
    else if (values.markdown === true) await write(io.stdout, auditMarkdown(report));
    else await write(io.stdout, `${auditText(report)}\n`);
    const failing = report.findings.some((finding) => severities.indexOf(finding.severity) <= threshold);
    return failing ? 1 : 0;
  },
};
