// msq-authz serve over real HTTP on loopback: every endpoint, malformed and oversized bodies, auth on and off,
// SIGTERM with requests in flight; and the official OPA client library gets the same answers from msq-authz serve
// as from a stock `opa run --server` on the same Rego and data, for the whole decision-case set.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { OPAClient } from "@styra/opa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecisionPoint } from "../src/decision-point.js";
import { policyInput } from "../src/policy-input.js";
import { grantPatterns } from "../src/grants.js";
import type { Grants } from "../src/types.js";
import { buildServer } from "../src/server/app.js";
import { loadCases, root } from "./support.js";
import { freePort } from "./ports.js";

const bin = join(root, "dist/cli/main.js");
const grantsFile = join(root, "examples/grants.json");

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

async function startBinary(extra: string[] = []): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn("node", [bin, "serve", "--grants", grantsFile, "--port", String(port), ...extra], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`);
  return { url, child, exited };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

/** A native batch ingestion task, as posted to the Overlord. */
const indexParallel = (datasource: string) => ({
  type: "index_parallel",
  spec: {
    dataSchema: { dataSource: datasource, timestampSpec: { column: "ts" }, dimensionsSpec: { dimensions: [] } },
    ioConfig: { type: "index_parallel", inputSource: { type: "local", baseDir: "/tmp", filter: "*.json" }, inputFormat: { type: "json" } },
  },
});

const aliceSelect = { identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", sql: "SELECT * FROM wiki" };

describe("msq-authz serve", () => {
  let server: Awaited<ReturnType<typeof startBinary>>;
  beforeAll(async () => {
    server = await startBinary(["--body-limit", "65536"]);
  }, 30_000);
  afterAll(() => {
    server.child.kill("SIGTERM");
  });

  it("reports health with the bundle revision", async () => {
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; revision: string };
    expect(health.status).toBe("ok");
    expect(health.revision).toMatch(/^[0-9a-f]{16}$/u);
  });

  it("answers OPA's Data API shape and the bare-request endpoint alike", async () => {
    const viaData = (await (await post(`${server.url}/v1/data/msq/authz/decision`, JSON.stringify({ input: aliceSelect }))).json()) as { result: unknown };
    const viaDecide = await (await post(`${server.url}/v1/decide`, JSON.stringify(aliceSelect))).json();
    expect(viaData.result).toEqual(viaDecide);
    expect(viaDecide).toMatchObject({ allow: true, status: 202, engine: "wasm", required: [{ type: "DATASOURCE", name: "wiki", action: "READ" }] });
  });

  it.each([
    [{ method: "POST", path: "/druid/v2/sql/task", body: { query: "INSERT INTO wiki SELECT * FROM wiki_edits PARTITIONED BY DAY" } }, "alice", undefined, [403, "forbidden"]],
    [{ method: "POST", path: "/druid/v2/sql", body: { query: "SELECT COUNT(*) FROM wiki" } }, "alice", undefined, [200, "ok"]],
    [{ method: "GET", path: "/druid/v2/sql/task/enabled" }, "alice", undefined, [200, "ok"]],
    [{ method: "GET", path: "/druid/indexer/v1/task/q1/reports" }, "alice", { id: "q1", datasource: "__query_select" }, [200, "ok"]],
    [{ method: "POST", path: "/druid/indexer/v1/task/q1/shutdown" }, "alice", { id: "q1", datasource: "__query_select" }, [403, "forbidden"]],
    [{ method: "GET", path: "/druid/indexer/v1/task/q9/status" }, "alice", { id: "q9" }, [404, "not_found"]],
    [{ method: "DELETE", path: "/druid/v2/sql/statements/q1" }, "bob", { id: "q1", datasource: "__query_select", user: "bob", status: "RUNNING" }, [202, "ok"]],
    [{ method: "GET", path: "/druid/indexer/v1/tasks?datasource=secret" }, "alice", undefined, [403, "forbidden"]],
    [{ method: "POST", path: "/druid/indexer/v1/taskStatus" }, "admin", undefined, [200, "ok"]],
    [{ method: "POST", path: "/druid/indexer/v1/task", body: { type: "query_controller", spec: { destination: { type: "dataSource", dataSource: "wiki" } } } }, "bob", undefined, [200, "ok"]],
    [{ method: "POST", path: "/druid/indexer/v1/task", body: indexParallel("wiki") }, "bob", undefined, [200, "ok"]],
    [{ method: "POST", path: "/druid/indexer/v1/task", body: indexParallel("secret") }, "bob", undefined, [403, "forbidden"]],
    [{ method: "POST", path: "/druid/indexer/v1/task", body: { type: "index_magic", dataSource: "wiki" } }, "bob", undefined, [400, "invalid_request"]],
    [{ method: "PUT", path: "/druid/coordinator/v1/rules" }, "admin", undefined, [404, "not_found"]],
    // Jetty decodes a path's percent-escapes before Jersey routes it; methods are case-sensitive.
    [{ method: "GET", path: "/druid/indexer/v1/%74asks?data%73ource=secret" }, "alice", undefined, [403, "forbidden"]],
    [{ method: "POST", path: "/druid/indexer/v1/task/q1/%73hutdown/" }, "alice", { id: "q1", datasource: "__query_select" }, [403, "forbidden"]],
    [{ method: "get", path: "/druid/indexer/v1/task/q1/reports" }, "alice", { id: "q1", datasource: "__query_select" }, [404, "not_found"]],
  ])("maps the Druid request %j onto the policy", async (http, user, task, [status, code]) => {
    const body = { http, identity: { authenticated: true, user }, ...(task ? { task } : {}) };
    const decision = await (await post(`${server.url}/v1/druid`, JSON.stringify(body))).json();
    expect(decision).toMatchObject({ status, code });
  });

  it("reads a posted task as Druid's Jackson does: a duplicate key is a 400 naming it", async () => {
    const text = '{"http": {"method": "POST", "path": "/druid/indexer/v1/task", "body": {"type": "query_controller", "spec": {}, "type": "index_parallel"}}, "identity": {"authenticated": true, "user": "bob"}}';
    const response = await post(`${server.url}/v1/druid`, text);
    expect([response.status, await response.json()]).toEqual([
      400,
      { code: "invalid_request", message: 'request body is not JSON as Druid reads it: /http/body/type: duplicate key "type"' },
    ]);
  });

  it("reads a body's bytes as Druid's Jackson does: a key spelled in overlong UTF-8 is a 400, not a replaced character", async () => {
    // C1 B9 is "y" to Jackson's decoder: Druid reads a second "type" here, and binds the first (http).
    const [head, tail] = ['{"http": {"method": "POST", "path": "/druid/indexer/v1/task", "body": {"type": "index_parallel", "spec": {"ioConfig": {"inputSource": {"t', 'pe": "http", "type": "local"}}}}}, "identity": {"authenticated": true, "user": "bob"}}'];
    const body = Buffer.concat([Buffer.from(head as string), Buffer.from([0xc1, 0xb9]), Buffer.from(tail as string)]);
    const response = await fetch(`${server.url}/v1/druid`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect([response.status, await response.json()]).toEqual([
      400,
      { code: "invalid_request", message: expect.stringMatching(/^request body is not JSON as Druid reads it: not well-formed UTF-8/u) },
    ]);
  });

  it("answers malformed JSON with a 400 JSON error body", async () => {
    for (const path of ["/v1/decide", "/v1/data/msq/authz/decision", "/v1/druid"]) {
      const response = await post(`${server.url}${path}`, "{not json");
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ message: expect.stringContaining("not JSON") });
    }
  });

  it("refuses a body over the limit with 413", async () => {
    const response = await post(`${server.url}/v1/decide`, JSON.stringify({ ...aliceSelect, sql: `SELECT ${"1,".repeat(40_000)}1` }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "request_too_large" });
  });

  it("answers an unknown route with a 404 JSON body", async () => {
    const response = await fetch(`${server.url}/v1/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: "not_found", message: "no endpoint GET /v1/nothing" });
  });

  it("counts decisions by code and engine in Prometheus metrics", async () => {
    await post(`${server.url}/v1/decide`, JSON.stringify(aliceSelect));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^msq_authz_decisions_total\{code="ok",engine="wasm"\} \d+$/mu);
    expect(metrics).toMatch(/^msq_authz_bundle_info\{revision="[0-9a-f]{16}",engine="wasm"\} 1$/mu);
    expect(metrics).toContain("msq_authz_decision_seconds_bucket");
  });
});

