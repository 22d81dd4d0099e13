// Malformed requests are a 400 decision naming the field, from both engines: never an allow, never a throw.
import { describe, expect, it } from "vitest";
import { loadBundle } from "../src/bundle/load.js";
import { MAX_REQUEST_BYTES } from "../src/decision-point.js";
import { checkGrants } from "../src/grants.js";
import { WasmPolicy, entrypoints } from "../src/policy/wasm-policy.js";
import { requestSchema } from "../src/schemas/validate.js";
import { engines, pointFor } from "./support.js";

const alice = { authenticated: true, user: "alice" };
const select = { type: "SELECT", reads: [{ type: "DATASOURCE", name: "wiki" }] };
const grants = {
  users: { alice: { roles: ["all"] } },
  roles: { all: { permissions: [{ resource: { name: ".*", type: "DATASOURCE" }, action: "READ" }] } },
};

/** `levels` arrays, one inside the other. */
const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);

const invalid: [string, unknown, string[]][] = [
  ["a JSON array", [1, 2], ["/: must be object"]],
  ["a string", "sql.task.submit", ["/: must be object"]],
  ["null", null, ["/: must be object"]],
  ["no identity", { operation: "sql.task.enabled" }, ["/: missing field 'identity'"]],
  ["an unknown operation", { identity: alice, operation: "sql.drop" }, [
    '/operation: must be equal to one of the allowed values ("sql.query", "sql.task.submit", "sql.task.enabled", ' +
      '"sql.statements.submit", "sql.statements.get", "sql.statements.results", "sql.statements.cancel", ' +
      '"task.status", "task.payload", "task.reports", "task.log", "task.cancel", "task.submit", "tasks.list", ' +
      '"tasks.status.bulk")',
  ]],
  ["an unknown top-level field", { identity: alice, operation: "sql.task.enabled", admin: true }, ["/: unknown field 'admin'"]],
  ["an unknown statement field", { identity: alice, operation: "sql.task.submit", statement: { ...select, as: "x" } }, [
    "/statement: unknown field 'as'",
  ]],
  ["a __proto__ key at the top", JSON.parse('{"identity":{"authenticated":true,"user":"alice"},"operation":"sql.task.enabled","__proto__":{"allow":true}}'), [
    "/: unknown field '__proto__'",
  ]],
  ["a __proto__ context key", JSON.parse('{"identity":{"authenticated":true,"user":"alice"},"operation":"sql.task.submit","statement":{"type":"SELECT"},"context":{"__proto__":{"allow":true}}}'), [
    "/context: key '__proto__' is not allowed",
  ]],
  ["a constructor SET key", { identity: alice, operation: "sql.task.submit", statement: { type: "SELECT", set: { constructor: 1 } } }, [
    "/statement/set: key 'constructor' is not allowed",
  ]],
  ["authenticated as a string", { identity: { authenticated: "true", user: "alice" }, operation: "sql.task.enabled" }, [
    "/identity/authenticated: must be boolean",
  ]],
  ["an authenticated identity without a user", { identity: { authenticated: true }, operation: "sql.task.enabled" }, [
    "/identity: missing field 'user'",
  ]],
  ["reads as an object", { identity: alice, operation: "sql.task.submit", statement: { type: "SELECT", reads: { name: "wiki" } } }, [
    "/statement/reads: must be array",
  ]],
  ["a read of an unknown type", { identity: alice, operation: "sql.task.submit", statement: { type: "SELECT", reads: [{ type: "TABLE", name: "wiki" }] } }, [
    '/statement/reads/0/type: must be equal to one of the allowed values ("DATASOURCE", "VIEW", "SYSTEM_TABLE", "INFORMATION_SCHEMA", "LOOKUP")',
  ]],
  ["INSERT without a target", { identity: alice, operation: "sql.task.submit", statement: { type: "INSERT" } }, [
    "/statement: missing field 'target'",
  ]],
  ["EXPORT without a destination", { identity: alice, operation: "sql.task.submit", statement: { type: "EXPORT" } }, [
    "/statement: missing field 'exportDestination'",
  ]],
  ["a submission without a statement", { identity: alice, operation: "sql.task.submit" }, ["/: missing field 'statement' or 'sql'"]],
  ["a task operation without a task", { identity: alice, operation: "task.status" }, ["/: missing field 'task'"]],
  ["an empty datasource name", { identity: alice, operation: "tasks.list", datasource: "" }, [
    "/datasource: must NOT have fewer than 1 characters",
  ]],
  ["a very long name", { identity: alice, operation: "tasks.list", datasource: "x".repeat(1025) }, [
    "/datasource: must NOT have more than 1024 characters",
  ]],
  ["a task status Druid does not have", { identity: alice, operation: "task.status", task: { id: "t", datasource: "wiki", status: "DONE" } }, [
    '/task/status: must be equal to one of the allowed values ("ACCEPTED", "PENDING", "WAITING", "RUNNING", "SUCCESS", "FAILED")',
  ]],
  ["a lone surrogate in the SQL", { identity: alice, operation: "sql.task.submit", sql: 'SELECT * FROM "a\ud83d"' }, [
    "/sql: not well-formed Unicode (a lone surrogate)",
  ]],
  ["a lone surrogate in a context key", { identity: alice, operation: "sql.task.submit", statement: select, context: { "k\udc00": 1 } }, [
    "/context/k\udc00: not well-formed Unicode (a lone surrogate)",
  ]],
  ["a context value nested too deep", { identity: alice, operation: "sql.task.submit", statement: select, context: { x: nested(31) } }, [
    `/context/x${"/0".repeat(30)}: nested deeper than 32 levels`,
  ]],
  ["a value JSON cannot hold", { identity: alice, operation: "sql.task.submit", statement: select, context: { x: 1n } }, [
    "/: not serializable as JSON: Do not know how to serialize a BigInt",
  ]],
  ["both raw SQL and a statement", { identity: alice, operation: "sql.task.submit", sql: "SELECT * FROM wiki", statement: select }, [
    "/: give either 'sql' or a pre-analyzed 'statement', not both",
  ]],
];

