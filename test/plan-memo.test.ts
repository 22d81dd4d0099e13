// The remembered halves of a plan (src/policy/plan-memo.ts) against the paths that remember nothing: every decision
// case's request, sent again by generated callers (other users, LDAP groups, anonymous, a statement's owner or not),
// in generated orders on one decision point, must be decided exactly as a point without the plan memo decides it,
// and as the policy decides it in one evaluation (msq/authz/decision, which the memo's staging has no part in).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundle } from "../src/bundle/load.js";
import { createDecisionPoint, type DecisionPoint } from "../src/decision-point.js";
import { PlanMemo } from "../src/policy/plan-memo.js";
import { WasmPolicy, entrypoints } from "../src/policy/wasm-policy.js";
import { policyInput } from "../src/policy-input.js";
import { checkSettings } from "../src/settings.js";
import type { PolicyDecision } from "../src/types.js";
import type { Grants } from "../src/types.js";
import { engines, loadCases } from "./support.js";

const runs = Number(process.env.PLAN_MEMO_RUNS ?? 40);
const seed = Number(process.env.PLAN_MEMO_SEED ?? 20261126);

// One DN per kind of group: mapped by a pattern, mapped by another, mapped by none, and one Druid cannot read.
const groupDns = ["cn=ops,ou=groups,dc=example,dc=com", "cn=sales,ou=groups,dc=example,dc=com", "cn=other,dc=example,dc=com", "cn=x,dc=#zz"];

interface Scenario {
  grants: Grants;
  settings: unknown;
  requests: Record<string, unknown>[];
}

/** Each scenario's grants with group mappings onto its own roles, and its cases' requests. */
function scenarios(): Scenario[] {
  const byName = new Map<string, Scenario>();
  for (const c of loadCases()) {
    const grants = c.grants as Grants;
    const [first, second] = Object.keys(grants.roles ?? {});
    const groupMappings = {
      ...(first === undefined ? {} : { ops: { groupPattern: "cn=ops,*", roles: [first] } }),
      ...(second === undefined ? {} : { sales: { groupPattern: "*,ou=groups,dc=example,dc=com", roles: [second] } }),
    };
    const scenario = byName.get(c.scenario) ?? { grants: { ...grants, groupMappings: { ...grants.groupMappings, ...groupMappings } }, settings: c.settings, requests: [] };
    if (typeof c.request === "object" && c.request !== null) scenario.requests.push(c.request as Record<string, unknown>);
    byName.set(c.scenario, scenario);
  }
  return [...byName.values()];
}

interface Caller {
  request: number;
  user: number;
  groups: string[];
  anonymous: boolean;
  owner: boolean;
}

const caller: fc.Arbitrary<Caller> = fc.record({
  request: fc.nat(),
  user: fc.nat(),
  groups: fc.subarray(groupDns, { maxLength: 2 }),
  anonymous: fc.boolean(),
  owner: fc.boolean(),
});

/** The case's request as another caller sends it; where it names a task's owner, the caller owns it or does not. */
function sentBy(scenario: Scenario, users: string[], who: Caller): unknown {
  const request = structuredClone(scenario.requests[who.request % scenario.requests.length]) as Record<string, unknown>;
  const user = users[who.user % users.length] as string;
  const identity = request.identity as Record<string, unknown> | undefined;
  if (typeof identity === "object" && identity !== null && !Array.isArray(identity)) {
    request.identity = who.anonymous ? { authenticated: false } : { ...identity, authenticated: true, user, ...(who.groups.length > 0 ? { groups: who.groups } : {}) };
  }
  const task = request.task as Record<string, unknown> | undefined;
  if (typeof task === "object" && task !== null && "user" in task) task.user = who.owner ? user : "someone-else";
  return request;
}

