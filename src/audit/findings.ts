// Risky-grant findings: properties of the grant data itself (what a pattern can match, what is granted to whom),
// reported with a severity. Which resource actions an operation requires stays the policy's business.
import { javaFullMatcher, translateJavaPattern } from "../grants/java-pattern.js";

export type Severity = "high" | "medium" | "low";

export interface Finding {
  severity: Severity;
  check: string;
  message: string;
  role?: string;
  user?: string;
  pattern?: string;
}

/** Druid's registered resource types (ResourceType.knownTypes; LOOKUP after Druid 35). */
export const knownTypes = new Set(["DATASOURCE", "VIEW", "CONFIG", "STATE", "SYSTEM_TABLE", "QUERY_CONTEXT", "EXTERNAL", "LOOKUP"]);

export interface RawPermission {
  resource?: { name?: unknown; type?: unknown };
  action?: unknown;
}

export interface RawGrants {
  users?: Record<string, { roles?: unknown }>;
  roles?: Record<string, { permissions?: unknown }>;
}

/** Findings about one permission of one role. */
export function permissionFindings(role: string, permission: RawPermission, inputSourceSecurity: boolean): Finding[] {
  const name = permission.resource?.name;
  const type = permission.resource?.type;
  const action = typeof permission.action === "string" ? permission.action.toUpperCase() : permission.action;
  const found: Finding[] = [];
  const at = { role, ...(typeof name === "string" ? { pattern: name } : {}) };
  if (typeof type !== "string" || !knownTypes.has(type)) {
    found.push({ severity: "medium", check: "unknown-type", message: `role '${role}' grants on unknown resource type ${JSON.stringify(type)}: it matches nothing Druid checks`, ...at });
  }
  if (action !== "READ" && action !== "WRITE") {
    found.push({ severity: "medium", check: "unknown-action", message: `role '${role}' grants unknown action ${JSON.stringify(permission.action)}: Druid knows READ and WRITE`, ...at });
  }
  if (typeof name !== "string") {
    found.push({ severity: "medium", check: "no-pattern", message: `role '${role}' has a permission without a name pattern`, role });
    return found;
  }
  // Patterns are Java's (Druid's Pattern.matches), matched through the translation the decision point uses.
  const translation = translateJavaPattern(name);
  if ("refusal" in translation) {
    const { construct, javaRefuses } = translation.refusal;
    found.push(
      javaRefuses
        ? { severity: "high", check: "does-not-compile", message: `role '${role}': pattern '${name}' does not compile in Java (${construct}): Druid refuses it; msq-authz refuses the grants`, ...at }
        : { severity: "high", check: "refused-construct", message: `role '${role}': pattern '${name}' uses ${construct}, which RE2 cannot match as Java does: msq-authz refuses the grants (Druid accepts them)`, ...at },
    );
  }
  const matches = javaFullMatcher(name);
  if (matches && neverMatches(name)) {
    found.push({ severity: "medium", check: "never-matches", message: `role '${role}': pattern '${name}' can never match a whole name (an anchor in the middle)`, ...at });
  }
  if (action === "WRITE" && matches?.("any_datasource_name") && matches("__query_select")) {
    found.push({ severity: "high", check: "write-anything", message: `role '${role}' may WRITE every ${String(type)} ('${name}')`, ...at });
  }
  if (type === "EXTERNAL" && action === "READ" && !inputSourceSecurity && matches?.("EXTERNAL")) {
    found.push({
      severity: "medium",
      check: "external-without-input-source-security",
      message: `role '${role}' may read any external data through EXTERN: druid.auth.enableInputSourceSecurity is off, so READ on EXTERNAL 'EXTERNAL' covers http, s3, local files and every other input source`,
      ...at,
    });
  }
  const dot = unescapedDot(name);
  if (dot) {
    found.push({ severity: "low", check: "unescaped-dot", message: `role '${role}': in '${name}', '.' matches any character ('${dot}' matches too); write '\\.' for a literal dot`, ...at });
  }
  if (!/[\\^$.|?*+()[\]{}]/u.test(name) && /[_\-/:]$/u.test(name)) {
    found.push({ severity: "low", check: "literal-looks-like-prefix", message: `role '${role}': '${name}' matches only the name '${name}', not names that start with it; Druid names match whole (use '${name}.*' for a prefix)`, ...at });
  }
  return found;
}

