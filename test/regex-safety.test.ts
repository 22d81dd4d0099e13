// Permission patterns come from grant data. Both engines match them with RE2 (OPA's WASM regex; RE2JS for Casbin),
// which runs in linear time, so a pattern that makes a backtracking engine explode cannot stall a decision.
// The test timeout is the hang guard: a backtracking engine would take far longer than it on these inputs.
import { describe, expect, it } from "vitest";
import { checkGrants } from "../src/grants.js";
import { engines, pointFor } from "./support.js";

const evil = ["(a+)+$", "(a|aa)+", "(a|a?)+", "(.*a){12}", "([a-z]+)*!?x", "(a*)*b"];
const grants = {
  users: { eve: { roles: ["evil"] } },
  roles: { evil: { permissions: evil.map((name) => ({ resource: { name, type: "DATASOURCE" }, action: "READ" })) } },
};
const hostileName = `${"a".repeat(1000)}!`;

describe("catastrophic patterns", () => {
  it("load: RE2 accepts them, and they mean what RE2 says", () => {
    expect(checkGrants(grants)).toBe(grants);
  });

  it.each(engines)("do not stall a %s decision on a 1,000-character name that almost matches", async (engine) => {
    const point = await pointFor(engine, grants);
    const decision = await point.decide({
      identity: { authenticated: true, user: "eve" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: hostileName }] },
    });
    expect(decision).toMatchObject({ allow: false, status: 403, missing: [{ type: "DATASOURCE", name: hostileName, action: "READ" }] });
    const allowed = await point.decide({
      identity: { authenticated: true, user: "eve" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "a".repeat(1000) }] },
    });
    expect(allowed).toMatchObject({ allow: true, matched: [{ role: "evil", pattern: "(a+)+$" }] });
  }, 5_000);
});
