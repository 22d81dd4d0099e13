// Differential test: the WASM policy (what the decision point runs) against OPA's Go evaluator on the same Rego
// (what a stock OPA agent serving the bundle runs), over every decision case, the SQL corpus and the examples.
// Both must produce the same decision, field for field.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { grantPatterns } from "../src/grants.js";
import { policyInput } from "../src/policy-input.js";
import type { Decision, Grants } from "../src/types.js";
import { loadCases, pointFor, readJson, root } from "./support.js";

interface Probe {
  name: string;
  request: unknown;
  grants: unknown;
  settings: unknown;
}

const superuser = {
  users: { root: { roles: ["superuser"] } },
  roles: {
    superuser: {
      permissions: ["DATASOURCE", "VIEW", "SYSTEM_TABLE", "QUERY_CONTEXT", "EXTERNAL", "STATE", "LOOKUP"].flatMap((type) =>
        ["READ", "WRITE"].map((action) => ({ resource: { name: ".*", type }, action })),
      ),
    },
  },
};

function probes(): Probe[] {
  const fromCases = loadCases().map((c) => ({ name: `${c.scenario}/${c.outcome}/${c.file}`, ...c }));
  const corpusDir = join(root, "test/sql-corpus");
  const fromCorpus = readdirSync(corpusDir)
    .filter((file) => file.endsWith(".json") && file !== "known-misses.json")
    .flatMap((file) =>
      (readJson(join(corpusDir, file)) as { cases: { name: string; sql: string; settings: object; context: object; parameters: unknown[] }[] }).cases.map((c) => ({
        name: `${file}#${c.name}`,
        request: {
          identity: { authenticated: true, user: "root" },
          operation: "sql.task.submit",
          sql: c.sql,
          ...(Object.keys(c.context).length > 0 ? { context: c.context } : {}),
          ...(c.parameters.length > 0 ? { parameters: c.parameters } : {}),
        },
        grants: superuser,
        settings: { druidVersion: "36.0.0", ...c.settings },
      })),
    );
  const exampleGrants = readJson(join(root, "examples/grants.json"));
  const fromExamples = ["requests.jsonl", "requests-hardened.jsonl"].flatMap((file) =>
    readFileSync(join(root, "examples", file), "utf8")
      .trimEnd()
      .split("\n")
      .flatMap((line, index) => {
        try {
          return [{ name: `examples/${file}:${index + 1}`, request: JSON.parse(line) as unknown, grants: exampleGrants, settings: {} }];
        } catch {
          return [];
        }
      }),
  );
  return [...fromCases, ...fromCorpus, ...fromExamples];
}

/** Every probe the policy itself sees (the decision point refuses the others before the policy runs). */
const evaluated = probes().flatMap((probe) => {
  const prepared = policyInput(probe.request);
  return "input" in prepared ? [{ ...probe, input: prepared.input }] : [];
});

let goDecisions: Decision[] = [];

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "msq-authz-opa-"));
  const dataFile = join(dir, "probes.json");
  // The grants with their patterns' RE2 translations, as a bundle built for a stock OPA agent carries them.
  const probes = evaluated.map(({ input, grants, settings }) => ({ input, grants, grant_patterns: grantPatterns(grants as Grants), settings }));
  writeFileSync(dataFile, JSON.stringify({ msq_probes: probes }));
  // One row per probe (bindings i and d). Inside a comprehension, `with input as p.input` left input unset in
  // OPA 1.22.2, so the probes are enumerated by the query itself.
  const probe = "data.msq_probes[i]";
  const query =
    `some i; ${probe}; d := data.msq.authz.decision with input as ${probe}.input ` +
    `with data.grants as ${probe}.grants with data.grant_patterns as ${probe}.grant_patterns with data.settings as ${probe}.settings`;
  const output = execFileSync(
    join(root, ".tools/bin/opa"),
    // The Rego sources: the copies inside a wasm bundle are compiler output (metadata comments stripped).
    ["eval", "--format", "json", "--ignore", "*_test.rego", "-d", join(root, "policies/rego"), "-d", dataFile, query],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const rows = (JSON.parse(output) as { result?: { bindings: { i: number; d: Decision } }[] }).result ?? [];
  goDecisions = [];
  for (const { bindings } of rows) goDecisions[bindings.i] = bindings.d;
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("the WASM policy and OPA's Go evaluator", () => {
  it("evaluate the same probes", () => {
    expect(evaluated.length).toBeGreaterThan(400);
    expect(goDecisions).toHaveLength(evaluated.length);
  });

  it.each(evaluated.map((probe, index) => [probe.name, index] as const))("agree on %s", async (_, index) => {
    const probe = evaluated[index];
    if (!probe) throw new Error(`no probe ${index}`);
    const point = await pointFor("wasm", probe.grants, probe.settings);
    const { engine: _engine, revision: _revision, ...wasm } = await point.decide(probe.request);
    expect(goDecisions[index]).toEqual(wasm);
  });
});