/** An unescaped ^ after the start, or $ before the end, leaves nothing a whole-name match can satisfy. */
function neverMatches(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\") {
      i += 1;
    } else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      i = close < 0 ? pattern.length : close;
    } else if ((c === "^" && i > 0 && pattern.charAt(i - 1) !== "|" && pattern.charAt(i - 1) !== "(") ||
      (c === "$" && i < pattern.length - 1 && pattern.charAt(i + 1) !== "|" && pattern.charAt(i + 1) !== ")")) {
      return true;
    }
  }
  return false;
}

/** A '.' between word characters, as in 'wiki.edits': an example of what it also matches, if any. */
function unescapedDot(pattern: string): string | undefined {
  for (let i = 1; i < pattern.length - 1; i++) {
    if (pattern.charAt(i) === "." && pattern.charAt(i - 1) !== "\\" && /\w/u.test(pattern.charAt(i - 1)) && /\w/u.test(pattern.charAt(i + 1))) {
      return `${pattern.slice(0, i)}X${pattern.slice(i + 1)}`.replace(/\\(.)/gu, "$1");
    }
  }
  return undefined;
}

/**
 * Names a superuser pattern must match whole to count as "any name": Druid's own superuser permissions are '.*'
 * (AuthorizationUtils.makeSuperUserPermissions), and these stand for the names Druid's internal calls check.
 */
const anyNames = ["a", "any_datasource_name", "__query_select", "__query_export", "EXTERNAL", "STATE", "security", "Wiki Edits-2024.01:v2/x", "日本語"];

/**
 * The escalator (druid.escalator.internalClientUsername, Druid's internal system user) is authorized like any user,
 * and Druid's calls between its own processes fail with 500s unless it holds what Druid gives it itself: READ and
 * WRITE on every resource type Druid checks, each with a pattern that matches any name. `types` are those types.
 */
export function escalatorFindings(grants: RawGrants, escalator: string | undefined, types: readonly string[]): Finding[] {
  if (escalator === undefined) return [];
  const held = grants.users?.[escalator]?.roles;
  const roles = Array.isArray(held) ? held.filter((r): r is string => typeof r === "string") : [];
  const permissions = roles.flatMap((role) => {
    const entry = grants.roles?.[role];
    return Array.isArray(entry?.permissions) ? (entry.permissions as RawPermission[]) : [];
  });
  const covers = (type: string, action: string) =>
    permissions.some((p) => {
      const matches = typeof p.resource?.name === "string" ? javaFullMatcher(p.resource.name) : undefined;
      return p.resource?.type === type && typeof p.action === "string" && p.action.toUpperCase() === action &&
        matches !== undefined && anyNames.every((name) => matches(name));
    });
  const missing = types.flatMap((type) => ["READ", "WRITE"].filter((action) => !covers(type, action)).map((action) => `${action} ${type}`));
  if (missing.length === 0) return [];
  return [{
    severity: "high",
    check: "escalator-without-full-permissions",
    message: `the escalator '${escalator}' (druid.escalator.internalClientUsername) lacks ${missing.join(", ")} on every name: Druid's internal calls run as it and fail; grant it '.*' READ and WRITE on every resource type`,
    user: escalator,
  }];
}

/** Roles nobody holds, users without roles, and roles a user holds that are not defined. */
export function membershipFindings(grants: RawGrants): Finding[] {
  const roles = Object.keys(grants.roles ?? {});
  const held = new Set<string>();
  const found: Finding[] = [];
  for (const [user, entry] of Object.entries(grants.users ?? {})) {
    const userRoles = Array.isArray(entry.roles) ? entry.roles.filter((r): r is string => typeof r === "string") : [];
    if (userRoles.length === 0) found.push({ severity: "low", check: "user-without-roles", message: `user '${user}' holds no role: every check denies them`, user });
    for (const role of userRoles) {
      held.add(role);
      if (!(role in (grants.roles ?? {}))) {
        found.push({ severity: "low", check: "undefined-role", message: `user '${user}' holds role '${role}', which is not defined`, user, role });
      }
    }
  }
  for (const role of roles) {
    if (!held.has(role)) found.push({ severity: "low", check: "role-without-users", message: `role '${role}' is held by no user`, role });
  }
  return found;
}
