// Differential testing: generated grants, settings and requests across every operation, decided four ways on the
// same Rego: the policy alone in WASM (msq/authz/decision, matching in Rego), the decision point's WASM engine
// (msq/authz/shape and msq/authz/caller, grants matched with IndexedGrants, msq/authz/finalize; once, and again
// from what it remembered), the Casbin engine, and OPA's Go evaluator. All four must agree on every decision.
// `make test` runs DIFF_RUNS (default 20,000) samples; `make fuzz` runs 1,000,000 in batches.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundle } from "../src/bundle/load.js";
import { CasbinGrantMatcher, createCasbinEnforcer } from "../src/grants/casbin.js";
import { matchedEngine, policyEngine } from "../src/policy/engine.js";
import { DEFAULT_PLAN_CACHE_BYTES, PlanMemo } from "../src/policy/plan-memo.js";
import { WasmPolicy, entrypoints } from "../src/policy/wasm-policy.js";
import { IndexedGrants } from "../src/grants/indexed.js";
import { validateDecision } from "../src/schemas/validate.js";
import { checkGrants, grantPatterns } from "../src/grants.js";
import { policyInput } from "../src/policy-input.js";
import { checkSettings } from "../src/settings.js";
import type { DecisionRequest, Grants, PolicyDecision, Settings } from "../src/types.js";
import { root } from "./support.js";

const runs = Number(process.env.DIFF_RUNS ?? 20_000);
const batch = 5_000;
const seed = Number(process.env.DIFF_SEED ?? 20261121);

const names = ["wiki", "wikipedia", "wiki_edits", "logs", "__query_select", "__query_export", "EXTERNAL", "STATE", "http", "s3", "local", "inline", "segments", "maxNumTasks", "priority", "lk"];
const patterns = [...names, ".*", "wiki.*", "wiki|logs", "[a-z_]+", "__query_.*", "w.k.", "wiki\\.x", "(wiki|logs)_.*", "s[0-9]?", "x^y", "[A-Z]+", "log(s|_old)", "m.*Tasks"];
const types = ["DATASOURCE", "EXTERNAL", "STATE", "VIEW", "SYSTEM_TABLE", "QUERY_CONTEXT", "LOOKUP", "CONFIG"];
const users = ["ana", "ben", "cy"];
const roles = ["r1", "r2", "r3", "r4"];

const grantsArb: fc.Arbitrary<Grants> = fc.record({
  users: fc.record(Object.fromEntries(users.map((u) => [u, fc.record({ roles: fc.subarray(roles) })]))),
  roles: fc.record(
    Object.fromEntries(
      roles.map((r) => [
        r,
        fc.record({
          permissions: fc.array(
            fc.record({
              resource: fc.record({ name: fc.constantFrom(...patterns), type: fc.constantFrom(...types) }),
              action: fc.constantFrom("READ", "WRITE", "read"),
            }),
            { maxLength: 8 },
          ),
        }),
      ]),
    ),
  ),
}) as fc.Arbitrary<Grants>;

const settingsArb: fc.Arbitrary<Settings> = fc
  .record(
    {
      druidVersion: fc.constantFrom("24.0.0", "26.0.0", "27.0.0", "28.0.0", "29.0.0", "33.0.0", "35.0.0", "36.0.0"),
      "druid.auth.enableInputSourceSecurity": fc.constantFrom(true, false, "true"),
      "druid.auth.authorizeQueryContextParams": fc.boolean(),
      "druid.auth.unsecuredContextKeys": fc.subarray(["maxNumTasks", "priority"]),
      "druid.auth.securedContextKeys": fc.subarray(["maxNumTasks", "priority", "sqlTimeZone"]),
      "druid.sql.planner.authorizeSystemTablesDirectly": fc.boolean(),
      "druid.sql.planner.authorizeLookupDirectly": fc.boolean(),
      "druid.msq.intermediate.storage.enable": fc.boolean(),
      "druid.extensions.loadList": fc.constantFrom(["druid-multi-stage-query"], ["druid-s3-extensions"]),
      "msqAuthz.taskCancelRequires": fc.constantFrom("READ", "WRITE"),
    },
    { requiredKeys: ["druidVersion"] },
  ) as fc.Arbitrary<Settings>;

const statementArb = fc.record(
  {
    type: fc.constantFrom("SELECT", "INSERT", "REPLACE", "EXPORT"),
    target: fc.constantFrom(...names),
    reads: fc.array(fc.record({ type: fc.constantFrom("DATASOURCE", "VIEW", "SYSTEM_TABLE", "INFORMATION_SCHEMA", "LOOKUP"), name: fc.constantFrom(...names) }), { maxLength: 4 }),
    external: fc.subarray(["http", "s3", "local", "inline", "combining", "delta", "ftp"]),
    tableFunctions: fc.array(fc.record({ name: fc.constantFrom("http", "inline", "localfiles", "s3", "ftp"), extend: fc.boolean() }), { maxLength: 2 }),
    exportDestination: fc.constantFrom("s3", "google", "local", "azure"),
    exportProperties: fc.constantFrom({ bucket: "b", prefix: "p" }, { exportPath: "/tmp/x" }),
    set: fc.dictionary(fc.constantFrom("maxNumTasks", "priority", "sqlTimeZone", "isReindex"), fc.integer()),
  },
  { requiredKeys: ["type"] },
);

