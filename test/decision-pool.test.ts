// A decision pool (src/pool): decisions made in worker threads answer as a decision point of one's own does, a long
// decision holds up only its own worker, swaps reach every worker or none, and the caches are the pool's sum. The
// pool runs from dist/ (the slow project builds it): its workers are the built pool-worker.js.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { worstCases } from "../bench/worst-cases.mjs";
import { type PolicyBundle, loadBundle } from "../src/bundle/load.js";
import { MAX_REQUEST_BYTES, createDecisionPoint } from "../src/decision-point.js";
import type { DecisionPool } from "../src/pool/decision-pool.js";
import { requestSchema } from "../src/schemas/validate.js";
import { loadCases, readJson, root } from "./support.js";

const { createDecisionPool } = (await import(join(root, "dist/pool/decision-pool.js"))) as typeof import("../src/pool/decision-pool.js");

const cases = loadCases();
const grants = readJson(join(root, "examples/grants.json")) as object;
const alice = { authenticated: true, user: "alice" };
const small = { identity: alice, operation: "sql.task.submit", sql: "SELECT * FROM wiki" };

describe("a decision pool", () => {
  let bundle: PolicyBundle;
  let pool: DecisionPool;
  beforeAll(async () => {
    bundle = await loadBundle();
    pool = await createDecisionPool({ bundle, grants }, 2);
  });
  afterAll(() => pool.close());

  it("gives every case's decision, as a decision point of one's own gives it", async () => {
    const scenarios = [...new Set(cases.map((c) => c.scenario))];
    let compared = 0;
    for (const scenario of scenarios) {
      const some = cases.filter((c) => c.scenario === scenario);
      const first = some[0] as (typeof some)[number];
      const options = { bundle, grants: first.grants, settings: first.settings };
      const [own, pooled] = await Promise.all([createDecisionPoint(options), createDecisionPool(options, 2)]);
      try {
        for (const c of some.filter((other) => JSON.stringify([other.grants, other.settings]) === JSON.stringify([first.grants, first.settings]))) {
          expect(await pooled.decide(c.request)).toEqual(await own.decide(c.request));
          expect(await pooled.decideJson(JSON.stringify(c.request))).toEqual(await own.decideJson(JSON.stringify(c.request)));
          compared += 1;
        }
      } finally {
        await pooled.close();
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 120_000);

  it("answers a small request while its other worker decides the most expensive one the limits allow", async () => {
    const [worst] = worstCases(requestSchema, MAX_REQUEST_BYTES);
    const expensive = await createDecisionPool({ bundle, grants: worst?.grants, settings: worst?.settings }, 2);
    try {
      const order: string[] = [];
      const large = expensive.decideJson(JSON.stringify(worst?.request(0))).then((d) => order.push(`large ${d.code}`));
      const quick = expensive.decide({ identity: { authenticated: true, user: "caller" }, operation: "sql.task.enabled" }).then((d) => order.push(`small ${d.code}`));
      await Promise.all([large, quick]);
      expect(order).toEqual(["small ok", "large ok"]);
    } finally {
      await expensive.close();
    }
  });

  it("swaps every worker to a new revision, or none when the bundle does not load", async () => {
    const before = pool.revision;
    await expect(pool.swap({ ...bundle, source: "broken", wasm: new Uint8Array([0, 97, 115, 109]) })).rejects.toThrow(/policy\.wasm does not load/u);
    expect(pool.revision).toBe(before);
    const decisions = await Promise.all(Array.from({ length: 8 }, () => pool.decide(small)));
    expect(new Set(decisions.map((d) => d.revision))).toEqual(new Set([before]));
    await pool.swap({ ...bundle, manifest: { ...bundle.manifest, revision: "pool-next" } });
    expect(pool.revision).toBe("pool-next");
    const after = await Promise.all(Array.from({ length: 8 }, () => pool.decide(small)));
    expect(after.map((d) => [d.revision, d.code])).toEqual(Array.from({ length: 8 }, () => ["pool-next", "ok"]));
  });

  it("replaces a worker that dies: what it was deciding is an engine error, and the next decision is answered", async () => {
    // 16 MiB of heap starts a worker but cannot hold the largest task list the limits allow.
    const [worst] = worstCases(requestSchema, MAX_REQUEST_BYTES);
    const tight = await createDecisionPool({ bundle, grants: worst?.grants }, 1, { heapMiB: 16 });
    try {
      const died = await tight.decideJson(JSON.stringify(worst?.request(0)));
      expect(died).toMatchObject({ allow: false, status: 500, code: "engine_error", reasons: [expect.stringMatching(/^ENGINE: a pool worker (failed|exited)/u)] });
      let next = await tight.decide({ identity: { authenticated: true, user: "caller" }, operation: "sql.task.enabled" });
      // The replacement starts in the background: until it is ready, the dead worker answers engine errors.
      for (let wait = 0; wait < 100 && next.code === "engine_error"; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        next = await tight.decide({ identity: { authenticated: true, user: "caller" }, operation: "sql.task.enabled" });
      }
      expect(next).toMatchObject({ allow: true, code: "ok", revision: bundle.manifest.revision });
    } finally {
      await tight.close();
    }
  });

  it("answers Druid's authorizer, counts its workers' caches together, and refuses what cannot cross to a worker", async () => {
    const message = { authenticationResult: { identity: "alice" }, action: "READ", resource: { name: "wiki", type: "DATASOURCE" } };
    expect(await pool.druidAllow(message)).toEqual({ result: true, revision: pool.revision });
    expect(await pool.druidAllow({ ...message, resource: { name: "secret", type: "DATASOURCE" } })).toEqual({ result: false, revision: pool.revision });
    const caches = Object.fromEntries(pool.caches().map(({ cache, entries, bytes }) => [cache, { entries, bytes }]));
    expect(caches.checks?.entries).toBe(2);
    expect(caches.decisions?.bytes).toBeGreaterThan(0);
    expect(await pool.decide({ identity: alice, operation: () => "tasks.list" })).toMatchObject({ allow: false, status: 400, code: "invalid_request" });
    expect(pool.decideSync(small)).toMatchObject({ allow: false, status: 500, code: "engine_error" });
  });
});
