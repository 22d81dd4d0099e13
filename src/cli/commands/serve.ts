// msq-authz serve: the decision point as an HTTP service, following a bundle server when given one.
import { followBundles } from "../../bundle/follow.js";
import { BundleSource, type DownloadTimeouts } from "../../bundle/source.js";
import type { DecisionPoint } from "../../decision-point.js";
import { buildServer } from "../../server/app.js";
import { type Command, type Io, UsageError, write } from "../command.js";
import { type Values, decisionPoint, numberOption, policyOptions, str, usageOnFailure, verificationOf } from "../inputs.js";

const logLevels = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
const seconds = (n: number): boolean => Number.isFinite(n) && n > 0;

export const serve: Command = {
  name: "serve",
  summary: "the decision point as an HTTP service: OPA's Data API, the Druid-request endpoint, health and metrics",
  synopsis: "[--host HOST] [--port N] [--token TOKEN] [--bundle PATH|URL] [options]",
  description:
    "Endpoints: POST /v1/data/msq/authz/decision (OPA's Data API), POST /v1/decide, POST /v1/druid, GET /health,\n" +
    "GET /metrics. Loopback by default; bound elsewhere, give it a --token (or run it behind mTLS). A bundle URL, or\n" +
    "--poll-interval on a file, is followed: each new revision is verified, loaded and swapped in.",
  options: [
    { name: "host", type: "string", value: "HOST", summary: "the address to listen on (default 127.0.0.1)" },
    { name: "port", type: "string", value: "N", summary: "the port (default 8181)" },
    { name: "token", type: "string", value: "TOKEN", summary: "require \"Authorization: Bearer TOKEN\" on all but /health (or set MSQ_AUTHZ_TOKEN)" },
    { name: "body-limit", type: "string", value: "BYTES", summary: "the largest request body (default 1048576); larger ones are a 413" },
    { name: "log-level", type: "string", value: "LEVEL", summary: "fatal, error, warn (default), info (logs each request), debug, trace or silent" },
    { name: "poll-interval", type: "string", value: "SEC", summary: "poll --bundle for new revisions every SEC seconds (default 30)" },
    { name: "bundle-connect-timeout", type: "string", value: "SEC", summary: "a bundle download fails when the connection takes longer to open (default 10)" },
    { name: "bundle-header-timeout", type: "string", value: "SEC", summary: "... or its answer longer to start (default 10)" },
    { name: "bundle-idle-timeout", type: "string", value: "SEC", summary: "... or the next piece of its body longer to come (default 10)" },
    { name: "bundle-timeout", type: "string", value: "SEC", summary: "... or the whole download longer (default 120)" },
    { name: "bundles", type: "string", value: "DIR", summary: "also serve the bundles in DIR at GET /bundles/<name>, with ETags" },
    ...policyOptions,
  ],
  examples: [
    "msq-authz serve --grants examples/grants.json --config examples/settings.json --port 8181",
    "msq-authz serve --bundle http://bundles.internal/msq-authz.tar.gz --verification-key public.pem --token \"$TOKEN\" --host 0.0.0.0",
  ],
  async run({ values }, io) {
    const port = numberOption(values, "port", (n) => Number.isInteger(n) && n >= 0 && n <= 65535, "a port number") ?? 8181;
    const bodyLimit = numberOption(values, "body-limit", (n) => Number.isInteger(n) && n >= 1, "a number of bytes") ?? 1024 * 1024;
    const logLevel = str(values, "log-level");
    if (logLevel !== undefined && !logLevels.has(logLevel)) throw new UsageError(`--log-level must be one of ${[...logLevels].join(", ")}, not '${logLevel}'`);
    const host = str(values, "host") ?? "127.0.0.1";
    const token = str(values, "token") ?? io.env.MSQ_AUTHZ_TOKEN;
    const { point, source } = await pointAndSource(values, io);
    const bundlesDir = str(values, "bundles");
    const app = buildServer({
      point,
      ...(source ? { bundleSource: source } : {}),
      ...(bundlesDir ? { bundlesDir } : {}),
      bodyLimit,
      ...(token ? { token } : {}),
      ...(logLevel ? { logLevel } : {}),
    });
    let address: string;
    try {
      address = await app.listen({ host, port });
    } catch (error) {
      source?.stop();
      throw new UsageError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error });
    }
    await write(io.stderr, `msq-authz: serving decisions at ${address} (engine ${point.engine}, revision ${point.revision})\n`);
    if (!token && !isLoopback(host)) {
      await write(io.stderr, `msq-authz: warning: listening on ${host} without --token: anyone who can reach it can ask for decisions\n`);
    }
    // SIGTERM or SIGINT: stop polling for bundles, stop accepting, finish the requests in flight, then exit.
    await new Promise<void>((resolve) => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
          source?.stop();
          void app.close().then(() => resolve());
        });
      }
    });
    return 0;
  },
};

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./u.test(host);
}

async function pointAndSource(values: Values, io: Io): Promise<{ point: DecisionPoint; source?: BundleSource }> {
  const bundle = str(values, "bundle");
  const pollSeconds = numberOption(values, "poll-interval", seconds, "a number of seconds above 0");
  const follow = bundle !== undefined && (/^https?:\/\//u.test(bundle) || pollSeconds !== undefined);
  if (!follow || bundle === undefined) return { point: await decisionPoint(values, io) };
  const verification = await verificationOf(values, io);
  const source = new BundleSource({
    location: bundle,
    pollIntervalMs: (pollSeconds ?? 30) * 1000,
    timeouts: downloadTimeouts(values),
    ...(verification ? { verification } : {}),
  });
  const first = await usageOnFailure(source.fetch());
  if (!first) throw new UsageError(`--bundle: ${bundle} offered no bundle`);
  const point = await decisionPoint({ ...values, bundle: undefined }, io, first);
  followBundles(point, source);
  return { point, source };
}

function downloadTimeouts(values: Values): Partial<DownloadTimeouts> {
  const flags = { connectMs: "bundle-connect-timeout", headersMs: "bundle-header-timeout", idleMs: "bundle-idle-timeout", totalMs: "bundle-timeout" } as const;
  const timeouts: Partial<DownloadTimeouts> = {};
  for (const [key, flag] of Object.entries(flags) as [keyof DownloadTimeouts, string][]) {
    const given = numberOption(values, flag, seconds, "a number of seconds above 0");
    if (given !== undefined) timeouts[key] = Math.round(given * 1000);
  }
  return timeouts;
}