describe("msq-authz serve with a bearer token", () => {
  it("refuses callers without the token, and leaves /health open", async () => {
    const server = await startBinary(["--token", "s3cret"]);
    try {
      expect((await post(`${server.url}/v1/decide`, JSON.stringify(aliceSelect))).status).toBe(401);
      expect((await post(`${server.url}/v1/decide`, JSON.stringify(aliceSelect), { authorization: "Bearer wrong!" })).status).toBe(401);
      const allowed = await post(`${server.url}/v1/decide`, JSON.stringify(aliceSelect), { authorization: "Bearer s3cret" });
      expect(allowed.status).toBe(200);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
    }
  }, 30_000);
});

describe("SIGTERM", () => {
  it("finishes the requests in flight, refuses the rest whole, then exits 0", async () => {
    const server = await startBinary();
    const requests = Array.from({ length: 200 }, (_, i) =>
      post(`${server.url}/v1/decide`, JSON.stringify({ ...aliceSelect, context: { sqlQueryId: `q${i}` } })).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { code?: string } }),
        () => ({ status: 0, body: {} as { code?: string } }), // refused after close: never a half answer
      ),
    );
    await Promise.race(requests); // the server is answering: the rest are queued or in flight
    server.child.kill("SIGTERM");
    const results = await Promise.all(requests);
    expect(await server.exited).toBe(0);
    const answered = results.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThan(0);
    // Each request is answered in full, or refused whole: the connection closed, or 503 (retry elsewhere) for a
    // request that arrived on a kept-alive connection after SIGTERM.
    expect(results.filter((r) => !(r.status === 0 || r.status === 503 || (r.status === 200 && r.body.code === "ok")))).toEqual([]);
  }, 30_000);
});

