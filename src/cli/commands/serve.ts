// msq-authz serve: the decision point as an HTTP service, following a bundle server when given one.
import { followBundles } from "../../bundle/follow.js";
import { BundleSource, type DownloadTimeouts } from "../../bundle/source.js";
import type { PolicyBundle } from "../../bundle/load.js";
import type { DecisionPoint } from "../../decision-point.js";
import { basename } from "node:path";
import { buildServer } from "../../server/app.js";
import { DECISION_LOG_DEFAULTS, type DecisionLogOptions } from "../../server/decision-log.js";
import { type Command, type Io, UsageError, write } from "../command.js";
import { createDecisionPool } from "../../pool/decision-pool.js";
import { type Values, decisionPoint, decisionPointOptions, list, numberOption, policyOptions, str, verificationOf } from "../inputs.js";

const logLevels = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
const seconds = (n: number): boolean => Number.isFinite(n) && n > 0;

export const serve: Command = {
  name: "serve",
  summary: "the decision point as an HTTP service: OPA's Data API, the Druid-request endpoint, health and metrics",
  synopsis: "[--host HOST] [--port N] [--token TOKEN] [--bundle PATH|URL] [options]",
  description:
    "Endpoints: POST /v1/data/msq/authz/decision (OPA's Data API), POST /v1/data/msq/druid/allow (Druid's own OPA\n" +
    "authorizer: point druid.auth.authorizer.<name>.opaUri at it), POST /v1/decide, POST /v1/druid, GET /health\n" +
    "(?bundles: OPA's bundle-activation check), GET /metrics. Loopback by default; bound elsewhere, give it a --token\n" +
    "(or run it behind mTLS). A bundle URL, or --poll-interval on a file, is followed: each new revision is verified,\n" +
    "loaded and swapped in. --decision-log writes one event per decision in OPA's decision-log format: JSON lines to a\n" +
    "file, or gzip-compressed JSON arrays POSTed to an http(s) URL as OPA's decision-log plugin uploads them.",
  options: [
    { name: "host", type: "string", value: "HOST", summary: "the address to listen on (default 127.0.0.1)" },
    { name: "port", type: "string", value: "N", summary: "the port (default 8181)" },
    { name: "token", type: "string", value: "TOKEN", summary: "require \"Authorization: Bearer TOKEN\" on all but /health (or set MSQ_AUTHZ_TOKEN)" },
    {
      name: "druid-without-token",
      type: "boolean",
      summary: "answer Druid's OPA authorizer without the token (Druid sends none): only where Druid alone can reach serve",
    },
    {
      name: "workers",
      type: "string",
      value: "N",
      summary: "decide in N worker threads, each with its own policy, so that an expensive decision holds up no other (default 0: in the serving thread)",
    },
    { name: "body-limit", type: "string", value: "BYTES", summary: "the largest request body (default 1048576); larger ones are a 413" },
    { name: "log-level", type: "string", value: "LEVEL", summary: "fatal, error, warn (default), info (logs each request), debug, trace or silent" },
    { name: "poll-interval", type: "string", value: "SEC", summary: "poll --bundle for new revisions every SEC seconds (default 30)" },
    { name: "bundle-connect-timeout", type: "string", value: "SEC", summary: "a bundle download fails when the connection takes longer to open (default 10)" },
    { name: "bundle-header-timeout", type: "string", value: "SEC", summary: "... or its answer longer to start (default 10)" },
    { name: "bundle-idle-timeout", type: "string", value: "SEC", summary: "... or the next piece of its body longer to come (default 10)" },
    { name: "bundle-timeout", type: "string", value: "SEC", summary: "... or the whole download longer (default 120)" },
    { name: "bundles", type: "string", value: "DIR", summary: "also serve the bundles in DIR at GET /bundles/<name>, with ETags" },
    { name: "decision-log", type: "string", value: "FILE|URL", summary: "log each decision in OPA's decision-log format: appended to FILE, or uploaded to an http(s) URL" },
    { name: "decision-log-mask", type: "string", value: "PATH", multiple: true, summary: "erase PATH from each event, as OPA's mask rules do: /input/identity/user (repeatable)" },
    { name: "decision-log-buffer", type: "string", value: "BYTES", summary: `events waiting for the sink, at most (default ${DECISION_LOG_DEFAULTS.bufferBytes}); beyond it the oldest are dropped` },
    { name: "decision-log-upload-limit", type: "string", value: "BYTES", summary: `the largest upload, compressed (default ${DECISION_LOG_DEFAULTS.uploadSizeLimitBytes}, OPA's upload_size_limit_bytes)` },
    { name: "decision-log-min-delay", type: "string", value: "SEC", summary: `wait at least SEC between uploads (default ${DECISION_LOG_DEFAULTS.minDelayMs / 1000}, OPA's min_delay_seconds; give both)` },
    { name: "decision-log-max-delay", type: "string", value: "SEC", summary: `... and at most SEC (default ${DECISION_LOG_DEFAULTS.maxDelayMs / 1000}, OPA's max_delay_seconds)` },
    { name: "decision-log-timeout", type: "string", value: "SEC", summary: `an upload fails when the sink takes longer to answer (default ${DECISION_LOG_DEFAULTS.uploadTimeoutMs / 1000})` },
    { name: "decision-log-retries", type: "string", value: "N", summary: `times a failed upload is retried before its events are dropped (default ${DECISION_LOG_DEFAULTS.maxRetries})` },
    ...policyOptions,
  ],
  examples: [
    "msq-authz serve --grants examples/grants.json --config examples/settings.json --port 8181",
    "msq-authz serve --bundle http://bundles.internal/msq-authz.tar.gz --verification-key public.pem --token \"$TOKEN\" --host 0.0.0.0",
    "msq-authz serve --grants grants.json --decision-log http://logs.internal/logs --decision-log-mask /input/identity/user",
  ],
  async run({ values }, io) {
    const port = numberOption(values, "port", (n) => Number.isInteger(n) && n >= 0 && n <= 65535, "a port number") ?? 8181;
    const bodyLimit = numberOption(values, "body-limit", (n) => Number.isInteger(n) && n >= 1, "a number of bytes") ?? 1024 * 1024;
    const logLevel = str(values, "log-level");
    if (logLevel !== undefined && !logLevels.has(logLevel)) throw new UsageError(`--log-level must be one of ${[...logLevels].join(", ")}, not '${logLevel}'`);
    const host = str(values, "host") ?? "127.0.0.1";
    const token = str(values, "token") ?? io.env.MSQ_AUTHZ_TOKEN;
    const decisionLog = decisionLogOf(values);
    const { point, source } = await pointAndSource(values, io);
    const bundlesDir = str(values, "bundles");
    const bundle = str(values, "bundle");
    let app: ReturnType<typeof buildServer>;
    try {
      app = buildServer({
        point,
        ...(source ? { bundleSource: source } : {}),
        ...(bundlesDir ? { bundlesDir } : {}),
        bodyLimit,
        ...(token ? { token } : {}),
        ...(values["druid-without-token"] === true ? { druidWithoutToken: true } : {}),
        ...(logLevel ? { logLevel } : {}),
        ...(decisionLog ? { decisionLog } : {}),
        ...(bundle ? { bundleName: bundleNameOf(bundle) } : {}),
      });
    } catch (error) {
      source?.stop();
      throw error;
    }
    let address: string;
    try {
      address = await app.listen({ host, port });
    } catch (error) {
      source?.stop();
      await app.close().catch(() => undefined);
      throw new UsageError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error });
    }
    await write(io.stderr, `msq-authz: serving decisions at ${address} (engine ${point.engine}, revision ${point.revision})\n`);
    if (!token && !isLoopback(host)) {
      await write(io.stderr, `msq-authz: warning: listening on ${host} without --token: anyone who can reach it can ask for decisions\n`);
    } else if (values["druid-without-token"] === true && !isLoopback(host)) {
      await write(io.stderr, `msq-authz: warning: Druid's authorizer route is open without the token to anyone who can reach ${host}\n`);
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

/** A bundle's name in decision logs and /health?bundles: its file or directory name, without .tar.gz. */
function bundleNameOf(location: string): string {
  const path = /^https?:\/\//u.test(location) ? new URL(location).pathname : location;
  return basename(path.replace(/\/+$/u, "")).replace(/\.tar\.gz$/u, "") || "msq-authz";
}

function decisionLogOf(values: Values): DecisionLogOptions | undefined {
  const sink = str(values, "decision-log");
  const flags = ["decision-log-mask", "decision-log-buffer", "decision-log-upload-limit", "decision-log-min-delay", "decision-log-max-delay", "decision-log-timeout", "decision-log-retries"];
  if (sink === undefined) {
    const stray = flags.find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --decision-log`);
    return undefined;
  }
  const bytes = (flag: string) => numberOption(values, flag, (n) => Number.isInteger(n) && n >= 1, "a number of bytes");
  const ms = (flag: string, check: (n: number) => boolean, what: string) => {
    const given = numberOption(values, flag, check, what);
    return given === undefined ? undefined : Math.round(given * 1000);
  };
  const timeout = numberOption(values, "decision-log-timeout", seconds, "a number of seconds above 0");
  const retries = numberOption(values, "decision-log-retries", (n) => Number.isInteger(n) && n >= 0, "a whole number");
  const options: DecisionLogOptions = { sink, mask: list(values, "decision-log-mask") };
  const given = {
    bufferBytes: bytes("decision-log-buffer"),
    uploadSizeLimitBytes: bytes("decision-log-upload-limit"),
    minDelayMs: ms("decision-log-min-delay", (n) => Number.isFinite(n) && n >= 0, "a number of seconds"),
    maxDelayMs: ms("decision-log-max-delay", seconds, "a number of seconds above 0"),
    uploadTimeoutMs: timeout === undefined ? undefined : Math.round(timeout * 1000),
    maxRetries: retries,
  };
  for (const [key, value] of Object.entries(given) as [keyof typeof given, number | undefined][]) if (value !== undefined) options[key] = value;
  // Given together or not at all, as OPA's min_delay_seconds and max_delay_seconds are.
  if ((given.minDelayMs === undefined) !== (given.maxDelayMs === undefined)) {
    throw new UsageError("--decision-log-min-delay and --decision-log-max-delay go together");
  }
  if (given.minDelayMs !== undefined && given.maxDelayMs !== undefined && given.maxDelayMs < given.minDelayMs) {
    throw new UsageError("--decision-log-max-delay must be at least --decision-log-min-delay");
  }
  return options;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./u.test(host);
}

async function pointAndSource(values: Values, io: Io): Promise<{ point: DecisionPoint; source?: BundleSource }> {
  const bundle = str(values, "bundle");
  const pollSeconds = numberOption(values, "poll-interval", seconds, "a number of seconds above 0");
  const follow = bundle !== undefined && (/^https?:\/\//u.test(bundle) || pollSeconds !== undefined);
  const workers = numberOption(values, "workers", (n) => Number.isInteger(n) && n >= 0 && n <= 64, "a whole number from 0 to 64") ?? 0;
  const pointOf = async (loaded?: PolicyBundle): Promise<DecisionPoint> =>
    workers === 0
      ? decisionPoint(values, io, loaded)
      : createDecisionPool(await decisionPointOptions(values, io, loaded), workers);
  if (!follow || bundle === undefined) return { point: await pointOf() };
  const verification = await verificationOf(values, io);
  const source = new BundleSource({
    location: bundle,
    pollIntervalMs: (pollSeconds ?? 30) * 1000,
    timeouts: downloadTimeouts(values),
    ...(verification ? { verification } : {}),
  });
  const first = await source.fetch();
  if (!first) throw new UsageError(`--bundle: ${bundle} offered no bundle`);
  const point = await pointOf(first);
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

