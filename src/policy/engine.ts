// How one bundle revision decides: the policy alone, matching the grants it holds as data (one evaluation of
// msq/authz/decision), or the policy with a grant matcher (msq/authz/required, the matcher's evidence, then
// msq/authz/finalize). Either way the policy decides what is required and shapes the decision.
import { EngineError, asError } from "../errors.js";
import { type Evidence, type GrantMatcher, type Plan, gatherEvidence } from "../grants/matcher.js";
import type { DecisionRequest, EngineName, PolicyDecision } from "../types.js";
import { entrypoints, type WasmPolicy } from "./wasm-policy.js";

export interface Engine {
  readonly name: EngineName;
  decide(request: DecisionRequest): Promise<PolicyDecision>;
  /** Only the policy alone never waits. */
  decideSync?(request: DecisionRequest): PolicyDecision;
}

export function policyEngine(policy: WasmPolicy): Engine {
  const decideSync = (request: DecisionRequest) => policy.evaluate<PolicyDecision>(entrypoints.decision, request);
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
