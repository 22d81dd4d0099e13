// The audit for people: a plain-text report for a terminal, or Markdown for a pull request or a wiki page.
import type { AuditReport } from "./audit.js";

const list = (items: string[]): string => (items.length > 0 ? items.join(", ") : "(nobody)");

function sections(report: AuditReport): [string, string[][], string[]][] {
  const { access } = report;
  return [
    ["Datasources (name patterns each user's roles grant)", access.datasources.map((d) => [d.user, d.read.join(" ") || "-", d.write.join(" ") || "-"]), ["user", "READ", "WRITE"]],
    [
      `External data (EXTERN; input-source security ${report.inputSourceSecurity ? "on: per input source type" : "off: one grant covers every source"})`,
      access.extern.map((e) => [e.user, e.inputSources.join(", ")]),
      ["user", "may read"],
    ],
    ["Export (INSERT INTO EXTERN)", access.export.map((e) => [e.user, e.destinations.join(", ")]), ["user", "may export to"]],
    [
      "Everyone's query results",
      [
        ["read any user's SELECT results (__query_select READ: reports hold the rows)", list(access.selectResults.read)],
        ["cancel any user's SELECT (__query_select WRITE)", list(access.selectResults.cancel)],
        ["read any user's export task (__query_export READ)", list(access.exportResults.read)],
        ["cancel any user's export (__query_export WRITE)", list(access.exportResults.cancel)],
        ["read any user's statement (STATE READ)", list(access.state.read)],
        ["bulk task status (STATE WRITE)", list(access.state.write)],
      ],
      ["who", "users"],
    ],
    ["CONFIG", access.config.map((c) => [c.user, c.read.join(" ") || "-", c.write.join(" ") || "-"]), ["user", "READ", "WRITE"]],
    ["Findings", report.findings.map((f) => [f.severity.toUpperCase(), f.check, f.message]), ["severity", "check", "finding"]],
  ];
}

export function auditText(report: AuditReport): string {
  const lines = [`msq-authz audit: ${report.users} users, ${report.roles} roles, ${report.permissions} permissions, ${report.findings.length} findings`];
  for (const [title, rows, header] of sections(report)) {
    lines.push("", title);
    if (rows.length === 0) {
      lines.push("  (none)");
      continue;
    }
    const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))));
    const line = (cells: string[]): string => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}`;
    lines.push(line(header), ...rows.map(line));
  }
  return lines.join("\n");
}

export function auditMarkdown(report: AuditReport): string {
  const cell = (text: string): string => text.replace(/\|/gu, "\\|");
  const lines = [`# msq-authz audit`, "", `${report.users} users, ${report.roles} roles, ${report.permissions} permissions, ${report.findings.length} findings.`];
  for (const [title, rows, header] of sections(report)) {
    lines.push("", `## ${title}`, "");
    if (rows.length === 0) {
      lines.push("(none)");
      continue;
    }
    lines.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`));
  }
  return `${lines.join("\n")}\n`;
}