const requestArb: fc.Arbitrary<DecisionRequest> = fc.record(
  {
    identity: fc.oneof(fc.constant({ authenticated: false }), fc.record({ authenticated: fc.constant(true), user: fc.constantFrom(...users, "zed") })),
    operation: fc.constantFrom(
      "sql.query", "sql.task.submit", "sql.task.enabled", "sql.statements.submit", "sql.statements.get", "sql.statements.results",
      "sql.statements.cancel", "task.status", "task.payload", "task.reports", "task.log", "task.cancel", "task.submit", "tasks.list",
      "tasks.status.bulk",
    ),
    statement: statementArb,
    context: fc.dictionary(fc.constantFrom("maxNumTasks", "priority", "executionMode", "selectDestination", "sqlQueryId", "sqlOuterLimit"), fc.constantFrom("ASYNC", "durableStorage", 3, true)),
    task: fc.record(
      { id: fc.constant("q1"), datasource: fc.constantFrom(...names), user: fc.constantFrom(...users), type: fc.constantFrom("query_controller", "index_parallel"), status: fc.constantFrom("RUNNING", "SUCCESS", "FAILED") },
      { requiredKeys: ["id"] },
    ),
    datasource: fc.constantFrom(...names),
    tasks: fc.array(fc.record({ id: fc.constantFrom("a", "b", "c"), datasource: fc.constantFrom(...names) }), { maxLength: 3 }),
  },
  { requiredKeys: ["identity", "operation"] },
) as fc.Arbitrary<DecisionRequest>;

interface Sample {
  grants: Grants;
  settings: Settings;
  input: DecisionRequest;
}

function samples(count: number, offset: number): Sample[] {
  return fc
    .sample(fc.tuple(grantsArb, settingsArb, requestArb), { numRuns: count, seed: seed + offset })
    .flatMap(([grants, settings, request]) => {
      const prepared = policyInput(request);
      return "input" in prepared ? [{ grants: checkGrants(grants), settings: checkSettings(settings), input: prepared.input }] : [];
    });
}

function opaGo(batchSamples: Sample[]): PolicyDecision[] {
  const dir = mkdtempSync(join(tmpdir(), "msq-authz-diff-"));
  // As a stock OPA agent gets them from a built bundle: the grants and their patterns' RE2 translations.
  const probes = batchSamples.map((sample) => ({ ...sample, grant_patterns: grantPatterns(sample.grants) }));
  writeFileSync(join(dir, "probes.json"), JSON.stringify({ msq_probes: probes }));
  const probe = "data.msq_probes[i]";
  const output = execFileSync(
    join(root, ".tools/bin/opa"),
    ["eval", "--format", "json", "--ignore", "*_test.rego", "-d", join(root, "policies/rego"), "-d", join(dir, "probes.json"),
      `some i; ${probe}; d := data.msq.authz.decision with input as ${probe}.input with data.grants as ${probe}.grants with data.grant_patterns as ${probe}.grant_patterns with data.settings as ${probe}.settings`],
    { encoding: "utf8", maxBuffer: 1 << 30 },
  );
  rmSync(dir, { recursive: true, force: true });
  const decisions: PolicyDecision[] = [];
  for (const { bindings } of (JSON.parse(output) as { result: { bindings: { i: number; d: PolicyDecision } }[] }).result) decisions[bindings.i] = bindings.d;
  return decisions;
}

describe("WASM, Casbin and OPA's Go evaluator", () => {
  it(`agree on ${runs.toLocaleString("en-US")} generated grants, settings and requests`, async () => {
    const policy = await WasmPolicy.load(await loadBundle(), {}, {});
    let compared = 0;
    for (let offset = 0; offset < runs; offset += batch) {
      const batchSamples = samples(Math.min(batch, runs - offset), offset);
      const go = opaGo(batchSamples);
      for (const [index, sample] of batchSamples.entries()) {
        policy.setGrants(sample.grants, sample.settings);
        const byRego = policy.evaluate<PolicyDecision>(entrypoints.decision, sample.input);
        // The staged engine twice on one memo: the second decision takes the remembered shape and caller.
        const staged = policyEngine(policy, IndexedGrants.of(sample.grants), new PlanMemo(DEFAULT_PLAN_CACHE_BYTES));
        const byWasm = await staged.decide(sample.input);
        const remembered = await staged.decide(sample.input);
        const byCasbin = await matchedEngine(policy, new CasbinGrantMatcher(await createCasbinEnforcer(sample.grants)), new PlanMemo(0)).decide(sample.input);
        // The decision point does not check the policy's answers against the decision schema: this test does.
        expect(validateDecision({ ...byWasm, engine: "wasm", revision: "r" }), JSON.stringify(validateDecision.errors)).toBe(true);
        const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
        if (!same(byWasm, byRego) || !same(byWasm, remembered) || !same(byWasm, byCasbin) || !same(byWasm, go[index])) {
          expect({ sample, rego: byRego, remembered, casbin: byCasbin, go: go[index] }).toEqual({ sample, rego: byWasm, remembered: byWasm, casbin: byWasm, go: byWasm });
        }
        compared += 1;
      }
    }
    console.log(`differential: ${compared} decisions compared four ways, 0 disagreements`);
    expect(compared).toBeGreaterThan(runs * 0.6); // the rest are refused before the policy runs (schema)
  }, 0);
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
