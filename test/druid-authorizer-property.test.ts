// One answer either way. Behind Druid's own OPA authorizer, Druid computes the checks a request needs and asks
// msq/druid/allow once per check; msq-authz's whole-query decision computes the same checks itself. For generated
// grants (users, roles, LDAP group mappings, literal and regex patterns, Java-dialect ones among them), settings and
// requests, the decision point's `allow` must be true exactly when msq/druid/allow (the shipped bundle's policy.wasm,
// evaluated with opa-wasm over data.grants, data.grant_patterns and data.settings) holds for every check in the
// decision's `required`.
//
// Only decisions that reach authorization are compared (status 200, 202 or 403). A 400, 401, 404 or 500 is Druid
// refusing the request before (or after) it asks its authorizer anything: invalid input or SQL, no identity, an
// unknown task, a planning error. The generated Druid versions are 28 and later: on Druid 27 the statements API
// answers a non-owner 403 without asking the authorizer (F6), which no per-check answer can reproduce.
//
// Against a policy written the way Druid's example is (bench/druid-example/partial.rego: regex.match over
// data.user_roles and data.role_grants), it also counts the checks partial matching allows that msq/druid/allow
// does not: the figure in the README. Run count: DRUID_PROPERTY_RUNS generated grant sets (default 1,000), each
// with up to 8 requests; `make fuzz` runs 20,000.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundle, type PolicyBundle } from "../src/bundle/load.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { checkGrants, grantPatterns } from "../src/grants.js";
import { translateJavaPattern } from "../src/grants/java-pattern.js";
import type { Grants } from "../src/types.js";
import { root } from "./support.js";

const RUNS = Number(process.env.DRUID_PROPERTY_RUNS ?? 1000);
const SEED = 19670;

const names = ["wiki", "wikipedia", "my_wiki", "wiki_2", "wiki.edits", "wikiXedits", "logs_2024", "logs_x", "sales", "Wiki", "secret", "EXTERNAL", "http", "s3", "STATE", "__query_select", "__query_export", "maxNumTasks", "priority", "v_sales", "segments", "countries"];
// Literal names, and patterns whose Java reading differs from a search, or from RE2's reading, or both.
const patterns = [...names, "wiki.*", ".*", "logs_\\d+", "(?i)WIKI", "[[:alnum:]_]+", "wiki|logs_.*", "\\Qwiki.*\\E", "[a-z&&[^e]]+", "http|s3", "wiki.edits", "w(?:iki)?", "sales?", "__query_.*", "max.*", "v_.*", "[A-Z]+", "wiki_\\p{Digit}", "ki"];
const types = ["DATASOURCE", "DATASOURCE", "DATASOURCE", "EXTERNAL", "QUERY_CONTEXT", "STATE", "VIEW", "SYSTEM_TABLE", "LOOKUP"];
const actions = ["READ", "WRITE", "read", "Write"];
const roleNames = ["r0", "r1", "r2", "r3", "r4"];
const userNames = ["u0", "u1", "u2", "u3"];
const masks = ["*,ou=groups,dc=example,dc=com", "cn=etl,*", "cn=admins,ou=groups,dc=example,dc=com", "*,dc=com", "*,ou=other,dc=example,dc=com", "cn=nobody,dc=nowhere"];
// Valid names under and outside the masks' subtrees, one Druid skips (not a name) and one it throws on.
const groupDns = ["cn=etl,ou=groups,dc=example,dc=com", "CN=Admins, OU=Groups, DC=example, DC=com", "cn=x,ou=other,dc=example,dc=com", "cn=sales,dc=org", "cn=etl,ou=teams,dc=example,dc=com", "not a dn", "cn=x,dc=#zz"];
const groupFilterSettings = [undefined, ["*,ou=groups,dc=example,dc=com"], ["*,dc=com", "cn=sales,dc=org"], []];

const permission = fc.record({
  resource: fc.record({ name: fc.constantFrom(...patterns), type: fc.constantFrom(...types) }),
  action: fc.constantFrom(...actions),
});
const grantsArb = fc.record({
  users: fc.dictionary(fc.constantFrom(...userNames), fc.record({ roles: fc.subarray(roleNames, { minLength: 1, maxLength: 3 }) })),
  roles: fc.dictionary(fc.constantFrom(...roleNames), fc.record({ permissions: fc.array(permission, { maxLength: 10 }) })),
  groupMappings: fc.dictionary(
    fc.constantFrom("m0", "m1", "m2", "m3"),
    fc.record({ groupPattern: fc.constantFrom(...masks), roles: fc.subarray(roleNames, { maxLength: 2 }) }),
    { maxKeys: 3 },
  ),
});
const settingsArb = fc
  .record({
    druidVersion: fc.constantFrom("28.0.0", "33.0.0", "35.0.0", "36.0.0"),
    "druid.auth.enableInputSourceSecurity": fc.boolean(),
    "druid.auth.authorizeQueryContextParams": fc.boolean(),
    "druid.sql.planner.authorizeSystemTablesDirectly": fc.boolean(),
    "druid.sql.planner.authorizeLookupDirectly": fc.boolean(),
    filters: fc.constantFrom(...groupFilterSettings),
  })
  .map(({ filters, ...settings }) =>
    filters === undefined ? settings : { ...settings, "druid.auth.authorizer.ldap.roleProvider.groupFilters": filters },
  );

