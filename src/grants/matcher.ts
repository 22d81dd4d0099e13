// Where a decision's grants are matched, when they are not the policy's own data. The policy still decides what a
// request requires (msq/authz/required) and shapes the decision from the evidence (msq/authz/finalize); a grant
// matcher only answers from its own grant store. A new grant store is one class implementing GrantMatcher.
import type { EngineName } from "../types.js";
import { patternTranslations } from "../grants.js";

export interface ResourceCheck {
  type: string;
  name: string;
  action: string;
}

/** The grant that allows a check: the role holding it and the permission's pattern, as the store holds it. */
export interface GrantMatch {
  role: string;
  pattern: string;
}

export interface GrantMatcher {
  /** The name decisions made with this matcher carry in `engine`. */
  readonly engine: EngineName;
  /** The user's roles, as Druid's role provider gives them. */
  roles(user: string): Promise<string[]>;
  /** The first grant, in the store's order, whose pattern fully matches the check's name (Java's dialect), or null. */
  match(user: string, check: ResourceCheck): Promise<GrantMatch | null>;
  /** Every pattern the user's roles hold for this type and action: what a task list is filtered with. */
  patterns(user: string, type: string, action: string): Promise<string[]>;
}

/** What `msq/authz/required` answers: the checks to match, and the listings to take from a grant store. */
export interface Plan {
  user: string;
  checks: ResourceCheck[];
  listings: { type: string; action: string }[];
}

/** What `msq/authz/finalize` takes from a grant matcher. */
export interface Evidence {
  roles: string[];
  checks: (ResourceCheck & { match: GrantMatch | null })[];
  /** `matching`, when given: which of a task list's datasources the patterns match (else the policy matches them). */
  listings: (Plan["listings"][number] & { patterns: string[]; matching?: string[] })[];
  /**
   * The RE2 translation of each listed pattern that is more than a literal name (src/grants.ts), for the policy to
   * match a task list's datasources with; not needed where every listing says which match (`matching`).
   */
  translations?: Record<string, string>;
}

/** Asks the matcher everything the plan needs. */
export async function gatherEvidence(matcher: GrantMatcher, plan: Plan): Promise<Evidence> {
  const [roles, checks, listings] = await Promise.all([
    matcher.roles(plan.user),
    Promise.all(plan.checks.map(async (check) => ({ ...check, match: await matcher.match(plan.user, check) }))),
    Promise.all(plan.listings.map(async (listing) => ({ ...listing, patterns: await matcher.patterns(plan.user, listing.type, listing.action) }))),
  ]);
  return { roles, checks, listings, translations: patternTranslations(listings.flatMap(({ patterns }) => patterns)) };
}
