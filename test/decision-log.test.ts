// Decision logs in OPA's format, and OPA's /health?bundles: events uploaded to a real HTTP sink on loopback (gunzipped
// and parsed as a decision-log service would), appended to a file, masked as OPA's mask rules erase; a sink that
// hangs or fails while decisions keep coming, with the buffer held to its bound, drops counted and every decision
// answered; the decision_id a client is given is the event's. A stock OPA agent is the oracle for the event's fields,
// their order, masking and the upload headers, and for the /health?bundles bodies.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, type Server, type ServerResponse, createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundle } from "../src/bundle/load.js";
import { BundleSource } from "../src/bundle/source.js";
import { type DecisionPoint, createDecisionPoint } from "../src/decision-point.js";
import { buildServer } from "../src/server/app.js";
import { DecisionLogError, type DecisionLogOptions } from "../src/server/decision-log.js";
import { type DecisionLogEvent, decisionLogEventSchema, rfc3339Nano } from "../src/server/decision-log-event.js";
import { cli } from "./cli-support.js";
import { readJson, root } from "./support.js";
import { freePort } from "./ports.js";

const grants = readJson(join(root, "examples/grants.json")) as object;
const version = (readJson(join(root, "package.json")) as { version: string }).version;
const tmp = mkdtempSync(join(tmpdir(), "msq-authz-decision-log-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const opaBin = join(root, ".tools/bin/opa");
const validateEvent = new Ajv2020({ strict: true }).compile(decisionLogEventSchema);

const alice = (i = 0) => ({ identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", sql: "SELECT * FROM wiki", context: { sqlQueryId: `q${i}` } });

interface Upload {
  headers: IncomingHttpHeaders;
  url: string;
  compressedBytes: number;
  events: DecisionLogEvent[];
}

type SinkMode = "ok" | "fail" | "hang";

/** A decision-log service on loopback: OPA's upload API, gunzipped and parsed; it can also fail or never answer. */
async function startSink(initial: SinkMode = "ok") {
  const uploads: Upload[] = [];
  const hanging = new Set<ServerResponse>();
  const state = { mode: initial, received: 0, answered: 0, open: 0, maxOpen: 0 };
  const server: Server = createServer((request, response) => {
    state.received += 1;
    state.open += 1;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    response.once("close", () => (state.open -= 1));
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      uploads.push({ headers: request.headers, url: request.url ?? "", compressedBytes: body.length, events: JSON.parse(gunzipSync(body).toString("utf8")) as DecisionLogEvent[] });
      if (state.mode === "hang") return void hanging.add(response);
      state.answered += 1;
      response.writeHead(state.mode === "ok" ? 200 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/logs`;
  const close = async (): Promise<void> => {
    for (const response of hanging) response.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, uploads, state, close, events: () => uploads.flatMap((upload) => upload.events) };
}

let point: DecisionPoint;
beforeAll(async () => {
  point = await createDecisionPoint({ grants });
}, 60_000);

async function serve(decisionLog?: DecisionLogOptions, extra: Partial<Parameters<typeof buildServer>[0]> = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = buildServer({ point, logLevel: "silent", ...(decisionLog ? { decisionLog } : {}), ...extra });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, url };
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: Record<string, unknown> }> => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
};

/** A metric's value in Prometheus text: `name{labels} value`. */
const metric = (text: string, series: string): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
};
const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends `count` requests, `concurrency` at a time; each answer is kept in order. */
async function many<T>(count: number, concurrency: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await send(i);
    }
  }));
  return results;
}

describe("decision logs to an HTTP sink", () => {
  it("uploads every decision as OPA's plugin does, with the decision_id the client was given", async () => {
    const sink = await startSink();
    const { app, url } = await serve({ sink: sink.url, minDelayMs: 20, maxDelayMs: 40, uploadSizeLimitBytes: 2048 });
    try {
      const answers = await many(40, 4, (i) => post(`${url}/v1/data/msq/authz/decision`, { input: alice(i) }));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        // OPA's DataResponseV1 with decision logging on: decision_id first, then result.
        expect(Object.keys(answer.json)).toEqual(["decision_id", "result"]);
        expect(answer.json.decision_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
      }
      await until(() => sink.events().length >= 40, "40 events at the sink");
      const events = sink.events();
      expect(events).toHaveLength(40);
      // Batched: several uploads, each a gzip-compressed JSON array within the upload size limit, as OPA sends them.
      expect(sink.uploads.length).toBeGreaterThan(1);
      for (const upload of sink.uploads) {
        expect(upload.url).toBe("/logs");
        expect(upload.headers).toMatchObject({ "content-encoding": "gzip", "content-type": "application/json" });
        expect(upload.compressedBytes).toBeLessThanOrEqual(2048);
      }
      // Concurrent decisions are logged as they are made; each under the decision_id its client was given.
      const byId = new Map(answers.map((answer, i) => [answer.json.decision_id, i]));
      expect(new Set(events.map((event) => event.decision_id))).toEqual(new Set(byId.keys()));
      const labels = events[0]?.labels;
      expect(labels).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/u), version });
      for (const event of events) {
        const i = byId.get(event.decision_id) as number;
        expect(validateEvent(event), JSON.stringify(validateEvent.errors)).toBe(true);
        expect(event).toEqual({
          labels,
          decision_id: answers[i]?.json.decision_id,
          bundles: { "msq-authz": { revision: point.revision } },
          path: "msq/authz/decision",
          input: alice(i),
          result: answers[i]?.json.result,
          requested_by: expect.stringMatching(/^127\.0\.0\.1:\d+$/u),
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/u),
          metrics: { timer_server_handler_ns: expect.any(Number) },
        });
        expect(Object.keys(event)).toEqual(["labels", "decision_id", "bundles", "path", "input", "result", "requested_by", "timestamp", "metrics"]);
      }
      const metrics = await scrape(url);
      expect(metric(metrics, "msq_authz_decision_log_events_total")).toBe(40);
      expect(metric(metrics, "msq_authz_decision_log_delivered_total")).toBe(40);
      expect(metric(metrics, 'msq_authz_decision_log_uploads_total{outcome="ok"}')).toBe(sink.uploads.length);
      expect(metric(metrics, 'msq_authz_decision_log_dropped_total{reason="buffer_full"}')).toBe(0);
    } finally {
      await app.close();
      await sink.close();
    }
  });

  it("logs /v1/decide and /v1/druid decisions too, and leaves their answers as they were", async () => {
    const sink = await startSink();
    const { app, url } = await serve({ sink: sink.url, minDelayMs: 20, maxDelayMs: 40 });
    const plain = await serve();
    try {
      const druid = { http: { method: "POST", path: "/druid/v2/sql", body: { query: "SELECT COUNT(*) FROM wiki" } }, identity: { authenticated: true, user: "alice" } };
      const unknown = { http: { method: "PUT", path: "/druid/coordinator/v1/rules" }, identity: { authenticated: true, user: "admin" } };
      for (const [path, body] of [["/v1/decide", alice()], ["/v1/druid", druid], ["/v1/druid", unknown]] as const) {
        const [logged, notLogged] = await Promise.all([post(`${url}${path}`, body), post(`${plain.url}${path}`, body)]);
        expect(logged.text).toBe(notLogged.text);
      }
      // The Data API answers without a decision_id when decisions are not logged, as OPA does.
      expect(Object.keys((await post(`${plain.url}/v1/data/msq/authz/decision`, { input: alice() })).json)).toEqual(["result"]);
      await until(() => sink.events().length >= 3, "3 events");
      const [decide, sql, notFound] = sink.events();
      expect(decide).toMatchObject({ path: "msq/authz/decision", input: alice(), result: { code: "ok" } });
      // A mapped Druid request is logged as the request it maps to; one that maps to nothing as it was sent.
      expect(sql).toMatchObject({ input: { operation: "sql.query", sql: "SELECT COUNT(*) FROM wiki" }, result: { code: "ok" } });
      expect(notFound).toMatchObject({ input: unknown, result: { status: 404, code: "not_found" } });
    } finally {
      await Promise.all([app.close(), plain.app.close()]);
      await sink.close();
    }
  });

  it("delivers what it holds when the server closes, however long the delay", async () => {
    const sink = await startSink();
    const { app, url } = await serve({ sink: sink.url });
    const answer = await post(`${url}/v1/data/msq/authz/decision`, { input: alice() });
    expect(sink.uploads).toHaveLength(0); // OPA's default delay: 300 to 600 s
    await app.close();
    expect(sink.events().map((event) => event.decision_id)).toEqual([answer.json.decision_id]);
    await sink.close();
  });
});

describe("masking", () => {
  it("erases the given paths from each event as OPA's mask rules do, and never from the answer", async () => {
    const sink = await startSink();
    const mask = ["/input/identity/user", "/input/not/there", "/input/context/sqlQueryId", "/result/reasons", "/result/matched/0"];
    const { app, url } = await serve({ sink: sink.url, minDelayMs: 20, maxDelayMs: 40, mask });
    try {
      // Twice: the second is the decision cache's, which masking must not have touched.
      const answers = [await post(`${url}/v1/decide`, alice()), await post(`${url}/v1/decide`, alice())];
      for (const answer of answers) expect(answer.json).toMatchObject({ reasons: expect.arrayContaining([expect.any(String)]), matched: [{ name: "wiki" }] });
      await until(() => sink.events().length >= 2, "2 events");
      for (const event of sink.events()) {
        expect(validateEvent(event)).toBe(true);
        expect(event.erased).toEqual(["/input/identity/user", "/input/context/sqlQueryId", "/result/reasons", "/result/matched/0"]);
        expect(event.input).toEqual({ identity: { authenticated: true }, operation: "sql.task.submit", sql: "SELECT * FROM wiki", context: {} });
        const { reasons: _reasons, matched: _matched, ...kept } = answers[0]?.json ?? {};
        expect(event.result).toEqual({ ...kept, matched: [] });
      }
    } finally {
      await app.close();
      await sink.close();
    }
  });

  it("drops the whole input for /input, and refuses what OPA refuses", async () => {
    const sink = await startSink();
    const { app, url } = await serve({ sink: sink.url, minDelayMs: 20, maxDelayMs: 40, mask: ["/input"] });
    try {
      await post(`${url}/v1/decide`, alice());
      await until(() => sink.events().length >= 1, "1 event");
      expect(sink.events()[0]).not.toHaveProperty("input");
      expect(sink.events()[0]?.erased).toEqual(["/input"]);
    } finally {
      await app.close();
      await sink.close();
    }
    for (const [path, message] of [
      ["", "decision log mask must be non-empty"],
      ["input/identity", "decision log mask must be slash-prefixed: 'input/identity'"],
      ["/labels/id", "decision log mask prefix not allowed: 'labels' in '/labels/id' (input or result)"],
    ]) {
      expect(() => buildServer({ point, logLevel: "silent", decisionLog: { sink: join(tmp, "refused.log"), mask: [path as string] } })).toThrow(new DecisionLogError(message as string));
    }
  });
});

describe("decision logs to a file", () => {
  it("appends one JSON line per decision, masked, and closes with everything written", async () => {
    const file = join(tmp, "decisions.log");
    const { app, url } = await serve({ sink: file, mask: ["/input/identity/user"] });
    const answers = await many(25, 4, (i) => post(`${url}/v1/data/msq/authz/decision`, { input: alice(i) }));
    const metrics = await scrape(url);
    await app.close();
    const events = readFileSync(file, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as DecisionLogEvent);
    expect(events).toHaveLength(25);
    for (const event of events) {
      expect(validateEvent(event), JSON.stringify(validateEvent.errors)).toBe(true);
      expect(event.erased).toEqual(["/input/identity/user"]);
      expect(event.input).toMatchObject({ identity: { authenticated: true }, operation: "sql.task.submit" });
    }
    expect(new Set(events.map((event) => event.decision_id))).toEqual(new Set(answers.map((answer) => answer.json.decision_id)));
    expect(metric(metrics, "msq_authz_decision_log_events_total")).toBe(25);
  });

  it("refuses a file it cannot open, before serving", () => {
    expect(() => buildServer({ point, decisionLog: { sink: join(tmp, "no/such/dir/decisions.log") } })).toThrow(DecisionLogError);
  });
});

describe("a slow or failing sink", () => {
  it("never holds a decision, and holds no more than the buffer bound: the oldest events are dropped and counted", async () => {
    const sink = await startSink("hang");
    const bufferBytes = 32 * 1024;
    const { app, url } = await serve({ sink: sink.url, minDelayMs: 10, maxDelayMs: 20, uploadTimeoutMs: 60_000, bufferBytes });
    try {
      const buffered: number[] = [];
      const answers = await many(1500, 8, async (i) => {
        const answer = await post(`${url}/v1/data/msq/authz/decision`, { input: alice(i) });
        if (i % 100 === 0) buffered.push(metric(await scrape(url), "msq_authz_decision_log_buffer_bytes"));
        return answer;
      });
      // Every decision answered, in full, while the sink had answered no upload at all.
      expect(answers.filter((answer) => answer.status !== 200 || (answer.json.result as { code?: string }).code !== "ok")).toEqual([]);
      expect(sink.state.answered).toBe(0);
      expect(sink.state.received).toBeGreaterThanOrEqual(1);
      expect(sink.state.maxOpen).toBe(1); // one upload at a time
      const metrics = await scrape(url);
      expect(Math.max(...buffered, metric(metrics, "msq_authz_decision_log_buffer_bytes"))).toBeLessThanOrEqual(bufferBytes);
      const dropped = metric(metrics, 'msq_authz_decision_log_dropped_total{reason="buffer_full"}');
      expect(metric(metrics, "msq_authz_decision_log_events_total")).toBe(1500);
      expect(metric(metrics, "msq_authz_decision_log_delivered_total")).toBe(0);
      // About 600 bytes an event: most of 1,500 cannot fit in 32 KiB.
      expect(dropped).toBeGreaterThan(1000);
      expect(dropped).toBeLessThan(1500);
    } finally {
      await sink.close();
      await app.close();
    }
  }, 60_000);

  it("times an upload out, retries a batch a bounded number of times, then drops it and counts it", async () => {
    for (const mode of ["fail", "hang"] as const) {
      const sink = await startSink(mode);
      const { app, url } = await serve({ sink: sink.url, minDelayMs: 10, maxDelayMs: 20, uploadTimeoutMs: 200, maxRetries: 2 });
      try {
        const answers = await many(30, 3, (i) => post(`${url}/v1/decide`, alice(i)));
        expect(answers.map((answer) => answer.status)).toEqual(new Array(30).fill(200));
        await until(async () => metric(await scrape(url), 'msq_authz_decision_log_dropped_total{reason="upload_failed"}') === 30, `30 events given up (${mode})`);
        const metrics = await scrape(url);
        expect(metric(metrics, "msq_authz_decision_log_buffer_bytes")).toBe(0);
        expect(metric(metrics, 'msq_authz_decision_log_uploads_total{outcome="failed"}')).toBe(sink.state.received);
        // Each event was in at most 1 + 2 uploads.
        const seen = new Map<string, number>();
        for (const event of sink.events()) seen.set(event.decision_id, (seen.get(event.decision_id) ?? 0) + 1);
        expect(seen.size).toBe(30);
        expect(Math.max(...seen.values())).toBe(3);
      } finally {
        await sink.close();
        await app.close();
      }
    }
  }, 60_000);
});

describe("/health?bundles and ?plugins, as OPA answers them", () => {
  it("is 200 {} with the bundle activated, 500 naming it until then; plain /health keeps its body", async () => {
    const source = new BundleSource({ location: join(tmp, "nothing-yet.tar.gz"), pollIntervalMs: 3_600_000 });
    const { app, url } = await serve(undefined, { bundleSource: source, token: "s3cret" });
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    try {
      // Health probes need no token, whatever the query.
      expect(await get("/health?bundles")).toEqual({ status: 500, body: { error: "one or more bundles are not activated: msq-authz" } });
      expect(await get("/health?bundle=true")).toEqual({ status: 500, body: { error: "one or more bundles are not activated: msq-authz" } });
      expect(await get("/health?bundles=false")).toMatchObject({ status: 200, body: { status: "ok", engine: "wasm", revision: point.revision } });
      expect(await get("/health?plugins")).toEqual({ status: 500, body: { error: "one or more plugins are not up" } });
      expect(await get("/health?plugins&exclude-plugin=bundle")).toEqual({ status: 200, body: {} });
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      source.activated(await loadBundle());
      expect(await get("/health?bundles")).toEqual({ status: 200, body: {} });
      expect(await get("/health?plugins")).toEqual({ status: 200, body: {} });
      expect(await get("/health?bundles=TRUE")).toEqual({ status: 200, body: {} });
      expect(await get("/health")).toEqual({ status: 200, body: { status: "ok", engine: "wasm", revision: point.revision, bundle: source.status } });
    } finally {
      await app.close();
    }
    const loaded = await serve();
    try {
      expect(await (await fetch(`${loaded.url}/health?bundles`)).json()).toEqual({});
    } finally {
      await loaded.app.close();
    }
  });
});

async function waitFor(url: string, ok = (status: number) => status < 600): Promise<void> {
  await until(async () => {
    try {
      return ok((await fetch(url)).status);
    } catch {
      return false;
    }
  }, url, 20_000);
}

describe.skipIf(!existsSync(opaBin))("a stock OPA agent, as the oracle", () => {
  let opa: ChildProcess | undefined;
  afterAll(() => {
    opa?.kill();
  });

  it("writes the same event fields, in the same order, masks the same way, uploads with the same headers", async () => {
    const sink = await startSink();
    const policy = join(tmp, "opa-policy");
    const files: Record<string, string> = {
      "msq/authz/decision.rego": 'package msq.authz\n\ndecision := {"allow": false, "code": "forbidden"}\n',
      "system/log/mask.rego": 'package system.log\n\nmask contains "/input/identity/user"\n\nmask contains "/input/not/there"\n\nmask contains "/input/parameters/0"\n',
      ".manifest": JSON.stringify({ revision: "rev-1", roots: ["msq", "system"] }),
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(policy, name)), { recursive: true });
      writeFileSync(join(policy, name), text);
    }
    const config = join(tmp, "opa-config.yaml");
    writeFileSync(config, `services:\n  sink:\n    url: ${sink.url.replace(/\/logs$/u, "")}\ndecision_logs:\n  service: sink\n  reporting:\n    min_delay_seconds: 1\n    max_delay_seconds: 1\n`);
    const port = await freePort();
    opa = spawn(opaBin, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--config-file", config, "--bundle", policy], { stdio: "ignore" });
    await waitFor(`http://127.0.0.1:${port}/health`, (status) => status === 200);
    const { app, url } = await serve({ sink: sink.url, minDelayMs: 20, maxDelayMs: 40, mask: ["/input/identity/user", "/input/not/there", "/input/parameters/0"] });
    try {
      const input = { identity: { authenticated: true, user: "alice" }, operation: "sql.query", sql: "SELECT ?", parameters: [{ type: "VARCHAR", value: "a" }, { type: "VARCHAR", value: "b" }] };
      const [theirs, ours] = await Promise.all([post(`http://127.0.0.1:${port}/v1/data/msq/authz/decision`, { input }), post(`${url}/v1/data/msq/authz/decision`, { input })]);
      expect(Object.keys(ours.json)).toEqual(Object.keys(theirs.json));
      await until(() => sink.events().length >= 2, "an event from each");
      const theirEvent = sink.events().find((event) => event.decision_id === theirs.json.decision_id) as DecisionLogEvent;
      const ourEvent = sink.events().find((event) => event.decision_id === ours.json.decision_id) as DecisionLogEvent;
      // OPA's own event fits the shape msq-authz documents.
      expect(validateEvent(theirEvent), JSON.stringify(validateEvent.errors)).toBe(true);
      expect(validateEvent(ourEvent)).toBe(true);
      expect(theirEvent.labels).toEqual({ id: expect.any(String), version: expect.any(String) });
      expect(theirEvent.bundles).toEqual({ [policy]: { revision: "rev-1" } });
      expect(Object.keys(ourEvent).filter((key) => key !== "requested_by")).toEqual(Object.keys(theirEvent));
      expect(ourEvent.erased).toEqual(theirEvent.erased);
      expect(ourEvent.input).toEqual(theirEvent.input);
      const headers = (decisionId: unknown) => sink.uploads.find((upload) => upload.events.some((event) => event.decision_id === decisionId))?.headers;
      for (const name of ["content-encoding", "content-type"]) expect(headers(ours.json.decision_id)?.[name]).toBe(headers(theirs.json.decision_id)?.[name]);
    } finally {
      await app.close();
      await sink.close();
      opa.kill();
    }
  }, 60_000);

  it("answers /health?bundles and ?plugins with the same status and body", async () => {
    const config = join(tmp, "opa-unreachable.yaml");
    writeFileSync(config, "services:\n  nowhere:\n    url: http://127.0.0.1:9\nbundles:\n  msq-authz:\n    service: nowhere\n    resource: bundles/msq-authz.tar.gz\n");
    const port = await freePort();
    opa = spawn(opaBin, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--config-file", config], { stdio: "ignore" });
    await waitFor(`http://127.0.0.1:${port}/health`);
    const source = new BundleSource({ location: "http://127.0.0.1:9/bundles/msq-authz.tar.gz", pollIntervalMs: 3_600_000 });
    const { app, url } = await serve(undefined, { bundleSource: source });
    try {
      for (const path of ["/health?bundles", "/health?bundle", "/health?plugins", "/health?plugins&exclude-plugin=bundle", "/health?bundles=false"]) {
        const [theirs, ours] = await Promise.all([fetch(`http://127.0.0.1:${port}${path}`), fetch(`${url}${path}`)]);
        const theirBody = (await theirs.json()) as unknown;
        if (path.endsWith("=false")) {
          expect([ours.status, theirs.status, theirBody]).toEqual([200, 200, {}]); // not asked: each its plain health
          continue;
        }
        expect({ path, status: ours.status, body: (await ours.json()) as unknown }).toEqual({ path, status: theirs.status, body: theirBody });
      }
    } finally {
      await app.close();
      opa.kill();
    }
  }, 30_000);
});

describe("msq-authz serve --decision-log", () => {
  it("refuses decision-log options without --decision-log, and bad values, in one line", async () => {
    expect(await cli(["serve", "--decision-log-mask", "/input/identity/user"])).toEqual({ code: 2, stdout: "", stderr: "msq-authz: --decision-log-mask needs --decision-log\n" });
    expect(await cli(["serve", "--decision-log", "x.log", "--decision-log-buffer", "lots"])).toEqual({ code: 2, stdout: "", stderr: "msq-authz: --decision-log-buffer must be a number of bytes, not 'lots'\n" });
    expect((await cli(["serve", "--decision-log", "x.log", "--decision-log-min-delay", "1"])).stderr).toBe("msq-authz: --decision-log-min-delay and --decision-log-max-delay go together\n");
    const unopenable = await cli(["serve", "--grants", join(root, "examples/grants.json"), "--decision-log", join(tmp, "no/dir/x.log")]);
    expect([unopenable.code, unopenable.stderr]).toEqual([2, expect.stringMatching(/^msq-authz: decision log file '.*x\.log' cannot be opened for appending: ENOENT.*\n$/u)]);
    const badMask = await cli(["serve", "--grants", join(root, "examples/grants.json"), "--decision-log", join(tmp, "y.log"), "--decision-log-mask", "/labels"]);
    expect(badMask).toEqual({ code: 2, stdout: "", stderr: "msq-authz: decision log mask prefix not allowed: 'labels' in '/labels' (input or result)\n" });
  });

  it("uploads to the sink when SIGTERM closes it, masked, under the decision_id the client got", async () => {
    const sink = await startSink();
    const port = await freePort();
    const child = spawn("node", [join(root, "dist/cli/main.js"), "serve", "--grants", join(root, "examples/grants.json"), "--port", String(port),
      "--decision-log", sink.url, "--decision-log-mask", "/input/identity/user"], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitFor(`http://127.0.0.1:${port}/health?bundles`, (status) => status === 200);
      const answer = await post(`http://127.0.0.1:${port}/v1/data/msq/authz/decision`, { input: alice() });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(sink.events()).toEqual([expect.objectContaining({ decision_id: answer.json.decision_id, erased: ["/input/identity/user"], result: answer.json.result })]);
    } finally {
      child.kill("SIGKILL");
      await sink.close();
    }
  }, 30_000);
});

describe("timestamps", () => {
  it("are written as Go's time.RFC3339Nano writes them", () => {
    expect(rfc3339Nano(1_795_682_476_734_214_262n)).toBe("2026-11-26T08:41:16.734214262Z");
    expect(rfc3339Nano(1_795_682_476_730_000_000n)).toBe("2026-11-26T08:41:16.73Z");
    expect(rfc3339Nano(1_795_682_476_000_000_000n)).toBe("2026-11-26T08:41:16Z");
  });
});
