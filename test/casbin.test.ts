// The Casbin side: the grant mapping, full-match semantics, a team's own policy file, and failures.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FileAdapter, newEnforcer, type Enforcer } from "casbin";
import { describe, expect, it } from "vitest";
import { createDecisionPoint } from "../src/decision-point.js";
import { casbinModelPath, fullMatchFunction, grantsToCasbinPolicy } from "../src/grants/casbin.js";
import { engineErrorDecision, pointFor, readJson, root } from "./support.js";

const exampleGrants = readJson(join(root, "examples/grants.json"));
const examplePolicy = join(root, "policies/casbin/msq_rbac_policy.csv");
const exampleRequests = readFileSync(join(root, "examples/requests.jsonl"), "utf8")
  .trimEnd()
  .split("\n")
  .flatMap((line) => {
    try {
      return [JSON.parse(line) as unknown];
    } catch {
      return [];
    }
  });

describe("fullMatch", () => {
  const fullMatch = fullMatchFunction();
  // Patterns are Java's, as Druid reads them; where RE2 would read them otherwise, Java's meaning wins.
  it.each([
    ["wikipedia", "wiki", false],
    ["wiki", "wiki.*", true],
    ["wiki", "wiki", true],
    ["my_wiki", "wiki.*", false],
    ["wiki_edits", "wiki_.*|logs", true],
    ["logs", "wiki_.*|logs", true],
    ["logs2", "wiki_.*|logs", false],
    ["a\nb", "a.b", false],
    ["a\rb", "a.b", false],
    ["a\u2028b", "a.b", false],
    ["secret", "[[:alnum:]_]+", false],
    ["alnum_", "[[:alnum:]_]+", true],
    ["KAFKA", "(?i)kafka", true],
    ["\u212aafka", "(?i)kafka", false],
    ["wiki", "[a-z&&[^e]]+", true],
    ["secret", "[a-z&&[^e]]+", false],
    ["wiki.*", "\\Qwiki.*", true],
    ["wikipedia", "\\Qwiki.*", false],
    ["logs_A", "logs_\\0101", true],
    ["wiki", "{1}wiki", true],
    ["anything", "(", false],
    ["anything", "(?=a).*", false],
  ])("%j against %j is %s", (name, pattern, expected) => {
    expect(fullMatch(name, pattern)).toBe(expected);
  });
});

describe("grantsToCasbinPolicy", () => {
  it("is the example policy file for the example grants", () => {
    const { policies, groupings } = grantsToCasbinPolicy(exampleGrants as never);
    const lines = [...policies.map((p) => `p, ${p.join(", ")}`), ...groupings.map((g) => `g, ${g.join(", ")}`)];
    const file = readFileSync(examplePolicy, "utf8")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(lines).toEqual(file);
  });

  it("keeps users and roles of the same name apart, and upper-cases actions as Druid does", () => {
    expect(
      grantsToCasbinPolicy({
        users: { ops: { roles: ["ops", "ops"] } },
        roles: { ops: { permissions: [{ resource: { name: "x", type: "STATE" }, action: "read" }] } },
      }),
    ).toEqual({ policies: [["role:ops", "STATE", "x", "READ"]], groupings: [["user:ops", "role:ops"]] });
  });
});

describe("a team's own Casbin policy file", () => {
  it("decides the example requests exactly as the WASM engine does on the same grants", async () => {
    const enforcer = await newEnforcer(casbinModelPath, new FileAdapter(examplePolicy));
    await enforcer.addFunction("fullMatch", fullMatchFunction());
    const fromFile = await createDecisionPoint({ engine: "casbin", enforcer, grants: {} });
    const wasm = await pointFor("wasm", exampleGrants);
    expect(exampleRequests.length).toBeGreaterThan(15);
    for (const request of exampleRequests) {
      expect({ ...(await fromFile.decide(request)), engine: "wasm" }).toEqual(await wasm.decide(request));
    }
  });
});

describe("failures inside Casbin", () => {
  it("are an engine_error decision, never an allow", async () => {
    const broken = {
      getRolesForUser: () => Promise.reject(new Error("database is down")),
    } as unknown as Enforcer;
    const point = await createDecisionPoint({ engine: "casbin", enforcer: broken });
    expect(
      await point.decide({
        identity: { authenticated: true, user: "alice" },
        operation: "sql.task.submit",
        statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "wiki" }] },
      }),
    ).toEqual(engineErrorDecision("casbin failed: database is down", point));
  });
});