const name = fc.constantFrom(...names);
const read = fc.record({ type: fc.constantFrom("DATASOURCE", "DATASOURCE", "VIEW", "SYSTEM_TABLE", "LOOKUP"), name });
const external = fc.subarray(["http", "s3"]);
const context = fc.option(fc.constantFrom({ maxNumTasks: 2 }, { priority: 1 }, { maxNumTasks: 3, priority: 2 }), { nil: undefined });
const task = (datasource: fc.Arbitrary<string>) =>
  fc.record({ id: fc.constant("query-1"), datasource, user: fc.constantFrom(...userNames), status: fc.constantFrom("RUNNING", "SUCCESS") });
const operationArb = fc.oneof(
  fc.record({ operation: fc.constantFrom("sql.task.submit", "sql.query"), statement: fc.record({ type: fc.constant("SELECT"), reads: fc.array(read, { maxLength: 3 }), external }), context }),
  fc.record({ operation: fc.constant("sql.task.submit"), statement: fc.record({ type: fc.constantFrom("INSERT", "REPLACE"), target: name, reads: fc.array(read, { maxLength: 2 }), external }), context }),
  fc.record({ operation: fc.constant("sql.task.submit"), statement: fc.record({ type: fc.constant("EXPORT"), exportDestination: fc.constantFrom("s3", "local"), reads: fc.array(read, { maxLength: 2 }) }) }),
  fc.record({ operation: fc.constantFrom("task.status", "task.reports", "task.cancel", "task.log"), task: task(name) }),
  fc.record({ operation: fc.constantFrom("sql.statements.get", "sql.statements.results", "sql.statements.cancel"), task: task(fc.constant("__query_select")) }),
  fc.record({ operation: fc.constantFrom("tasks.status.bulk", "tasks.list") }),
  fc.record({ operation: fc.constant("tasks.list"), datasource: name }),
);
const identityArb = fc.record({
  user: fc.constantFrom(...userNames, "nobody"),
  groups: fc.oneof({ weight: 2, arbitrary: fc.constant<string[]>([]) }, { weight: 3, arbitrary: fc.subarray(groupDns.slice(0, 6), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.subarray(groupDns, { minLength: 1, maxLength: 3 }) }),
  ldap: fc.boolean(),
});
const requestArb = fc.record({ identity: identityArb, operation: operationArb }).map(({ identity, operation }) => ({
  message: identity,
  request: { identity: { authenticated: true, user: identity.user, ...(identity.groups.length > 0 ? { groups: identity.groups } : {}) }, ...operation },
}));
const worldArb = fc.record({ grants: grantsArb, settings: settingsArb, requests: fc.array(requestArb, { minLength: 1, maxLength: 8 }) });

interface Check {
  type: string;
  name: string;
  action: string;
}

/** Druid's message for a check, as OpaMessage serializes it: an LDAP identity carries its search result. */
function message(identity: { user: string; groups: readonly string[]; ldap: boolean }, check: Check, withGroups = true): unknown {
  const ldap = withGroups && (identity.ldap || identity.groups.length > 0);
  const context = ldap
    ? { searchResult: { name: `uid=${identity.user}`, nameInNamespace: `uid=${identity.user},ou=people,dc=example,dc=com`, attributes: { memberof: identity.groups, uid: [identity.user] } } }
    : null;
  return {
    authenticationResult: { identity: identity.user, authorizerName: "opaAuthorizer", authenticatedBy: ldap ? "ldap" : "basic", context },
    action: check.action,
    resource: { name: check.name, type: check.type },
  };
}

const allowOf = (policy: LoadedPolicy, entrypoint: string, input: unknown): boolean => {
  const [first] = policy.evaluate(input, entrypoint) as { result?: unknown }[];
  if (typeof first?.result !== "boolean") throw new Error(`${entrypoint} answered ${JSON.stringify(first)}`);
  return first.result;
};

let bundle: PolicyBundle;
let druid: LoadedPolicy;
let partial: LoadedPolicy;
const work = mkdtempSync(join(tmpdir(), "msq-authz-partial-"));

beforeAll(async () => {
  for (const pattern of patterns) {
    if ("refusal" in translateJavaPattern(pattern)) throw new Error(`generated pattern ${pattern} is refused; the grants would not load`);
  }
  bundle = await loadBundle(join(root, "bundles/msq-authz"));
  druid = await loadPolicy(readFileSync(join(root, "bundles/msq-authz/policy.wasm")));
  // The partial-match policy, compiled by the pinned OPA as a stock OPA would evaluate it (RE2's regex.match).
  execFileSync(join(root, ".tools/bin/opa"), ["build", "-t", "wasm", "-e", "druid_example/allow", "-o", join(work, "partial.tar.gz"), join(root, "bench/druid-example/partial.rego")]);
  execFileSync("tar", ["-xzf", join(work, "partial.tar.gz"), "-C", work, "/policy.wasm"]);
  partial = await loadPolicy(readFileSync(join(work, "policy.wasm")));
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the whole-query decision and Druid's per-check answers", () => {
  it(`agree on ${RUNS} generated grant sets (seed ${SEED})`, async () => {
    const counts = { grantSets: 0, requests: 0, compared: 0, allowed: 0, denied: 0, skipped: {} as Record<string, number>, checks: 0, withGroups: 0 };
    const partialFigure = { checks: 0, partialOnly: 0, msqOnly: 0, both: 0, examples: new Map<string, number>(), reverse: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(worldArb, async ({ grants: raw, settings, requests }) => {
        const grants = checkGrants(raw);
        const point = await createDecisionPoint({ bundle, grants, settings, decisionCacheEntries: 0 });
        druid.setData({ grants, grant_patterns: grantPatterns(grants), settings });
        partial.setData(partialData(grants));
        counts.grantSets += 1;
        for (const { message: identity, request } of requests) {
          counts.requests += 1;
          const decision = await point.decide(request);
          if (![200, 202, 403].includes(decision.status)) {
            counts.skipped[decision.status] = (counts.skipped[decision.status] ?? 0) + 1;
            continue;
          }
          const answers = decision.required.map((check) => allowOf(druid, "msq/druid/allow", message(identity, check)));
          expect({ request, required: decision.required, answers, allow: decision.allow }).toEqual({
            request,
            required: decision.required,
            answers,
            allow: answers.every(Boolean),
          });
          counts.compared += 1;
          counts[decision.allow ? "allowed" : "denied"] += 1;
          counts.checks += answers.length;
          if (identity.groups.length > 0) counts.withGroups += 1;
          // The partial-match figure compares matching alone: the same user's own roles on both sides.
          for (const check of decision.required) {
            const input = message(identity, check, false);
            const full = allowOf(druid, "msq/druid/allow", input);
            const search = allowOf(partial, "druid_example/allow", input);
            partialFigure.checks += 1;
            const key = `${check.type} ${check.action} '${check.name}'`;
            if (search && !full) {
              partialFigure.partialOnly += 1;
              partialFigure.examples.set(key, (partialFigure.examples.get(key) ?? 0) + 1);
            } else if (full && !search) {
              partialFigure.msqOnly += 1;
              partialFigure.reverse.set(key, (partialFigure.reverse.get(key) ?? 0) + 1);
            } else if (full && search) partialFigure.both += 1;
          }
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    const top = (counted: Map<string, number>) => [...counted].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([check, n]) => `${check} x${n}`).join(", ");
    console.log(
      [
        `one answer either way: ${counts.grantSets} grant sets, ${counts.requests} requests, ${counts.compared} decisions compared ` +
          `(${counts.allowed} allowed, ${counts.denied} denied; ${counts.withGroups} with LDAP groups), ${counts.checks} checks; ` +
          `skipped before or after authorization: ${JSON.stringify(counts.skipped)}`,
        `partial matching (bench/druid-example/partial.rego) over the same ${partialFigure.checks} checks, each user with its own roles: ` +
          `it allows ${partialFigure.partialOnly + partialFigure.both}, of which ${partialFigure.partialOnly} ` +
          `(${percent(partialFigure.partialOnly, partialFigure.partialOnly + partialFigure.both)}) msq/druid/allow denies; ` +
          `it denies ${partialFigure.msqOnly} that msq/druid/allow allows. Most frequent over-grants: ${top(partialFigure.examples)}; ` +
          `denials: ${top(partialFigure.reverse)}`,
      ].join("\n"),
    );
    expect(counts.compared).toBeGreaterThan(RUNS);
    expect(counts.allowed).toBeGreaterThan(0);
    expect(counts.denied).toBeGreaterThan(0);
    expect(partialFigure.partialOnly).toBeGreaterThan(0);
  }, Math.max(600_000, RUNS * 100));
});

const percent = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;

/** The data a Druid-example-style policy holds: roles by user, grants by role (actions as Druid stores them). */
function partialData(grants: Grants): object {
  return {
    user_roles: Object.fromEntries(Object.entries(grants.users ?? {}).map(([user, { roles }]) => [user, roles])),
    role_grants: Object.fromEntries(
      Object.entries(grants.roles ?? {}).map(([role, { permissions }]) => [role, permissions.map((p) => ({ ...p, action: p.action.toUpperCase() }))]),
    ),
  };
}
