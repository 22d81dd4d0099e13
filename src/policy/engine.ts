// How one bundle revision decides. The policy decides what is required and how the decision reads; grants are
// matched either by the policy's own grants, compiled once per revision (IndexedGrants: msq/authz/shape and
// msq/authz/caller, each remembered apart (PlanMemo), the matches, then msq/authz/finalize with both, so the rules
// run once), or by a grant matcher's store (msq/authz/required, the matcher's evidence, then msq/authz/finalize).
import { EngineError, asError } from "../errors.js";
import type { IndexedGrants } from "../grants/indexed.js";
import { type Evidence, type GrantMatcher, type Plan, gatherEvidence } from "../grants/matcher.js";
import type { DecisionRequest, EngineName, PolicyDecision } from "../types.js";
import { type Caller, type PlanMemo, type Shape, finalizeInput } from "./plan-memo.js";
import { entrypoints, type WasmPolicy } from "./wasm-policy.js";

export interface Engine {
  readonly name: EngineName;
  decide(request: DecisionRequest): Promise<PolicyDecision>;
  /** Only the policy's own grants never wait. */
  decideSync?(request: DecisionRequest): PolicyDecision;
}

export function policyEngine(policy: WasmPolicy, grants: IndexedGrants, plans: PlanMemo): Engine {
  const decideSync = (request: DecisionRequest): PolicyDecision => {
    const caller = plans.caller(request.identity, (json) => policy.evaluate<Caller>(entrypoints.caller, undefined, json));
    const shape = plans.shape(request, (json) => policy.evaluate<Shape>(entrypoints.shape, undefined, json));
    // Stopped before authorization by the request alone: the policy's refusal is the decision, with nothing to match.
    if (shape.value.blocked !== null && caller.value.blockers.length === 0) return shape.value.blocked;
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
