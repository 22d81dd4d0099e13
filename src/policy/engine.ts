// How one bundle revision decides. The policy decides what is required and how the decision reads; grants are
// matched either by the policy's own grants, compiled once per revision (IndexedGrants), or by a grant matcher's
// store. Either way the policy's msq/authz/shape and msq/authz/caller are remembered apart (PlanMemo), the checks
// matched, and msq/authz/finalize decides with the three, so the rules run once.
import { EngineError, asError } from "../errors.js";
import type { IndexedGrants } from "../grants/indexed.js";
import { type Evidence, type GrantMatcher, type Plan, gatherEvidence } from "../grants/matcher.js";
import type { DecisionRequest, EngineName, PolicyDecision } from "../types.js";
import { type Answered, type Caller, type PlanMemo, type Shape, finalizeInput } from "./plan-memo.js";
import { entrypoints, type WasmPolicy } from "./wasm-policy.js";

export interface Engine {
  readonly name: EngineName;
  decide(request: DecisionRequest): Promise<PolicyDecision>;
  /** Only the policy's own grants never wait. */
  decideSync?(request: DecisionRequest): PolicyDecision;
}

/**
 * The request's shape and its caller, each remembered apart; or the policy's refusal, when the request alone stops
 * before authorization (there is nothing to match then).
 */
function planned(policy: WasmPolicy, plans: PlanMemo, request: DecisionRequest): { refused: PolicyDecision } | { shape: Answered<Shape>; caller: Answered<Caller> } {
  const caller = plans.caller(request.identity, (json) => policy.evaluate<Caller>(entrypoints.caller, undefined, json));
  const shape = plans.shape(request, (json) => policy.evaluate<Shape>(entrypoints.shape, undefined, json));
  // With the caller refused too, finalize says which refusal comes first.
  if (shape.value.blocked !== null && caller.value.blockers.length === 0) return { refused: shape.value.blocked };
  return { shape, caller };
}

export function policyEngine(policy: WasmPolicy, grants: IndexedGrants, plans: PlanMemo): Engine {
  const decideSync = (request: DecisionRequest): PolicyDecision => {
    const halves = planned(policy, plans, request);
    if ("refused" in halves) return halves.refused;
    const { shape, caller } = halves;
    const { roles } = caller.value;
    // A task list's datasources are matched here too, each distinct one once: `matching` spares the policy matching
    // every one against every pattern.
    const datasources = (shape.value.listing?.tasks ?? []).map((task) => task.datasource);
    const evidence: Evidence = {
      roles,
      checks: shape.value.checks.map((check) => ({ ...check, match: grants.match(roles, check) })),
      listings: shape.value.listings.map((listing) => {
        const patterns = grants.patterns(roles, listing.type, listing.action);
        return { ...listing, patterns, matching: grants.namesMatching(patterns, datasources) };
      }),
    };
    // The shape and the caller carry what the decision needs of the request: it is not sent to the policy again.
    return policy.evaluate<PolicyDecision>(entrypoints.finalize, undefined, finalizeInput(shape, caller, evidence));
  };
  return { name: "wasm", decideSync, decide: (request) => Promise.resolve().then(() => decideSync(request)) };
}

export function matchedEngine(policy: WasmPolicy, matcher: GrantMatcher, plans: PlanMemo): Engine {
  const ask = async (plan: Plan): Promise<Evidence> => {
    try {
      return await gatherEvidence(matcher, plan);
    } catch (thrown) {
      throw new EngineError(`${matcher.engine} failed: ${asError(thrown).message}`, { cause: asError(thrown) });
    }
  };
  return {
    name: matcher.engine,
    async decide(request) {
      // A matcher's store maps users, not LDAP groups: with groups, finalize refuses the request whole.
      if ((request.identity.groups ?? []).length > 0) {
        const plan = policy.evaluate<Plan>(entrypoints.required, request);
        return policy.evaluate<PolicyDecision>(entrypoints.finalize, { request, evidence: await ask(plan) });
      }
      // The shape depends on the request and the settings alone, so it is remembered even though the matcher's
      // grants may change underneath (which is why whole decisions are not, by default).
      const halves = planned(policy, plans, request);
      if ("refused" in halves) return halves.refused;
      const { shape, caller } = halves;
      const evidence = await ask({ user: caller.value.user, checks: shape.value.checks, listings: shape.value.listings });
      return policy.evaluate<PolicyDecision>(entrypoints.finalize, undefined, finalizeInput(shape, caller, evidence));
    },
  };
}
