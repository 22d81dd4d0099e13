// `msq-authz audit`: who can do what under a grants set, asked of the policy itself (each answer is a decision),
// and findings about the grants. Grants are read leniently here: what the decision point would refuse is reported.
import { createDecisionPoint, type DecisionPoint } from "../decision-point.js";
import { checkGrants } from "../grants.js";
import { checkSettings } from "../settings.js";
import type { DecisionRequest, Grants, Permission } from "../types.js";
import { type Finding, type RawGrants, type RawPermission, escalatorFindings, knownTypes, membershipFindings, permissionFindings } from "./findings.js";

/** Input source types Druid ships (druid-semantics.md §1.3), asked about one by one when F1 is on. */
const inputSourceTypes = ["http", "s3", "google", "azure", "azureStorage", "hdfs", "local", "inline", "druid", "sql", "oss", "generator"];
const exportDestinations = ["s3", "google", "local"];

export interface AuditReport {
  users: number;
  roles: number;
  permissions: number;
  inputSourceSecurity: boolean;
  access: {
    datasources: { user: string; read: string[]; write: string[] }[];
    extern: { user: string; inputSources: string[] }[];
    export: { user: string; destinations: string[] }[];
    selectResults: { read: string[]; cancel: string[] };
    exportResults: { read: string[]; cancel: string[] };
    state: { read: string[]; write: string[] };
    config: { user: string; read: string[]; write: string[] }[];
  };
  findings: Finding[];
}

export async function audit(rawGrants: unknown, rawSettings: unknown = {}): Promise<AuditReport> {
  const settings = checkSettings(rawSettings);
  const grants = (typeof rawGrants === "object" && rawGrants !== null ? rawGrants : {}) as RawGrants;
  const permissionsOf = (entry: { permissions?: unknown }): RawPermission[] =>
    Array.isArray(entry.permissions) ? (entry.permissions as RawPermission[]) : [];
  // The grants the decision point can load: what it would refuse is left out here and reported as a finding.
  const usable: Required<Grants> = { users: {}, roles: {}, groupMappings: {} };
  for (const [role, entry] of Object.entries(grants.roles ?? {})) {
    const kept = permissionsOf(entry).filter((permission) =>
      !permissionFindings(role, permission, false).some((f) => refused.has(f.check)),
    );
    usable.roles[role] = { permissions: kept as Permission[] };
  }
  for (const [user, entry] of Object.entries(grants.users ?? {})) {
    usable.users[user] = { roles: Array.isArray(entry.roles) ? entry.roles.filter((r): r is string => typeof r === "string") : [] };
  }
  const point = await createDecisionPoint({ grants: checkGrants(usable), settings });
  // Whether input-source security is on is the policy's reading of the settings: ask what EXTERN requires.
  const probe = point.decideSync({
    identity: { authenticated: true, user: "msq-authz-audit-probe" },
    operation: "sql.task.submit",
    statement: { type: "SELECT", external: ["http"] },
  });
  const inputSourceSecurity = !probe.required.some((ra) => ra.type === "EXTERNAL" && ra.name === "EXTERNAL");
  // LOOKUP is a resource type Druid checks after Druid 35 (the policy's msq.settings.authorize_lookups).
  const major = Number((settings.druidVersion ?? "35.0.0").split(/[.-]/u)[0]);
  const checkedTypes = [...knownTypes].filter((type) => type !== "LOOKUP" || major >= 36);
  const findings = [
    ...membershipFindings(grants),
    ...escalatorFindings(grants, settings["druid.escalator.internalClientUsername"], checkedTypes),
    ...Object.entries(grants.roles ?? {}).flatMap(([role, entry]) =>
      permissionsOf(entry).flatMap((permission) => permissionFindings(role, permission, inputSourceSecurity)),
    ),
  ];
  const users = Object.keys(usable.users).sort();
  return {
    users: users.length,
    roles: Object.keys(grants.roles ?? {}).length,
    permissions: Object.values(grants.roles ?? {}).reduce((sum, entry) => sum + permissionsOf(entry).length, 0),
    inputSourceSecurity,
    access: access(point, usable, users, inputSourceSecurity),
    findings: findings.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.message.localeCompare(b.message)),
  };
}

/** Findings that mean the decision point refuses the permission. */
const refused = new Set(["does-not-compile", "refused-construct", "unknown-action", "no-pattern"]);

const severityRank = { high: 0, medium: 1, low: 2 } as const;

function access(point: DecisionPoint, grants: Grants, users: string[], inputSourceSecurity: boolean): AuditReport["access"] {
  const allowed = (user: string, request: Omit<DecisionRequest, "identity">): boolean =>
    point.decideSync({ identity: { authenticated: true, user }, ...request }).allow;
  const patterns = (user: string, type: string, action: string): string[] => {
    const roles = grants.users?.[user]?.roles ?? [];
    const names = roles.flatMap((role) =>
      (grants.roles?.[role]?.permissions ?? [])
        .filter((p) => p.resource.type === type && p.action.toUpperCase() === action)
        .map((p) => p.resource.name),
    );
    return [...new Set(names)].sort();
  };
  const extern = (type: string) => ({ operation: "sql.task.submit" as const, statement: { type: "SELECT" as const, external: [type] } });
  const onTask = (operation: "task.reports" | "task.cancel", datasource: string) => ({ operation, task: { id: "audit", datasource, user: "someone-else" } });
  const who = (request: Omit<DecisionRequest, "identity">): string[] => users.filter((user) => allowed(user, request));
  return {
    datasources: users.map((user) => ({ user, read: patterns(user, "DATASOURCE", "READ"), write: patterns(user, "DATASOURCE", "WRITE") })),
    extern: users
      .map((user) => ({
        user,
        inputSources: inputSourceSecurity
          ? inputSourceTypes.filter((type) => allowed(user, extern(type)))
          : allowed(user, extern("http")) ? ["any (EXTERNAL 'EXTERNAL')"] : [],
      }))
      .filter((entry) => entry.inputSources.length > 0),
    export: users
      .map((user) => ({
        user,
        destinations: exportDestinations.filter((destination) =>
          allowed(user, { operation: "sql.task.submit", statement: { type: "EXPORT", exportDestination: destination } }),
        ),
      }))
      .filter((entry) => entry.destinations.length > 0),
    selectResults: { read: who(onTask("task.reports", "__query_select")), cancel: who(onTask("task.cancel", "__query_select")) },
    exportResults: { read: who(onTask("task.reports", "__query_export")), cancel: who(onTask("task.cancel", "__query_export")) },
    state: {
      read: who({ operation: "sql.statements.get", task: { id: "audit", datasource: "__query_select", user: "someone-else", type: "query_controller" } }),
      write: who({ operation: "tasks.status.bulk" }),
    },
    config: users
      .map((user) => ({ user, read: patterns(user, "CONFIG", "READ"), write: patterns(user, "CONFIG", "WRITE") }))
      .filter((entry) => entry.read.length + entry.write.length > 0),
  };
}
