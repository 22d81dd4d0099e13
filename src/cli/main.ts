#!/usr/bin/env node
// msq-authz command line. Exit codes: 0 the command did its job (for decide: the decision was computed, whatever
// it says); 1 a review or check failed; 2 bad usage or unreadable input, with one line on stderr.
import { constants, createReadStream } from "node:fs";
import { access, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createDecisionPoint, type DecisionPoint } from "../decision-point.js";
import type { SigningAlgorithm, VerificationOptions } from "../bundle/verify.js";
import { BundleError, ConfigError, MsqAuthzError } from "../errors.js";
import { buildBundle, inspect, verify } from "./bundle.js";
import { type Process, checkStorage } from "../storage/preflight.js";
import type { EngineName } from "../types.js";
import { explain } from "./explain.js";
import { UsageError, loadGrants, loadSettings, readInputFile, readJsonFile } from "./input.js";
import { describePreflight } from "./s3-check.js";
import { audit } from "../audit/audit.js";
import { buildServer } from "../server/app.js";
import { followBundles } from "../bundle/follow.js";
import type { PolicyBundle } from "../bundle/load.js";
import { BundleSource, type DownloadTimeouts } from "../bundle/source.js";
import { checkGrants } from "../grants.js";
import { importBasicSecurity } from "../import/basic-security.js";
import { auditMarkdown, auditText } from "../audit/render.js";
import { loadReview } from "../review/load.js";
import { junitXml, summaryText } from "../review/report.js";
import { runReview } from "../review/run.js";

const usage = `usage: msq-authz <command> [options]

commands:
  decide    decide one request (--request FILE, or stdin) or a batch (--batch FILE.jsonl: one request per line,
            one decision per line, in order); prints decision JSON
  explain   decide one request and explain it: what was required, which role and pattern granted it, what is
            missing, and the smallest grant that would allow it
  review    run review files (YAML or JSON: grants, settings and expectations) on both engines:
            msq-authz review FILES... [--junit FILE] [--json]; exit 1 when an expectation fails
  audit     who can do what under --grants (and settings), asked of the policy, and risky-grant findings;
            a table on a terminal, --json or --markdown
  import    Druid basic-security API exports (users or roles with ?full, either permission shape, group
            mappings) and runtime.properties files into grants and settings JSON:
            msq-authz import FILES... [--grants-out FILE] [--settings-out FILE]
  bundle    bundle build --output FILE.tar.gz [--target wasm|rego] [--grants F] [--config F] [--revision R] [--signing-key PEM
            --signing-alg RS256|ES256|HS256 --scope S --key-id K]; bundle verify FILE --verification-key PEM
            (exit 0 valid, 1 refused, with the reason); bundle inspect FILE
  serve     the decision point as an HTTP service (loopback by default): POST /v1/data/msq/authz/decision
            (OPA's Data API), POST /v1/decide, POST /v1/druid, GET /health, GET /metrics
  s3-check  judge IAM policies (--policy, repeatable) against the durable-storage and export settings
            (--config / --druid-properties): exit 0 when every needed action is allowed, 1 otherwise

options:
  --request FILE            the request JSON ('-' or omitted: stdin)
  --batch FILE              JSON Lines, one request per line (decide only)
  --grants FILE             Druid basic-security grants JSON (default: none, everything is denied)
  --config FILE             settings JSON: Druid property names, druidVersion, msqAuthz.taskCancelRequires
  --druid-properties FILE   a Druid runtime.properties file (--config overrides what it sets)
  --engine wasm|casbin      the engine that matches grants (default: wasm)
  --bundle PATH             a policy bundle directory or .tar.gz (default: the bundle this package ships)
  --max-memory MIB          the most memory the WASM policy may grow to (default 256); a decision that needs
                            more is a 500 engine_error, and the next decision is answered as before
  --verification-key FILE   verify the bundle's signature first (a PEM public key, or the HS secret); unsigned
                            bundles are refused. With --signing-alg (default RS256), --scope, --key-id
  --policy FILE             s3-check: an IAM policy document (repeat for several)
  --process NAME            s3-check: only indexer, overlord or broker (repeatable; default: all that apply)
  --json                    s3-check, review, audit: print the whole result as JSON
  --markdown                audit: print the report as Markdown
  --host HOST, --port N     serve: where to listen (default 127.0.0.1:8181)
  --token TOKEN             serve: require "Authorization: Bearer TOKEN" (or set MSQ_AUTHZ_TOKEN)
  --body-limit BYTES        serve: largest request body (default 1048576)
  --log-level LEVEL         serve: fatal, error, warn (default), info (logs each request), debug
  --poll-interval SEC       serve: poll --bundle (a URL always is) for new revisions every SEC seconds (default 30)
  --bundle-connect-timeout SEC, --bundle-header-timeout SEC, --bundle-idle-timeout SEC
                            serve: a bundle download fails when the connection takes longer to open, the answer
                            to start, or the next piece of the body to come (default 10 each)
  --bundle-timeout SEC      serve: a bundle download fails when it takes longer in all (default 120)
  --bundles DIR             serve: also serve the bundles in DIR at GET /bundles/<name> with ETags
  --grants-out FILE         import: write the grants there (otherwise they are printed)
  --settings-out FILE       import: write the settings there (otherwise they are printed)
  --junit FILE              review: also write a JUnit XML report
  --emit-policy             s3-check: print the least-privilege IAM policy for the settings
  -h, --help                this text`;