describe.each(engines)("the plan memo (%s engine)", (engine) => {
  it("decides every case's request, sent by generated callers in generated orders, as the paths without it", async () => {
    const bundle = await loadBundle();
    let decided = 0;
    let remembered = 0;
    for (const [index, scenario] of scenarios().entries()) {
      const users = [...Object.keys(scenario.grants.users ?? {}), "nobody"];
      const make = (planCacheBytes?: number): Promise<DecisionPoint> =>
        createDecisionPoint({ bundle, engine, grants: scenario.grants, settings: scenario.settings, decisionCacheEntries: 0, ...(planCacheBytes === undefined ? {} : { planCacheBytes }) });
      const uncached = await make(0);
      const oneShot = await WasmPolicy.load(bundle, scenario.grants, checkSettings(scenario.settings, "settings"));
      await fc.assert(
        fc.asyncProperty(fc.array(caller, { minLength: 1, maxLength: 30 }), async (callers) => {
          // A fresh memo for each run, so that every run starts from nothing remembered.
          const memoized = await make();
          for (const who of callers) {
            const request = sentBy(scenario, users, who);
            const decision = await memoized.decide(request);
            expect(decision).toEqual(await uncached.decide(request));
            // What the decision point refuses itself (the request schema, SQL it cannot read) never reaches the policy.
            // A Casbin enforcer maps users, not LDAP groups: the Casbin engine refuses a request that names any.
            const prepared = policyInput(request);
            if ("input" in prepared && engine === "casbin" && (prepared.input.identity.groups ?? []).length > 0) {
              expect(decision.code).toBe("invalid_request");
            } else if ("input" in prepared) {
              const { engine: _engine, revision: _revision, ...policyDecision } = decision;
              expect(policyDecision).toEqual(oneShot.evaluate<PolicyDecision>(entrypoints.decision, prepared.input));
              decided += 1;
            }
          }
          const plans = memoized.caches().find((cache) => cache.cache === "plans");
          remembered += plans?.entries ?? 0;
        }),
        { numRuns: runs, seed: seed + index },
      );
    }
    console.log(`plan memo (${engine}): ${decided} decisions, as the paths without it; ${remembered} shapes and callers remembered`);
    // Callers and requests repeat within a run: fewer were remembered than two per decision, so some were recalled.
    expect(remembered).toBeGreaterThan(0);
    expect(remembered).toBeLessThan(decided * 2);
  });
});

describe("the plan memo's keys and budget", () => {
  it("remembers nothing with no budget, and stays within its budget", () => {
    const shape = { vary: [], blocked: null, checks: [], listings: [], listing: null };
    let evaluated = 0;
    const evaluate = () => {
      evaluated += 1;
      return shape;
    };
    const off = new PlanMemo(0);
    off.shape({ identity: { authenticated: true, user: "a" } }, evaluate);
    off.shape({ identity: { authenticated: true, user: "a" } }, evaluate);
    expect({ evaluated, size: off.size }).toEqual({ evaluated: 2, size: { entries: 0, bytes: 0 } });
    const small = new PlanMemo(4096);
    for (let i = 0; i < 200; i++) small.shape({ identity: { authenticated: true, user: "a" }, operation: `op-${i}` }, evaluate);
    expect(small.size.bytes).toBeLessThanOrEqual(4096);
    expect(small.size.entries).toBeGreaterThan(0);
  });

  it("evaluates a shape once for every user of the same request, and per user where the shape varies with the name", () => {
    const seen: string[] = [];
    const memo = new PlanMemo(1 << 20);
    const shapeOf = (vary: string[]) => (json: string) => {
      seen.push(json);
      return { vary, blocked: null, checks: [], listings: [], listing: null };
    };
    for (const user of ["ann", "bo", "ann"]) memo.shape({ identity: { authenticated: true, user, groups: ["cn=g"] }, operation: "x" }, shapeOf([]));
    expect(seen).toEqual(['{"identity":{"authenticated":true,"user":""},"operation":"x"}']);
    seen.length = 0;
    for (const user of ["ann", "bo", "ann"]) memo.shape({ identity: { authenticated: true, user }, operation: "y" }, shapeOf(["user"]));
    expect(seen).toEqual([
      '{"identity":{"authenticated":true,"user":""},"operation":"y"}',
      '{"identity":{"authenticated":true,"user":"ann"},"operation":"y"}',
      '{"identity":{"authenticated":true,"user":"bo"},"operation":"y"}',
    ]);
  });
});
