// The decision point's two doors: decide (any engine) and decideSync (engines that never wait), and the grant
// matchers behind them.
import { join } from "node:path";
import type { Enforcer } from "casbin";
import { describe, expect, it } from "vitest";
import { loadBundle } from "../src/bundle/load.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { createCasbinEnforcer } from "../src/grants/casbin.js";
import type { GrantMatch, GrantMatcher, ResourceCheck } from "../src/grants/matcher.js";
import { engineErrorDecision, pointFor, readJson, root } from "./support.js";

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
    expect(point.decideSync(request)).toEqual(engineErrorDecision("the casbin engine has no synchronous path; use decide()", point));
  });
});

describe("remembered decisions", () => {
  const request = {
    identity: { authenticated: true, user: "alice" },
    operation: "sql.task.submit",
    statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "wiki" }] },
  };

  it("answer a repeated request with the same frozen decision", async () => {
    const point = await createDecisionPoint({ grants: exampleGrants });
    const first = await point.decide(request);
    expect(await point.decide(structuredClone(request))).toBe(first);
    expect(await point.decideJson(JSON.stringify(request))).toEqual(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.required[0])).toBe(true);
    expect(() => {
      (first as { allow: boolean }).allow = false;
    }).toThrow(TypeError);
  });

  it("never keep an engine error, so a grant store that recovers is asked again", async () => {
    let calls = 0;
    const flaky = {
      getRolesForUser: () => {
        calls += 1;
        return Promise.reject(new Error("database is down"));
      },
    } as unknown as Enforcer;
    const point = await createDecisionPoint({ engine: "casbin", enforcer: flaky, decisionCacheEntries: 100 });
    expect((await point.decide(request)).code).toBe("engine_error");
    expect((await point.decide(request)).code).toBe("engine_error");
    expect(calls).toBe(2);
  });

  it("refuse a request JSON cannot hold, without looping on its cycle", async () => {
    const point = await createDecisionPoint({ grants: exampleGrants });
    const cyclic: Record<string, unknown> = { ...request };
    cyclic.context = { self: cyclic };
    expect(await point.decide(cyclic)).toMatchObject({ status: 400, reasons: ["INPUT (Request shape): /: not serializable as JSON: Converting circular structure to JSON"] });
  });
});

describe("a grant matcher", () => {
  const request = {
    identity: { authenticated: true, user: "alice" },
    operation: "sql.task.submit",
    statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "wiki" }] },
  };

  /** A grant store of one line: alice's role "readers" reads every datasource. */
  class OneLine implements GrantMatcher {
    readonly engine = "one-line";
    async roles(user: string): Promise<string[]> {
      return user === "alice" ? ["readers"] : [];
    }
    async match(user: string, check: ResourceCheck): Promise<GrantMatch | null> {
      return user === "alice" && check.type === "DATASOURCE" && check.action === "READ" ? { role: "readers", pattern: ".*" } : null;
    }
    async patterns(user: string, type: string, action: string): Promise<string[]> {
      return user === "alice" && type === "DATASOURCE" && action === "READ" ? [".*"] : [];
    }
  }

  it("names the engine of decisions made with a caller's own Casbin enforcer, which has no synchronous path", async () => {
    const point = await createDecisionPoint({ enforcer: await createCasbinEnforcer(exampleGrants as never) });
    expect(point.engine).toBe("casbin");
    expect(await point.decide(request)).toMatchObject({ allow: true, engine: "casbin" });
    expect(point.decideSync(request)).toEqual(engineErrorDecision("the casbin engine has no synchronous path; use decide()", point));
  });

  it("brought by the caller is kept when the point swaps to a bundle that carries grants of its own", async () => {
    const bundle = await loadBundle();
    const point = await createDecisionPoint({ bundle, matcher: new OneLine() });
    const nobodyReads = { ...bundle, manifest: { ...bundle.manifest, revision: "with-grants" }, data: { ...bundle.data, grants: { users: {}, roles: {} } } };
    await point.swap(nobodyReads);
    expect(await point.decide(request)).toMatchObject({
      allow: true,
      engine: "one-line",
      revision: "with-grants",
      matched: [{ type: "DATASOURCE", name: "wiki", action: "READ", role: "readers", pattern: ".*" }],
    });
  });

  it("of a team's own grant store decides as the policy does, with that store's answers", async () => {
    const point = await createDecisionPoint({ matcher: new OneLine() });
    const tasks = { identity: request.identity, operation: "tasks.list", tasks: [{ id: "t1", datasource: "wiki" }] };
    expect(await point.decide(tasks)).toMatchObject({ allow: true, engine: "one-line", filter: { patterns: [".*"], taskIds: ["t1"] } });
    expect(await point.decide({ ...request, identity: { authenticated: true, user: "bob" } })).toMatchObject({
      allow: false,
      code: "forbidden",
      missing: [{ type: "DATASOURCE", name: "wiki", action: "READ" }],
    });
  });
});
