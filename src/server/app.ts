// The decision point as an HTTP service: OPA's Data API shape (so OPA clients work unchanged), a bare-request
// endpoint, a Druid-request endpoint for gateways, health and Prometheus metrics, optionally a bundle server and
// decision logs in OPA's format. This module assembles the server (limits, body parsing, the bearer-token check,
// error bodies, the decision log's lifetime); each route family is a module in routes/.
import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { BundleSource } from "../bundle/source.js";
import type { DecisionPoint } from "../decision-point.js";
import type { ServerContext } from "./context.js";
import { DecisionLog, type DecisionLogOptions } from "./decision-log.js";
import { decisionLogMetrics, serviceMetrics } from "./metrics.js";
import { bundleRoutes } from "./routes/bundles.js";
import { decideRoutes } from "./routes/decide.js";
import { druidAuthorizerRoutes } from "./routes/druid-authorizer.js";
import { druidHttpRoutes } from "./routes/druid-http.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoutes } from "./routes/metrics.js";
import { opaDataRoutes } from "./routes/opa-data.js";

export interface ServerOptions {
  point: DecisionPoint;
  /** Callers must send `Authorization: Bearer <token>` (all but /health). */
  token?: string;
  /**
   * Answer Druid's OPA authorizer (POST /v1/data/msq/druid/allow) without the token: Druid sends no Authorization
   * header. Only for a serve that Druid alone can reach (a loopback sidecar, or behind mTLS).
   */
  druidWithoutToken?: boolean;
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
  /**
   * Log every decision in OPA's decision-log format, to a file or an HTTP sink. The sink is opened here: a file that
   * cannot be opened, or a mask OPA would refuse, throws DecisionLogError.
   */
  decisionLog?: DecisionLogOptions;
  /** The bundle's name in decision logs and /health?bundles (default "msq-authz"). */
  bundleName?: string;
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

  const bundleName = options.bundleName ?? "msq-authz";
  let decisionLog: DecisionLog | undefined;
  if (options.decisionLog) {
    const counted = decisionLogMetrics(metrics.registry, () => decisionLog?.bufferedBytes ?? 0);
    decisionLog = new DecisionLog(options.decisionLog, bundleName, { ...counted, warn: (message) => app.log.warn(message) });
    const log = decisionLog;
    // Closing the server delivers what the log holds, within the upload timeout.
    app.addHook("onClose", async () => log.close());
  }

  // Bodies stay bytes: each route reads them as Druid's Jackson does (src/server/body.ts), where fastify would decode
  // malformed UTF-8 with replacement characters and JSON.parse take a key given twice at its last value.
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

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
      // Routes declare themselves public (`config: {public: true}`): /health, whatever its query.
      if (request.routeOptions.config?.public === true) return;
      const given = Buffer.from(request.headers.authorization ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        await reply.status(401).header("www-authenticate", "Bearer").send({ code: "unauthorized", message: "a valid bearer token is required" });
      }
    });
  }

  const context: ServerContext = {
    point,
    metrics,
    bundleName,
    ...(decisionLog ? { decisionLog } : {}),
    ...(options.bundleSource ? { bundleSource: options.bundleSource } : {}),
  };
  healthRoutes(app, context);
  metricsRoutes(app, context);
  if (options.bundlesDir !== undefined) bundleRoutes(app, options.bundlesDir);
  // The routes that decide: each answers through answer() (counted, answered, logged).
  decideRoutes(app, context);
  opaDataRoutes(app, context);
  druidHttpRoutes(app, context);
  druidAuthorizerRoutes(app, context, options.druidWithoutToken === true);
  return app;
}
