#!/usr/bin/env node
// msq-authz command line. Exit codes: 0 the command did its job (for decide: the decision was computed, whatever
// it says); 1 a review or check failed; 2 bad usage or unreadable input, with one line on stderr.
import { constants, createReadStream } from "node:fs";
import { access, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createDecisionPoint, type DecisionPoint } from "../decision-point.js";
import { ConfigError, MsqAuthzError } from "../errors.js";
import { type Process, checkStorage } from "../storage/preflight.js";
import type { EngineName } from "../types.js";
import { explain } from "./explain.js";
import { UsageError, loadGrants, loadSettings, readInputFile, readJsonFile } from "./input.js";
import { describePreflight } from "./s3-check.js";
import { audit } from "../audit/audit.js";
import { buildServer } from "../server/app.js";
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
  --policy FILE             s3-check: an IAM policy document (repeat for several)
  --process NAME            s3-check: only indexer, overlord or broker (repeatable; default: all that apply)
  --json                    s3-check, review, audit: print the whole result as JSON
  --markdown                audit: print the report as Markdown
  --host HOST, --port N     serve: where to listen (default 127.0.0.1:8181)
  --token TOKEN             serve: require "Authorization: Bearer TOKEN" (or set MSQ_AUTHZ_TOKEN)
  --body-limit BYTES        serve: largest request body (default 1048576)
  --log-level LEVEL         serve: fatal, error, warn (default), info (logs each request), debug
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

async function decisionPoint(values: Values): Promise<DecisionPoint> {
  const engine = values.engine ?? "wasm";
  if (engine !== "wasm" && engine !== "casbin") throw new UsageError(`--engine must be wasm or casbin, not '${engine}'`);
  const [grants, settings] = await Promise.all([
    loadGrants(values.grants),
    loadSettings(values.config, values["druid-properties"]),
  ]);
  return createDecisionPoint({ grants, settings, engine: engine as EngineName, ...(values.bundle ? { bundle: values.bundle } : {}) });
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
  const app = buildServer({
    point: await decisionPoint(values),
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
