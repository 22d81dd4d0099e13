// The decision point's two doors: decide (any engine) and decideSync (engines that never wait).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pointFor, readJson, root } from "./support.js";

const exampleGrants = readJson(join(root, "examples/grants.json"));

describe("decideSync", () => {
  const request = {
    identity: { authenticated: true, user: "alice" },
    operation: "sql.task.submit",
    statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "wiki" }] },
  };

  it("answers with the WASM engine exactly as decide does", async () => {
    const point = await pointFor("wasm", exampleGrants);
    expect(point.decideSync(request)).toEqual(await point.decide(request));
    expect(point.decideSync({ identity: {} })).toMatchObject({ status: 400, code: "invalid_request" });
  });

  it("is an engine_error with Casbin, which decides asynchronously", async () => {
    const point = await pointFor("casbin", exampleGrants);
    expect(point.decideSync(request)).toMatchObject({
      allow: false,
      status: 500,
      code: "engine_error",
      reasons: ["ENGINE: the casbin engine has no synchronous path; use decide()"],
    });
  });
});
