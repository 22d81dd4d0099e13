// Grants are checked once when they are loaded, as Druid checks permissions when they are set: a name pattern that
// does not compile is rejected then, not discovered as a silent non-match during a decision.
import { RE2JS } from "re2js";
import { ConfigError } from "./errors.js";
import { describeErrors, validateGrants } from "./schemas/validate.js";
import type { Grants } from "./types.js";

// A name without regex metacharacters is a literal: valid in every dialect, so it needs no compiling.
const metacharacters = /[\\^$.|?*+()[\]{}]/u;

export function checkGrants(value: unknown, source = "grants"): Grants {
  if (!validateGrants(value)) {
    throw new ConfigError(`${source}: ${describeErrors(validateGrants.errors).join("; ")}`);
  }
  const valid = new Set<string>();
  for (const [role, { permissions }] of Object.entries(value.roles ?? {})) {
    permissions.forEach((permission, index) => {
      const pattern = permission.resource.name;
      if (valid.has(pattern) || !metacharacters.test(pattern)) return;
      try {
        RE2JS.compile(pattern);
        valid.add(pattern);
      } catch (cause) {
        throw new ConfigError(
          `${source}: /roles/${role}/permissions/${index}/resource/name: resource name regex does not compile ` +
            `(${permission.resource.name})`,
          { cause },
        );
      }
    });
  }
  return value;
}

/** data.grant_index.roles[role][type][ACTION]: see policies/rego/msq/grants/grants.rego. */
export interface GrantIndex {
  roles: Record<string, Record<string, Record<string, { literals: Record<string, number>; patterns: [number, string][] }>>>;
}

/**
 * The grants laid out for lookup, built once per grants revision: per role, type and action, literal names (a hash
 * lookup) apart from patterns (a regex each), with each permission's position so the policy still reports the
 * first grant in order. A layout, not a rule: the policy does the matching, and gives the same answer without it.
 */
export function grantIndex(grants: Grants): GrantIndex {
  // Null-prototype maps: names such as "__proto__" or "constructor" are data here, never inherited properties.
  const map = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
  const roles = map<GrantIndex["roles"][string]>();
  for (const [role, { permissions }] of Object.entries(grants.roles ?? {})) {
    const byType = map<Record<string, { literals: Record<string, number>; patterns: [number, string][] }>>();
    permissions.forEach((permission, position) => {
      const { type, name } = permission.resource;
      const action = permission.action.toUpperCase();
      const byAction = (byType[type] ??= map());
      const entry = (byAction[action] ??= { literals: map<number>(), patterns: [] });
      if (metacharacters.test(name)) entry.patterns.push([position, name]);
      else if (!Object.hasOwn(entry.literals, name)) entry.literals[name] = position;
    });
    roles[role] = byType;
  }
  return { roles };
}
