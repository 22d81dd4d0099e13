// The SQL corpus: statements from Druid's own tests and docs with the resource actions Druid checks for them. Every
// case runs through the decision point as a superuser, so `required` is exactly what the policy derived from the SQL.
// A case that does not match Druid must be listed, with Druid evidence, in known-misses.json.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Decision, ResourceAction } from "../src/types.js";
import { engines, pointFor, readJson, root } from "./support.js";

interface CorpusCase {
  name: string;
  cite: string;
  sql: string;
  operation?: string;
  settings: Record<string, unknown>;
  context: Record<string, unknown>;
  parameters: { type: string; value: unknown }[];
  expect: { required?: ResourceAction[]; invalid?: string; plannerError?: string };
}

const dir = join(root, "test/sql-corpus");
const knownMisses = readJson(join(dir, "known-misses.json")) as Record<string, string>;
const corpus = readdirSync(dir)
  .filter((file) => file.endsWith(".json") && file !== "known-misses.json")
  .sort()
  .flatMap((file) => (readJson(join(dir, file)) as { cases: CorpusCase[] }).cases.map((c) => ({ ...c, id: `${file}#${c.name}` })));

const types = ["DATASOURCE", "VIEW", "SYSTEM_TABLE", "QUERY_CONTEXT", "EXTERNAL", "STATE", "CONFIG", "LOOKUP"];
const superuser = {
  users: { root: { roles: ["superuser"] } },
  roles: {
    superuser: {
      permissions: types.flatMap((type) =>
        ["READ", "WRITE"].map((action) => ({ resource: { name: ".*", type }, action })),
      ),
    },
  },
};

const key = (ra: ResourceAction): string => `${ra.type} ${ra.action} ${ra.name}`;
const sameActions = (a: ResourceAction[], b: ResourceAction[]): boolean =>
  JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());

/** Does the decision say what Druid says? */
function matches(c: CorpusCase, decision: Decision): boolean {
  if (c.expect.invalid !== undefined) return decision.status === 400 && decision.code === "invalid_sql";
  // Planning errors come after authorization: the decision still carries what was authorized.
  const planned =
    c.expect.plannerError !== undefined &&
    decision.code === "invalid_sql" &&
    decision.reasons.some((reason) => reason.includes("with SQL engine [msq-task]"));
  return (decision.allow || planned) && sameActions(decision.required, c.expect.required ?? []);
}

const tally = new Map<string, { matched: number; total: number }>();

describe.each(engines)("SQL corpus (%s engine)", (engine) => {
  afterAll(() => {
    const { matched, total } = tally.get(engine) ?? { matched: 0, total: 0 };
    console.log(`SQL corpus, ${engine}: ${matched}/${total} exact matches (${((100 * matched) / total).toFixed(1)}%)`);
  });

  it.each(corpus)("$id ($cite)", async (c) => {
    const point = await pointFor(engine, superuser, { druidVersion: "36.0.0", ...c.settings });
    const decision = await point.decide({
      identity: { authenticated: true, user: "root" },
      operation: c.operation ?? "sql.task.submit",
      sql: c.sql,
      ...(Object.keys(c.context).length > 0 ? { context: c.context } : {}),
      ...(c.parameters.length > 0 ? { parameters: c.parameters } : {}),
    });
    const hit = matches(c, decision);
    const count = tally.get(engine) ?? { matched: 0, total: 0 };
    tally.set(engine, { matched: count.matched + (hit ? 1 : 0), total: count.total + 1 });
    const explanation = knownMisses[c.id];
    if (explanation === undefined) {
      expect({ decision, hit }).toMatchObject({ hit: true });
    } else {
      // A listed miss must still miss: when it starts to match, take it off the list.
      expect({ id: c.id, hit }).toEqual({ id: c.id, hit: false });
    }
  });
});

it("lists only known misses that are in the corpus", () => {
  const ids = new Set(corpus.map((c) => c.id));
  expect(Object.keys(knownMisses).filter((id) => !ids.has(id))).toEqual([]);
  expect(corpus.length).toBeGreaterThanOrEqual(150);
});
