// How one bundle revision decides. The policy decides what is required and how the decision reads; grants are
// matched either by the policy's own grants, compiled once per revision (IndexedGrants: msq/authz/plan, the
// matches, then msq/authz/finalize with the plan, so the rules run once), or by a grant matcher's store
// (msq/authz/required, the matcher's evidence, then msq/authz/finalize).
import { EngineError, asError } from "../errors.js";
import type { IndexedGrants } from "../grants/indexed.js";
import { type Evidence, type GrantMatcher, type Plan, gatherEvidence } from "../grants/matcher.js";
import type { DecisionRequest, EngineName, PolicyDecision } from "../types.js";
import { entrypoints, type WasmPolicy } from "./wasm-policy.js";

export interface Engine {
  readonly name: EngineName;
  decide(request: DecisionRequest): Promise<PolicyDecision>;
  /** Only the policy's own grants never wait. */
  decideSync?(request: DecisionRequest): PolicyDecision;
}

/** What msq/authz/plan answers: `required`, the caller's roles by the policy's grants, and the decision's parts. */
interface PolicyPlan extends Plan {
  roles: string[];
  /** `listing`: what a task list lists (null for every other operation), its tasks as the request gives them. */
  parts: { blocked: PolicyDecision | null; listing: { tasks: { datasource: string }[] | null } | null };
}

export function policyEngine(policy: WasmPolicy, grants: IndexedGrants): Engine {
  const decideSync = (request: DecisionRequest): PolicyDecision => {
    const plan = policy.evaluate<PolicyPlan>(entrypoints.plan, request);
    // Stopped before authorization: the policy's refusal is the decision, and there is nothing to match.
    if (plan.parts.blocked !== null) return plan.parts.blocked;
    // A task list's datasources are matched here too, each distinct one once: `matching` spares the policy matching
    // every one against every pattern.
    const datasources = (plan.parts.listing?.tasks ?? []).map((task) => task.datasource);
    const listings = plan.listings.map((listing) => {
      const patterns = grants.patterns(plan.roles, listing.type, listing.action);
      return { ...listing, patterns, matching: grants.namesMatching(patterns, datasources) };
    });
    const evidence: Evidence = {
      roles: plan.roles,
      checks: plan.checks.map((check) => ({ ...check, match: grants.match(plan.roles, check) })),
      listings,
    };
    // The plan carries what the decision needs of the request: a large request is not sent to the policy twice.
    return policy.evaluate<PolicyDecision>(entrypoints.finalize, { plan, evidence });
  };
  return { name: "wasm", decideSync, decide: (request) => Promise.resolve().then(() => decideSync(request)) };
}

export function matchedEngine(policy: WasmPolicy, matcher: GrantMatcher): Engine {
  return {
    name: matcher.engine,
    async decide(request) {
      const plan = policy.evaluate<Plan>(entrypoints.required, request);
      let evidence: Evidence;
      try {
        evidence = await gatherEvidence(matcher, plan);
      } catch (thrown) {
        throw new EngineError(`${matcher.engine} failed: ${asError(thrown).message}`, { cause: asError(thrown) });
      }
      return policy.evaluate<PolicyDecision>(entrypoints.finalize, { request, evidence });
    },
  };
}
