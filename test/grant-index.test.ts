// data.grant_index is a layout of the grants for fast lookup; the policy must answer exactly as it does scanning
// data.grants. Checked on generated grants, through the WASM policy with and without the index.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantIndex, grantPatterns } from "../src/grants.js";
import type { Grants } from "../src/types.js";
import { root } from "./support.js";

const runs = Number(process.env.FUZZ_RUNS ?? 3000) / 10;
const wasm = readFileSync(join(root, "bundles/msq-authz/policy.wasm"));

describe("grantIndex", () => {
  it("lays a role's permissions out by type and action, literals apart from patterns, with their positions", () => {
    const grants: Grants = {
      roles: {
        a_role: {
          permissions: [
            { resource: { name: "wiki.*", type: "DATASOURCE" }, action: "READ" },
            { resource: { name: "wiki", type: "DATASOURCE" }, action: "read" },
            { resource: { name: "logs", type: "DATASOURCE" }, action: "READ" },
            { resource: { name: "l.gs", type: "DATASOURCE" }, action: "READ" },
            { resource: { name: "__proto__", type: "__proto__" }, action: "WRITE" },
          ],
        },
      },
    };
    // The same layout as the Rego unit test's ordered_index (policies/rego/msq/grants/grants_test.rego).
    // (JSON.parse, because a __proto__ key in an object literal would set the prototype instead)
    expect(JSON.parse(JSON.stringify(grantIndex(grants)))).toEqual(
      JSON.parse(`{"roles": {"a_role": {
        "DATASOURCE": {"READ": {"literals": {"wiki": 1, "logs": 2}, "patterns": [[0, "wiki.*"], [3, "l.gs"]]}},
        "__proto__": {"WRITE": {"literals": {"__proto__": 4}, "patterns": []}}}}}`),
    );
    expect(({} as Record<string, unknown>).WRITE).toBeUndefined(); // nothing leaked into Object.prototype
  });
});

describe("grantPatterns", () => {
  it("maps each pattern that is more than a literal name to its RE2 translation, once", () => {
    const permission = (name: string) => ({ resource: { name, type: "DATASOURCE" }, action: "READ" });
    const patterns = ["logs_.*", "wiki.*", "wiki|metrics", ".*", "l.gs", "[[:alnum:]_]+", "(?i)kafka"];
    const table = grantPatterns({ roles: { a: { permissions: [...patterns, "wiki", "logs"].map(permission) }, b: { permissions: [permission(".*")] } } });
    // The table the Rego unit tests give the policy (policies/rego/msq/grants/grants_test.rego, `translated`).
    expect({ ...table }).toEqual({
      "logs_.*": "logs_[^\\n\\r\\x{85}\\x{2028}\\x{2029}]*",
      "wiki.*": "wiki[^\\n\\r\\x{85}\\x{2028}\\x{2029}]*",
      "wiki|metrics": "wiki|metrics",
      ".*": "[^\\n\\r\\x{85}\\x{2028}\\x{2029}]*",
      "l.gs": "l[^\\n\\r\\x{85}\\x{2028}\\x{2029}]gs",
      "[[:alnum:]_]+": "[\\:_al-nu]+",
      "(?i)kafka": "[Kk][Aa][Ff][Kk][Aa]",
    });
  });
});

describe("the policy with and without the index", () => {
  const name = fc.constantFrom("wiki", "wikipedia", "wiki_edits", "logs", "logs1", "a.b", "a+b", "aab", "__proto__", "x");
  const pattern = fc.oneof(name, fc.constantFrom("wiki.*", "logs[0-9]*", "a.b", "a+b", "(wiki|logs)", ".*", "w.*a", "x|y", "[[:alpha:]_]+", "(?i)WIKI"));
  const permission = fc.record({
    resource: fc.record({ name: pattern, type: fc.constantFrom("DATASOURCE", "EXTERNAL") }),
    action: fc.constantFrom("READ", "WRITE", "read"),
  });
  const grantsArb = fc.record({
    users: fc.constant({ u: { roles: ["r1", "r2", "r3"] } }),
    roles: fc.record({ r1: fc.record({ permissions: fc.array(permission, { maxLength: 8 }) }), r2: fc.record({ permissions: fc.array(permission, { maxLength: 8 }) }) }),
  });
  const read = fc.record({ type: fc.constantFrom("DATASOURCE", "EXTERNAL"), name, action: fc.constantFrom("READ", "WRITE") });

  it("gives the same decision on generated grants", async () => {
    const [scanned, indexed] = await Promise.all([loadPolicy(wasm), loadPolicy(wasm)]);
    fc.assert(
      fc.property(grantsArb, fc.array(read, { minLength: 1, maxLength: 4 }), (grants, reads) => {
        const grant_patterns = grantPatterns(grants as unknown as Grants);
        scanned.setData({ grants, grant_patterns, settings: {} });
        indexed.setData({ grants, grant_index: grantIndex(grants as unknown as Grants), grant_patterns, settings: {} });
        const request = {
          identity: { authenticated: true, user: "u" },
          operation: "sql.task.submit",
          statement: { type: "SELECT", reads: reads.filter((r) => r.type === "DATASOURCE").map((r) => ({ type: "DATASOURCE", name: r.name })) },
        };
        expect(indexed.evaluate(request, "msq/authz/decision")).toEqual(scanned.evaluate(request, "msq/authz/decision"));
      }),
      { numRuns: runs },
    );
  });
});