const options = {
  request: { type: "string" },
  batch: { type: "string" },
  grants: { type: "string" },
  config: { type: "string" },
  "druid-properties": { type: "string" },
  engine: { type: "string" },
  bundle: { type: "string" },
  "max-memory": { type: "string" },
  "verification-key": { type: "string" },
  "signing-key": { type: "string" },
  "signing-alg": { type: "string" },
  scope: { type: "string" },
  "key-id": { type: "string" },
  output: { type: "string" },
  revision: { type: "string" },
  target: { type: "string" },
  policy: { type: "string", multiple: true },
  process: { type: "string", multiple: true },
  json: { type: "boolean" },
  junit: { type: "string" },
  markdown: { type: "boolean" },
  "grants-out": { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  token: { type: "string" },
  "body-limit": { type: "string" },
  "log-level": { type: "string" },
  "poll-interval": { type: "string" },
  "bundle-connect-timeout": { type: "string" },
  "bundle-header-timeout": { type: "string" },
  "bundle-idle-timeout": { type: "string" },
  "bundle-timeout": { type: "string" },
  bundles: { type: "string" },
  "settings-out": { type: "string" },
  "emit-policy": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  if (command === "review") return review(rest, values);
  if (command === "import") return importCommand(rest, values);
  if (command === "bundle") return bundleCommand(rest, values);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0] ?? ""}'`);
  switch (command) {
    case "decide":
      return decide(values);
    case "explain":
      return explainCommand(values);
    case "s3-check":
      return s3Check(values);
    case "audit":
      return auditCommand(values);
    case "serve":
      return serve(values);
    default:
      throw new UsageError(`unknown command '${command}' (see msq-authz --help)`);
  }
}

const asErrorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function decisionPoint(values: Values, loaded?: PolicyBundle): Promise<DecisionPoint> {
  const engine = values.engine ?? "wasm";
  if (engine !== "wasm" && engine !== "casbin") throw new UsageError(`--engine must be wasm or casbin, not '${engine}'`);
  const [grants, settings] = await Promise.all([
    loadGrants(values.grants),
    loadSettings(values.config, values["druid-properties"]),
  ]);
  const verification = await verificationOf(values);
  const memory = values["max-memory"] === undefined ? undefined : Number(values["max-memory"]);
  if (memory !== undefined && !(Number.isInteger(memory) && memory >= 2)) {
    throw new UsageError(`--max-memory must be a whole number of MiB, 2 or more, not '${values["max-memory"] ?? ""}'`);
  }
  // Without --grants or settings flags, a bundle built with grants and settings brings its own.
  const hasSettings = values.config !== undefined || values["druid-properties"] !== undefined;
  return createDecisionPoint({
    ...(values.grants !== undefined ? { grants } : {}),
    ...(hasSettings ? { settings } : {}),
    engine: engine as EngineName,
    ...(loaded ? { bundle: loaded } : values.bundle ? { bundle: values.bundle } : {}),
    ...(verification && !loaded ? { verification } : {}),
    ...(memory === undefined ? {} : { wasmMemoryMiB: memory }),
  });
}

async function decide(values: Values): Promise<number> {
  if (values.batch !== undefined && values.request !== undefined) {
    throw new UsageError("--request and --batch cannot be used together");
  }
  if (values.batch !== undefined) {
    const batch = values.batch;
    await access(batch, constants.R_OK).catch((error: Error) => {
      throw new UsageError(`--batch: cannot read '${batch}': ${error.message}`);
    });
    const point = await decisionPoint(values);
    const lines = createInterface({ input: createReadStream(batch, "utf8"), crlfDelay: Infinity });
    let pending = "";
    for await (const line of lines) {
      pending += `${JSON.stringify(await point.decideJson(line))}\n`;
      if (pending.length >= 1 << 16) pending = await flush(pending);
    }
    await flush(pending);
    return 0;
  }
  const text = await readInputFile(values.request ?? "-", "--request");
  const point = await decisionPoint(values);
  process.stdout.write(`${JSON.stringify(await point.decideJson(text), null, 2)}\n`);
  return 0;
}

/** Output in large writes that wait for a slow reader, instead of one unbounded buffer per line. */
function flush(text: string): Promise<string> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve("");
    else process.stdout.once("drain", () => resolve(""));
  });
}

async function explainCommand(values: Values): Promise<number> {
  if (values.batch !== undefined) throw new UsageError("explain takes one request (--request), not --batch");
  const text = await readInputFile(values.request ?? "-", "--request");
  const point = await decisionPoint(values);
  const decision = await point.decideJson(text);
  let request: unknown = undefined;
  try {
    request = JSON.parse(text);
  } catch {
    // the decision already says the request is not JSON
  }
  process.stdout.write(`${explain(decision, request)}\n`);
  return 0;
}

async function review(files: string[], values: Values): Promise<number> {
  if (files.length === 0) throw new UsageError("review needs at least one review file");
  const results = [];
  for (const file of files) {
    const loaded = await loadReview(file).catch((error: unknown) => {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    });
    results.push(await runReview(loaded));
  }
  if (values.junit !== undefined) await writeFile(values.junit, junitXml(results));
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${summaryText(results, process.stdout.isTTY === true)}\n`);
  return results.every((result) => result.results.every((r) => r.passed)) ? 0 : 1;
}

async function serve(values: Values): Promise<number> {
  const port = Number(values.port ?? 8181);
  const bodyLimit = Number(values["body-limit"] ?? 1024 * 1024);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not '${values.port ?? ""}'`);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw new UsageError(`--body-limit must be a number of bytes`);
  const token = values.token ?? process.env.MSQ_AUTHZ_TOKEN;
  // A bundle URL (or --poll-interval on a file) is followed: new revisions are verified, loaded and swapped in.
  const pollSeconds = values["poll-interval"] === undefined ? undefined : Number(values["poll-interval"]);
  const follow = values.bundle !== undefined && (/^https?:\/\//u.test(values.bundle) || pollSeconds !== undefined);
  let source: BundleSource | undefined;
  let point: DecisionPoint;
  if (follow && values.bundle !== undefined) {
    const verification = await verificationOf(values);
    source = new BundleSource({
      location: values.bundle,
      pollIntervalMs: (pollSeconds ?? 30) * 1000,
      timeouts: downloadTimeouts(values),
      ...(verification ? { verification } : {}),
    });
    const first = await source.fetch().catch((error: unknown) => {
      throw new UsageError(`--bundle: ${asErrorMessage(error)}`);
    });
    if (!first) throw new UsageError(`--bundle: ${values.bundle} offered no bundle`);
    point = await decisionPoint({ ...values, bundle: undefined }, first);
    followBundles(point, source);
  } else {
    point = await decisionPoint(values);
  }
  const app = buildServer({
    point,
    ...(source ? { bundleSource: source } : {}),
    ...(values.bundles ? { bundlesDir: values.bundles } : {}),
    bodyLimit,
    ...(token ? { token } : {}),
    ...(values["log-level"] ? { logLevel: values["log-level"] } : {}),
  });
  const address = await app.listen({ host: values.host ?? "127.0.0.1", port });
  app.log.info({ address }, "msq-authz serving decisions");
  // SIGTERM: stop accepting, finish the requests in flight, then exit.
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void app.close().then(() => resolve()));
  });
  return 0;
}

