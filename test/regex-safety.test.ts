// Permission patterns come from grant data. They are Java's, as Druid reads them, but both engines match them
// through their RE2 translations (OPA's WASM regex; RE2JS for Casbin), which run in linear time, so a pattern that
// makes a backtracking engine (Java's own) explode cannot stall a decision.
// The test timeout is the hang guard: a backtracking engine would take far longer than it on these inputs.
import { afterAll, describe, expect, it } from "vitest";
import { checkGrants } from "../src/grants.js";
import { translateJavaPattern } from "../src/grants/java-pattern.js";
import { engines, pointFor } from "./support.js";

const evil = ["(a+)+$", "(a|aa)+", "(a|a?)+", "(.*a){12}", "([a-z]+)*!?x", "(a*)*b"];
const grants = {
  users: { eve: { roles: ["evil"] } },
  roles: { evil: { permissions: evil.map((name) => ({ resource: { name, type: "DATASOURCE" }, action: "READ" })) } },
};
const hostileName = `${"a".repeat(1000)}!`;

const slowest: Record<string, number> = {};
const timed = async <T>(engine: string, decide: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await decide();
  slowest[engine] = Math.max(slowest[engine] ?? 0, performance.now() - started);
  return result;
};

afterAll(() => {
  // The figure the README's "Security and reliability" section quotes.
  console.log(`regex safety: slowest decision against the catastrophic patterns: ${Object.entries(slowest).map(([e, ms]) => `${e} ${ms.toFixed(1)} ms`).join(", ")}`);
});

describe("catastrophic patterns", () => {
  it("load: each has an RE2 translation with Java's meaning", () => {
    expect(checkGrants(grants)).toBe(grants);
    expect(evil.map((pattern) => "re2" in translateJavaPattern(pattern))).toEqual(evil.map(() => true));
  });

  it.each(engines)("do not stall a %s decision on a 1,000-character name that almost matches", async (engine) => {
    const point = await pointFor(engine, grants);
    const decision = await timed(engine, () => point.decide({
      identity: { authenticated: true, user: "eve" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: hostileName }] },
    }));
    expect(decision).toMatchObject({ allow: false, status: 403, missing: [{ type: "DATASOURCE", name: hostileName, action: "READ" }] });
    const allowed = await timed(engine, () => point.decide({
      identity: { authenticated: true, user: "eve" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "a".repeat(1000) }] },
    }));
    expect(allowed).toMatchObject({ allow: true, matched: [{ role: "evil", pattern: "(a+)+$" }] });
  }, 5_000);

  it.each(engines)("do not stall a %s decision on 64 such names at once (the most a request reads)", async (engine) => {
    const point = await pointFor(engine, grants);
    const names = Array.from({ length: 64 }, (_, i) => `${"a".repeat(1000)}!${i}`);
    const decision = await timed(engine, () => point.decide({
      identity: { authenticated: true, user: "eve" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", reads: names.map((name) => ({ type: "DATASOURCE", name })) },
    }));
    expect([decision.allow, decision.status, decision.missing.length]).toEqual([false, 403, 64]);
  }, 10_000);
});
