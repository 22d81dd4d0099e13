// The policy's own grants (data.grants), matched the way msq.grants.first_match_of_roles matches them, with each
// pattern compiled once per grants revision: opa-wasm compiles a regex again on every evaluation, which made grant
// matching most of a decision's cost. The policy still decides what is required, which roles the caller holds
// (its LDAP groups included) and how the decision reads; this answers only which grant matches first. The
// differential tests hold it to the policy's own matching (msq/authz/decision) on generated grants and requests.
import { LRUCache } from "lru-cache";
import { cacheKey } from "../cache-key.js";
import { type GrantIndex, grantIndex } from "../grants.js";
import type { Grants } from "../types.js";
import { isLiteralPattern, javaAnyFullMatcher, patternBytes, patternMatchers } from "./java-pattern.js";
import type { GrantMatch, ResourceCheck } from "./matcher.js";

type Entry = GrantIndex["roles"][string][string][string];

/** What the remembered matches may hold, keys and answers, in bytes (the matcher's own memo, per revision). */
const MEMO_BYTES = 8 * 1024 * 1024;
/** What the compiled alternations may hold, each counted as its patterns compiled one by one (patternBytes). */
const ALTERNATION_BYTES = 8 * 1024 * 1024;
/** What the compiled patterns may hold (compiled on first use: compiling every one up front would slow activation). */
const MATCHER_BYTES = 8 * 1024 * 1024;

export class IndexedGrants {
  /** Each pattern's full-match function, or null for a pattern msq-authz refuses (it matches nothing). */
  private readonly matcher = patternMatchers(MATCHER_BYTES);
  // Bounded by bytes alone: with a `max`, lru-cache allocates arrays of that length for every revision.
  private readonly memo = new LRUCache<string, { match: GrantMatch | null }>({
    maxSize: MEMO_BYTES,
    sizeCalculation: (_, key) => 2 * key.length + 64,
  });

  /** Each pattern list's alternation (a task list's filter), compiled once per revision and bounded by bytes. */
  private readonly alternations = new LRUCache<string, (name: string) => boolean>({ maxSize: ALTERNATION_BYTES });

  constructor(private readonly index: GrantIndex) {}

  static of(grants: Grants): IndexedGrants {
    return new IndexedGrants(grantIndex(grants));
  }

  /** The first grant of the roles, in their order, that matches the check: each role's permissions in order. */
  match(roles: readonly string[], check: ResourceCheck): GrantMatch | null {
    const key = cacheKey(`${roles.join("\u0000")}\u0001${check.type}\u0001${check.action}\u0001${check.name}`);
    const remembered = this.memo.get(key);
    if (remembered !== undefined) return remembered.match;
    let match: GrantMatch | null = null;
    for (const role of roles) {
      const pattern = this.firstOfRole(this.entry(role, check.type, check.action), check.name);
      if (pattern !== undefined) {
        match = { role, pattern };
        break;
      }
    }
    this.memo.set(key, { match });
    return match;
  }

  /** Every name pattern the roles hold for the type and action (a task list's filter). */
  patterns(roles: readonly string[], type: string, action: string): string[] {
    const names = new Set<string>();
    for (const role of roles) {
      const entry = this.entry(role, type, action);
      if (entry === undefined) continue;
      for (const literal of Object.keys(entry.literals)) names.add(literal);
      for (const [, pattern] of entry.patterns) names.add(pattern);
    }
    return [...names];
  }

  /**
   * The names that one of the patterns fully matches (a task list's visible datasources): a pattern is its literal
   * name or a Java-dialect regex, their alternation compiled once per revision.
   */
  namesMatching(patterns: readonly string[], names: readonly string[]): string[] {
    if (names.length === 0) return [];
    // Only a literal pattern names itself: the name "logs_[0-9]+" is no match for the regex logs_[0-9]+.
    const literals = new Set(patterns.filter(isLiteralPattern));
    const regexes = patterns.filter((pattern) => !isLiteralPattern(pattern));
    const joined = regexes.join("\u0000");
    const key = cacheKey(joined);
    let anyOf = this.alternations.get(key);
    if (anyOf === undefined) {
      anyOf = javaAnyFullMatcher(regexes);
      this.alternations.set(key, anyOf, { size: regexes.reduce((bytes, pattern) => bytes + patternBytes(pattern), 256) });
    }
    const matches = anyOf;
    return [...new Set(names)].filter((name) => literals.has(name) || matches(name));
  }

  private entry(role: string, type: string, action: string): Entry | undefined {
    const byType = Object.hasOwn(this.index.roles, role) ? this.index.roles[role] : undefined;
    const byAction = byType !== undefined && Object.hasOwn(byType, type) ? byType[type] : undefined;
    return byAction !== undefined && Object.hasOwn(byAction, action) ? byAction[action] : undefined;
  }

  /** The role's first permission matching the name: a pattern before the literal grant of that name, or it. */
  private firstOfRole(entry: Entry | undefined, name: string): string | undefined {
    if (entry === undefined) return undefined;
    const literal = Object.hasOwn(entry.literals, name) ? (entry.literals[name] as number) : -1;
    for (const [position, pattern] of entry.patterns) {
      if (literal >= 0 && position > literal) break;
      if (this.matcher(pattern)?.(name) === true) return pattern;
    }
    return literal >= 0 ? name : undefined;
  }
}