function downloadTimeouts(values: Values): Partial<DownloadTimeouts> {
  const flags = {
    connectMs: "bundle-connect-timeout",
    headersMs: "bundle-header-timeout",
    idleMs: "bundle-idle-timeout",
    totalMs: "bundle-timeout",
  } as const;
  const timeouts: Partial<DownloadTimeouts> = {};
  for (const [key, flag] of Object.entries(flags) as [keyof DownloadTimeouts, (typeof flags)[keyof DownloadTimeouts]][]) {
    const given = values[flag];
    if (given === undefined) continue;
    const seconds = Number(given);
    if (!(Number.isFinite(seconds) && seconds > 0)) throw new UsageError(`--${flag} must be a number of seconds above 0, not '${given}'`);
    timeouts[key] = Math.round(seconds * 1000);
  }
  return timeouts;
}

const algorithms = new Set(["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512"]);

function algorithmOf(values: Values): SigningAlgorithm {
  const algorithm = values["signing-alg"] ?? "RS256";
  if (!algorithms.has(algorithm)) throw new UsageError(`--signing-alg must be one of ${[...algorithms].join(", ")}, not '${algorithm}'`);
  return algorithm as SigningAlgorithm;
}

async function verificationOf(values: Values): Promise<VerificationOptions | undefined> {
  if (values["verification-key"] === undefined) return undefined;
  const key = (await readInputFile(values["verification-key"], "--verification-key")).trim();
  return {
    key,
    algorithm: algorithmOf(values),
    ...(values.scope ? { scope: values.scope } : {}),
    ...(values["key-id"] ? { keyId: values["key-id"] } : {}),
  };
}