// The Casbin engine refuses groups outright (its grant store maps users, not LDAP groups).
it("refuses more groups than the schema allows, in the schema and in the policy alike", async () => {
  const point = await pointFor("wasm", grants);
  const limit = (requestSchema.properties.identity as { properties: { groups: { maxItems: number } } }).properties.groups.maxItems;
  const groups = (n: number) => Array.from({ length: n }, (_, i) => `cn=g${i},dc=x`);
  const request = (n: number) => ({ identity: { ...alice, groups: groups(n) }, operation: "sql.task.enabled" });
  expect((await point.decide(request(limit))).code).toBe("ok");
  expect((await point.decide(request(limit + 1))).reasons).toEqual([`INPUT (Request shape): /identity/groups: must NOT have more than ${limit} items`]);
  // What a stock OPA agent serving the policy answers, with no schema before it.
  const policy = await WasmPolicy.load(await loadBundle(), checkGrants(grants, "grants"), {});
  expect(policy.evaluate(entrypoints.decision, request(limit + 1))).toMatchObject({
    code: "invalid_request",
    reasons: [`INPUT (Request shape): identity.groups names more than ${limit} groups`],
  });
});

describe.each(engines)("invalid requests (%s engine)", (engine) => {
  it.each(invalid)("%s is a 400 naming the field", async (_, request, details) => {
    const point = await pointFor(engine, grants);
    expect(await point.decide(request)).toEqual({
      allow: false,
      status: 400,
      code: "invalid_request",
      required: [],
      missing: [],
      matched: [],
      reasons: details.map((detail) => `INPUT (Request shape): ${detail}`),
      engine,
      revision: point.revision,
    });
  });

  it("decides a context value at the nesting limit", async () => {
    const point = await pointFor(engine, grants);
    const flat = await point.decide({ identity: alice, operation: "sql.task.submit", statement: select, context: { x: 1 } });
    expect(flat.allow).toBe(true);
    expect(await point.decide({ identity: alice, operation: "sql.task.submit", statement: select, context: { x: nested(30) } })).toEqual(flat);
  });

  it("decides a statement at the read limit, and refuses SQL that names more", async () => {
    const point = await pointFor(engine, grants);
    const tables = (count: number): string => Array.from({ length: count }, (_, i) => `"t${i}"`).join(", ");
    const atLimit = await point.decide({ identity: alice, operation: "sql.task.submit", sql: `SELECT * FROM ${tables(64)}` });
    expect([atLimit.allow, atLimit.required.length, atLimit.matched.length, atLimit.reasons.length]).toEqual([true, 64, 64, 64]);
    const beyond = [
      [`SELECT * FROM ${tables(65)}`, "/statement/reads: must NOT have more than 64 items"],
      // Calcite caps identifiers at 128 characters; a LOOKUP name is a string literal, which can be longer.
      [`SELECT LOOKUP(x, '${"x".repeat(1025)}')`, "/statement/reads/0/name: must NOT have more than 1024 characters"],
    ];
    for (const [sql, detail] of beyond) {
      expect(await point.decide({ identity: alice, operation: "sql.task.submit", sql })).toEqual({
        allow: false,
        status: 400,
        code: "unsupported_sql",
        required: [],
        missing: [],
        matched: [],
        reasons: [`SQL (Druid SQL analysis): the statement is beyond what msq-authz decides: ${detail}`],
        engine,
        revision: point.revision,
      });
    }
  });

  it.each([
    ["text that is not JSON", '{"identity": ', "/: not JSON as Druid reads it: /identity: unexpected end of input, expected a value at offset 13"],
    ["an empty line", "", "/: not JSON as Druid reads it: empty document at offset 0"],
    ["a key twice, which JSON.parse would read last-wins", '{"operation": "task.status", "operation": "tasks.list"}', '/: not JSON as Druid reads it: /operation: duplicate key "operation"'],
    [
      "nesting deeper than JSON.stringify can follow",
      `{"identity": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      `/: not JSON as Druid reads it: /identity${"/0".repeat(63)}: nesting deeper than 64 levels`,
    ],
    ["a request over the size limit", `{"sql": "${"x".repeat(MAX_REQUEST_BYTES)}"}`, `/: the request is larger than ${MAX_REQUEST_BYTES} bytes`],
  ])("%s is a 400", async (_, text, detail) => {
    const point = await pointFor(engine, grants);
    expect(await point.decideJson(text)).toMatchObject({
      allow: false,
      status: 400,
      code: "invalid_request",
      reasons: [`INPUT (Request shape): ${detail}`],
    });
  });
});
