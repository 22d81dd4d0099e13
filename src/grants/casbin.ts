// Grant matching in Casbin: a GrantMatcher over an enforcer of the msq_rbac model. Casbin answers whether, and by
// which policy line, the caller's roles grant each required resource action; the policy does the rest.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Enforcer, newEnforcer, newModelFromString } from "casbin";
import type { Grants } from "../types.js";
import { patternMatchers } from "./java-pattern.js";
import type { GrantMatch, GrantMatcher, ResourceCheck } from "./matcher.js";

export const casbinModelPath = fileURLToPath(new URL("../../policies/casbin/msq_rbac_model.conf", import.meta.url));

const USER = "user:";
const ROLE = "role:";

/**
 * Druid-shaped grants as Casbin policy lines, roles in sorted order and each role's permissions in their own
 * order: the order in which both engines look for the first grant that matches.
 */
export function grantsToCasbinPolicy(grants: Grants): { policies: string[][]; groupings: string[][] } {
  const roles = grants.roles ?? {};
  const users = grants.users ?? {};
  const policies = Object.keys(roles)
    .sort()
    .flatMap((role) =>
      (roles[role]?.permissions ?? []).map((permission) => [
        ROLE + role,
        permission.resource.type,
        permission.resource.name,
        permission.action.toUpperCase(),
      ]),
    );
  const groupings = Object.keys(users)
    .sort()
    .flatMap((user) => [...new Set(users[user]?.roles ?? [])].sort().map((role) => [USER + user, ROLE + role]));
  return { policies, groupings };
}

/**
 * Casbin's `fullMatch(name, pattern)`: Druid's Pattern.matches, the whole name against a Java-dialect pattern (the
 * grant's own, as the policy lines hold it). The pattern is matched through its RE2 translation
 * (src/grants/java-pattern.ts), the one the WASM policy runs too; a pattern msq-authz refuses (checkGrants refuses
 * grants that hold one) matches nothing. Each pattern is translated and compiled once per function, which keeps
 * at most MATCHER_BYTES of them. Teams with
 * their own enforcer register it as `fullMatch`.
 */
/** What one fullMatch function's compiled patterns may hold. */
const MATCHER_BYTES = 16 * 1024 * 1024;

export function fullMatchFunction(): (name: string, pattern: string) => boolean {
  // Casbin calls this for every policy line of every check.
  const matcher = patternMatchers(MATCHER_BYTES);
  return (name, pattern) => matcher(pattern)?.(name) === true;
}

export async function createCasbinEnforcer(grants: Grants): Promise<Enforcer> {
  const enforcer = await newEnforcer(newModelFromString(readFileSync(casbinModelPath, "utf8")));
  enforcer.addFunction("fullMatch", fullMatchFunction());
  const { policies, groupings } = grantsToCasbinPolicy(grants);
  if (policies.length > 0) await enforcer.addPolicies(policies);
  if (groupings.length > 0) await enforcer.addGroupingPolicies(groupings);
  return enforcer;
}

const strip = (prefix: string, value: string): string => (value.startsWith(prefix) ? value.slice(prefix.length) : value);

export class CasbinGrantMatcher implements GrantMatcher {
  readonly engine = "casbin" as const;

  /** `enforcer` must use the msq_rbac model (or one with the same request, policy and role definitions). */
  constructor(private readonly enforcer: Enforcer) {}

  async roles(user: string): Promise<string[]> {
    return (await this.enforcer.getRolesForUser(USER + user)).map((role) => strip(ROLE, role));
  }

  async match(user: string, check: ResourceCheck): Promise<GrantMatch | null> {
    const [allowed, line] = this.enforcer.enforceExSync(USER + user, check.type, check.name, check.action);
    return allowed && line.length >= 3 ? { role: strip(ROLE, line[0] ?? ""), pattern: line[2] ?? "" } : null;
  }

  async patterns(user: string, type: string, action: string): Promise<string[]> {
    const permissions = await this.enforcer.getImplicitPermissionsForUser(USER + user);
    return [...new Set(permissions.filter(([, t, , a]) => t === type && a === action).map((p) => p[2] ?? ""))];
  }
}