describe("an OPA client against msq-authz serve and against opa run --server", () => {
  const cases = loadCases();
  const groups = new Map<string, typeof cases>();
  for (const c of cases) {
    const key = JSON.stringify([c.grants, c.settings]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  let opa: ChildProcess;
  let opaUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    opaUrl = `http://127.0.0.1:${port}`;
    opa = spawn(join(root, ".tools/bin/opa"), ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--ignore", "*_test.rego", join(root, "policies/rego")], { stdio: "ignore" });
    await waitFor(`${opaUrl}/health`);
  }, 30_000);
  afterAll(() => {
    opa.kill();
  });

  it("get the same decisions for the whole decision-case set", async () => {
    const viaOpa = new OPAClient(opaUrl);
    let compared = 0;
    for (const group of groups.values()) {
      const [{ grants, settings }] = group as [(typeof cases)[number]];
      // What `bundle build --grants` writes into data.json: the grants' patterns go with their RE2 translations.
      const data = { grants, grant_patterns: grantPatterns(grants as Grants), settings };
      const put = await fetch(`${opaUrl}/v1/data`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(data) });
      expect(put.status).toBe(204);
      const app = buildServer({ point: await createDecisionPoint({ grants, settings }), logLevel: "error" });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      try {
        const viaServe = new OPAClient(address);
        for (const c of group) {
          const prepared = policyInput(c.request);
          if (!("input" in prepared)) continue; // refused before the policy runs; a stock OPA never sees it
          const [ours, theirs] = await Promise.all([
            viaServe.evaluate<Record<string, unknown>, Record<string, unknown>>("msq/authz/decision", c.request as Record<string, unknown>),
            viaOpa.evaluate<Record<string, unknown>, Record<string, unknown>>("msq/authz/decision", prepared.input as unknown as Record<string, unknown>),
          ]);
          const { engine: _engine, revision: _revision, ...decision } = ours;
          expect({ case: `${c.scenario}/${c.outcome}/${c.file}`, decision }).toEqual({ case: `${c.scenario}/${c.outcome}/${c.file}`, decision: theirs });
          compared += 1;
        }
      } finally {
        await app.close();
      }
    }
    expect(compared).toBeGreaterThan(180);
  }, 120_000);
});

