// data.grant_index is a layout of the grants for fast lookup; the policy must answer exactly as it does scanning
// data.grants. Checked on generated grants, through the WASM policy with and without the index.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantIndex } from "../src/grants.js";
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

describe("the policy with and without the index", () => {
  const name = fc.constantFrom("wiki", "wikipedia", "wiki_edits", "logs", "logs1", "a.b", "a+b", "aab", "__proto__", "x");
  const pattern = fc.oneof(name, fc.constantFrom("wiki.*", "logs[0-9]*", "a.b", "a+b", "(wiki|logs)", ".*", "w.*a", "x|y"));
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
        scanned.setData({ grants, settings: {} });
        indexed.setData({ grants, grant_index: grantIndex(grants as unknown as Grants), settings: {} });
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
