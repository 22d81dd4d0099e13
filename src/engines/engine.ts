import type { DecisionRequest, EngineName, PolicyDecision } from "../types.js";

/** A policy engine: answers a schema-valid request with the policy's decision, or throws a typed error. */
export interface Engine {
  readonly name: EngineName;
  decide(request: DecisionRequest): Promise<PolicyDecision>;
  /** Engines that never wait (the WASM policy) also answer synchronously. */
  decideSync?(request: DecisionRequest): PolicyDecision;
}

/** What `msq/authz/required` answers: the checks to match against a grant store, and the listings to take from it. */
export interface Plan {
  user: string;
  checks: { type: string; name: string; action: string }[];
  listings: { type: string; action: string }[];
}

/** What an engine with its own grant store hands to `msq/authz/finalize`. */
export interface Evidence {
  roles: string[];
  checks: (Plan["checks"][number] & { match: { role: string; pattern: string } | null })[];
  listings: (Plan["listings"][number] & { patterns: string[] })[];
  /** The RE2 translation of each listed pattern that is more than a literal name (src/grants.ts patternTranslations). */
  translations: Record<string, string>;
}
