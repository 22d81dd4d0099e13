// The decision point as an HTTP service: OPA's Data API shape (so OPA clients work unchanged), a bare-request
// endpoint, a Druid-request endpoint for gateways, health and Prometheus metrics.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { refusal } from "../decision.js";
import { readDruidJson } from "../json/druid-json.js";
import type { BundleSource } from "../bundle/source.js";
import type { DecisionPoint } from "../decision-point.js";
import type { Decision } from "../types.js";
import { type DruidHttpRequest, mapDruidRequest } from "./druid-http.js";
import { serviceMetrics } from "./metrics.js";

export interface ServerOptions {
  point: DecisionPoint;
  /** Callers must send `Authorization: Bearer <token>` (all but /health). */
  token?: string;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones are a 413. */
  bodyLimit?: number;
  /**
   * A request whose headers, or whose whole body, take longer to arrive is cut off with a 408 and its connection
   * closed (default 10 s each, checked every second).
   */
  requestTimeoutMs?: number;
  logLevel?: string;
  /** The source new bundle revisions come from: its status shows in /health, its failures in /metrics. */
  bundleSource?: BundleSource;
  /** Serve the bundles in this directory at GET /bundles/<name>, with ETags (a bundle server for OPA agents too). */
  bundlesDir?: string;
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const { point } = options;
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default), so a slow body would be cut
    // at 30-60 s; checked every second, a request is cut within a second of its deadline.
    http: { headersTimeout: requestTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    // Requests are logged at info; the default level, warn, keeps a busy sidecar quiet.
    logger: { level: options.logLevel ?? "warn", redact: ["req.headers.authorization"] },
  });
  const metrics = serviceMetrics(point.engine, point.revision, () => point.caches());
  options.bundleSource?.on("error", (error) => {
    metrics.reloadFailed();
    app.log.warn({ err: error.message }, "bundle refused; the current revision keeps serving");
  });
  options.bundleSource?.on("activated", (bundle) => metrics.activated(bundle.manifest.revision));
  // Read when a refusal is made: the point may have swapped to another revision since the server started.
  const stamp = () => ({ engine: point.engine, revision: point.revision });

  // Bodies stay text: decideJson answers a repeated request from its text without parsing it.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    const code = status === 413 ? "request_too_large" : status < 500 ? "invalid_request" : "internal_error";
    void reply.status(status).send({ code, message: error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: "not_found", message: `no endpoint ${request.method} ${request.url}` });
  });

  if (options.token !== undefined) {
    const expected = Buffer.from(`Bearer ${options.token}`);
    app.addHook("onRequest", async (request, reply) => {
      if (request.url === "/health") return;
      const given = Buffer.from(request.headers.authorization ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        await reply.status(401).header("www-authenticate", "Bearer").send({ code: "unauthorized", message: "a valid bearer token is required" });
      }
    });
  }

  const answer = async (reply: FastifyReply, started: bigint, decision: Decision, wrap: boolean): Promise<void> => {
    metrics.observe(decision.code, Number(process.hrtime.bigint() - started) / 1e9);
    await reply.send(wrap ? { result: decision } : decision);
  };

  app.get("/health", async () => ({
    status: "ok",
    engine: point.engine,
    revision: point.revision,
    ...(options.bundleSource ? { bundle: options.bundleSource.status } : {}),
  }));

  if (options.bundlesDir !== undefined) {
    const dir = options.bundlesDir;
    app.get("/bundles/:name", async (request, reply) => {
      const { name } = request.params as { name: string };
      // Plain file names only: nothing outside the directory can be asked for.
      if (!/^[\w.-]+\.tar\.gz$/u.test(name)) return reply.status(404).send({ code: "not_found", message: `no bundle ${name}` });
      let bytes: Buffer;
      try {
        bytes = await readFile(join(dir, name));
      } catch {
        return reply.status(404).send({ code: "not_found", message: `no bundle ${name}` });
      }
      const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
      void reply.header("etag", etag).header("cache-control", "no-cache");
      if (request.headers["if-none-match"] === etag) return reply.status(304).send();
      return reply.header("content-type", "application/gzip").send(bytes);
    });
  }
  app.get("/metrics", async (_request, reply) => {
    await reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.post("/v1/decide", async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(String(request.body ?? ""));
    if (!body.ok) return reply.status(400).send({ code: "invalid_request", message: body.message });
    await answer(reply, started, await point.decide(body.value), false);
  });

  // OPA's Data API: {"input": ...} in, {"result": ...} out.
  app.post("/v1/data/msq/authz/decision", async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(String(request.body ?? "{}"));
    if (!body.ok) return reply.status(400).send({ code: "invalid_parameter", message: body.message });
    const input = (body.value as { input?: unknown } | null)?.input;
    await answer(reply, started, await point.decide(input), true);
  });

  app.post("/v1/druid", async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(String(request.body ?? ""));
    if (!body.ok) return reply.status(400).send({ code: "invalid_request", message: body.message });
    const druid = body.value as Partial<DruidHttpRequest> | null;
    if (typeof druid?.http?.method !== "string" || typeof druid.http.path !== "string") {
      return answer(reply, started, refusal(400, "invalid_request", ["INPUT (Request shape): /http: needs method and path"], stamp()), false);
    }
    const mapped = mapDruidRequest(druid as DruidHttpRequest);
    if ("invalid" in mapped) {
      return answer(reply, started, refusal(400, "invalid_request", [`INPUT (Request shape): ${mapped.invalid}`], stamp()), false);
    }
    if ("unknown" in mapped) {
      return answer(reply, started, refusal(404, "not_found", [`INPUT (Request shape): Druid has no endpoint ${mapped.unknown}`], stamp()), false);
    }
    await answer(reply, started, await point.decide(mapped.request), false);
  });

  return app;
}

/**
 * Bodies are read as Druid's Jackson reads them: strict JSON, and no object with a key twice (which JSON.parse
 * would read as its last value and Jackson, for a polymorphic type, as its first).
 */
function parseBody(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const read = readDruidJson(text);
  if ("error" in read) return { ok: false, message: `request body is not JSON as Druid reads it: ${read.error.message}` };
  return { ok: true, value: read.value };
}
