// Grants are checked once when they are loaded, as Druid checks permissions when they are set: a name pattern Java
// refuses, or one RE2 cannot match with Java's meaning, is rejected then, not discovered during a decision.
import { ConfigError } from "./errors.js";
import { isLiteralPattern, translateJavaPattern } from "./grants/java-pattern.js";
import { describeErrors, validateGrants } from "./schemas/validate.js";
import type { Grants } from "./types.js";

export function checkGrants(value: unknown, source = "grants"): Grants {
  if (!validateGrants(value)) {
    throw new ConfigError(`${source}: ${describeErrors(validateGrants.errors).join("; ")}`);
  }
  const translated = new Set<string>();
  for (const [role, { permissions }] of Object.entries(value.roles ?? {})) {
    permissions.forEach((permission, index) => {
      const pattern = permission.resource.name;
      // A literal name means itself in Java too; the policy matches it by equality, with no translation to check.
      if (translated.has(pattern) || (isLiteralPattern(pattern) && pattern.isWellFormed())) return;
      const translation = translateJavaPattern(pattern);
      if ("refusal" in translation) {
        const { javaRefuses, message } = translation.refusal;
        throw new ConfigError(
          `${source}: /roles/${role}/permissions/${index}/resource/name: resource name regex ` +
            `${javaRefuses ? "does not compile" : "is refused"} (${pattern}): ${message}`,
        );
      }
      translated.add(pattern);
    });
  }
  return value;
}

/**
 * data.grant_patterns: each of the grants' patterns that is more than a literal name, mapped to its RE2 translation
 * (src/grants/java-pattern.ts). The policy matches a pattern only through this table (a pattern missing from it
 * matches nothing but the name equal to it, and only if it is a literal), so no engine ever reads a Java pattern as
 * RE2. Patterns that are refused are left out; checkGrants refuses grants that hold one.
 */
export function grantPatterns(grants: Grants): Record<string, string> {
  return patternTranslations(
    Object.values(grants.roles ?? {}).flatMap(({ permissions }) => permissions.map(({ resource }) => resource.name)),
  );
}

/** The data.grant_patterns table for any list of grant patterns (an engine's own grant store hands it to finalize). */
export function patternTranslations(patterns: Iterable<string>): Record<string, string> {
  const table = Object.create(null) as Record<string, string>;
  for (const pattern of patterns) {
    if (isLiteralPattern(pattern) || Object.hasOwn(table, pattern)) continue;
    const translation = translateJavaPattern(pattern);
    if ("re2" in translation) table[pattern] = translation.re2;
  }
  return table;
}

/** data.grant_index.roles[role][type][ACTION]: see policies/rego/msq/grants/grants.rego. */
export interface GrantIndex {
  roles: Record<string, Record<string, Record<string, { literals: Record<string, number>; patterns: [number, string][] }>>>;
}

/**
 * The grants laid out for lookup, built once per grants revision: per role, type and action, literal names (a hash
 * lookup) apart from patterns (a regex each, through data.grant_patterns), with each permission's position so the
 * policy still reports the first grant in order. A layout, not a rule: the policy does the matching, and gives the
 * same answer without it.
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
      if (!isLiteralPattern(name)) entry.patterns.push([position, name]);
      else if (!Object.hasOwn(entry.literals, name)) entry.literals[name] = position;
    });
    roles[role] = byType;
  }
  return { roles };
}