async function bundleCommand(args: string[], values: Values): Promise<number> {
  const [action, file, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}'`);
  const asUsage = (error: unknown): never => {
    if (error instanceof MsqAuthzError) throw new UsageError(error.message);
    throw error;
  };
  switch (action) {
    case "build": {
      if (values.output === undefined) throw new UsageError("bundle build needs --output FILE.tar.gz");
      const [grants, settings] = await Promise.all([loadGrants(values.grants), loadSettings(values.config, values["druid-properties"])]);
      const target = values.target ?? "wasm";
      if (target !== "wasm" && target !== "rego") throw new UsageError(`--target must be wasm or rego, not '${target}'`);
      await buildBundle({
        output: values.output,
        target,
        grants,
        settings,
        ...(values.revision ? { revision: values.revision } : {}),
        ...(values["signing-key"] ? { signingKey: values["signing-key"], signingAlg: algorithmOf(values) } : {}),
        ...(values.scope ? { scope: values.scope } : {}),
        ...(values["key-id"] ? { keyId: values["key-id"] } : {}),
      }).catch(asUsage);
      process.stdout.write(`built ${values.output}\n`);
      return 0;
    }
    case "verify": {
      if (file === undefined) throw new UsageError("bundle verify needs the bundle FILE");
      const verification = await verificationOf(values);
      if (!verification) throw new UsageError("bundle verify needs --verification-key FILE");
      try {
        process.stdout.write(`${await verify(file, verification)}\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        process.stdout.write(`${error.message}\n`);
        return 1;
      }
    }
    case "inspect": {
      if (file === undefined) throw new UsageError("bundle inspect needs the bundle FILE");
      process.stdout.write(`${JSON.stringify(await inspect(file).catch(asUsage), null, 2)}\n`);
      return 0;
    }
    default:
      throw new UsageError("bundle takes build, verify or inspect");
  }
}

async function importCommand(files: string[], values: Values): Promise<number> {
  if (files.length === 0) throw new UsageError("import needs at least one file: a basic-security API export or a .properties file");
  const properties = files.filter((file) => file.endsWith(".properties"));
  const exports = await Promise.all(
    files.filter((file) => !file.endsWith(".properties")).map(async (file) => ({ source: file, value: await readJsonFile(file, "import") })),
  );
  const settings = properties.length > 0 ? await loadSettings(undefined, properties[0]) : undefined;
  if (properties.length > 1) throw new UsageError("import takes one .properties file");
  let imported;
  try {
    imported = exports.length > 0 ? importBasicSecurity(exports) : undefined;
    if (imported) checkGrants(imported.grants, "imported grants");
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  for (const note of imported?.notes ?? []) process.stderr.write(`msq-authz: note: ${note}\n`);
  const printed: Record<string, unknown> = {};
  if (imported) {
    if (values["grants-out"]) await writeFile(values["grants-out"], `${JSON.stringify(imported.grants, null, 2)}\n`);
    else printed.grants = imported.grants;
  }
  if (settings) {
    if (values["settings-out"]) await writeFile(values["settings-out"], `${JSON.stringify(settings, null, 2)}\n`);
    else printed.settings = settings;
  }
  if (Object.keys(printed).length > 0) process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
  return 0;
}

async function auditCommand(values: Values): Promise<number> {
  if (values.grants === undefined) throw new UsageError("audit needs --grants FILE");
  const [grants, settings] = await Promise.all([
    readJsonFile(values.grants, "--grants"),
    loadSettings(values.config, values["druid-properties"]),
  ]);
  const report = await audit(grants, settings).catch((error: unknown) => {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (values.markdown) process.stdout.write(auditMarkdown(report));
  else process.stdout.write(`${auditText(report)}\n`);
  return 0;
}

const processes = new Set(["indexer", "overlord", "broker"]);

async function s3Check(values: Values): Promise<number> {
  const policyFiles = values.policy ?? [];
  if (policyFiles.length === 0 && !values["emit-policy"]) throw new UsageError("s3-check needs at least one --policy FILE");
  if (values.config === undefined && values["druid-properties"] === undefined) {
    throw new UsageError("s3-check needs the storage settings: --config FILE or --druid-properties FILE");
  }
  const unknown = (values.process ?? []).find((name) => !processes.has(name));
  if (unknown !== undefined) throw new UsageError(`--process must be indexer, overlord or broker, not '${unknown}'`);
  const [settings, policies] = await Promise.all([
    loadSettings(values.config, values["druid-properties"]),
    Promise.all(policyFiles.map((file) => readJsonFile(file, "--policy"))),
  ]);
  const result = await checkStorage(
    { settings, policies, ...(values.process ? { processes: values.process as Process[] } : {}) },
    values.bundle,
  ).catch((error: unknown) => {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  });
  if (values["emit-policy"]) process.stdout.write(`${JSON.stringify(result.leastPrivilegePolicy, null, 2)}\n`);
  else if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${describePreflight(result)}\n`);
  return values["emit-policy"] || result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof MsqAuthzError;
    process.stderr.write(`msq-authz: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 2;
  },
);
