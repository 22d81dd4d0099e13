// make soak: `msq-authz serve`, following a signed bundle on a bundle server, under autocannon on loopback at a
// fraction (default 70%) of the rate it was just measured to sustain, while a new revision is published every
// --swap-every seconds. The two revisions differ in one grant, so a decision that mixed them would show.
//
// Passes when: no request failed (connection errors, timeouts, non-2xx, or a decision that does not fit the revision
// it names), both revisions served, no reload failed, RSS grew under 10% from the end of warm-up, and the last window's p99 is within
// 2x the median window's. Prints a table, writes bench/results/soak.json (or --out), exits 1 when a check fails.
// Every --progress seconds (0: never) a line on stderr says how far it is: elapsed time, requests answered, failures,
// the revision serving and the service's RSS.
//
//   node bench/soak.mjs [--duration 600] [--swap-every 30] [--calibrate 10] [--fraction 0.7] [--progress 10]
//                       [--out FILE] [--json]
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { buildBundle } from "../dist/bundle/build.js";
import { root, startService } from "./service.mjs";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "600" },
    "swap-every": { type: "string", default: "30" },
    calibrate: { type: "string", default: "10" },
    fraction: { type: "string", default: "0.7" },
    progress: { type: "string", default: "10" },
    out: { type: "string", default: join(root, "bench/results/soak.json") },
    json: { type: "boolean", default: false },
  },
});
const duration = Number(values.duration);
const swapEvery = Number(values["swap-every"]);
const windowSeconds = Math.max(5, Math.min(60, Math.floor(duration / 10)));
const connections = 16;
const log = values.json ? () => {} : (line) => console.log(line);

// Two signed revisions: in "rev-b" alice also holds the ingest role, so her INSERT flips from deny to allow.
const tmp = mkdtempSync(join(tmpdir(), "msq-authz-soak-"));
const published = mkdtempSync(join(tmpdir(), "msq-authz-soak-bundles-"));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
writeFileSync(join(tmp, "private.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
writeFileSync(join(tmp, "public.pem"), publicKey.export({ type: "spki", format: "pem" }));
const grants = JSON.parse(readFileSync(join(root, "examples/grants.json"), "utf8"));
const revisions = {
  "rev-a": grants,
  "rev-b": { ...grants, users: { ...grants.users, alice: { roles: [...grants.users.alice.roles, "ingest"] } } },
};
for (const [revision, data] of Object.entries(revisions)) {
  await buildBundle({ output: join(tmp, `${revision}.tar.gz`), grants: data, revision, signingKey: join(tmp, "private.pem") });
}
const publish = (revision) => copyFileSync(join(tmp, `${revision}.tar.gz`), join(published, "msq-authz.tar.gz"));
publish("rev-a");

const bundles = await startService(["--bundles", published, "--grants", join(root, "examples/grants.json")]);
const service = await startService([
  "--bundle", `${bundles.url}/bundles/msq-authz.tar.gz`, "--verification-key", join(tmp, "public.pem"), "--poll-interval", "1",
]);

// The mix: decision cases' requests (repeated), first-time SELECTs, first-time raw SQL, and alice's INSERT, whose
// answer must match the revision the decision names.
const caseRequests = readFileSync(join(root, "examples/requests.jsonl"), "utf8").split("\n").filter((line) => {
  try {
    return typeof JSON.parse(line) === "object"; // the demo file keeps one line that is not JSON
  } catch {
    return false;
  }
});
const aliceInsert = JSON.stringify({ identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", statement: { type: "INSERT", target: "wiki" } });
const expectedAllow = { "rev-a": false, "rev-b": true };
let sequence = 0;
function nextBody() {
  const i = sequence++;
  switch (i % 10) {
    case 0:
    case 1:
      return { body: aliceInsert, flips: true };
    case 2:
    case 3:
    case 4:
      return { body: JSON.stringify({ identity: { authenticated: true, user: "bob" }, operation: "sql.task.submit", statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: `wiki_${i}` }] } }) };
    case 5:
      return { body: JSON.stringify({ identity: { authenticated: true, user: "bob" }, operation: "sql.task.submit", sql: `SELECT * FROM "wiki_${i}" WHERE x = ${i}` }) };
    default:
      return { body: caseRequests[i % caseRequests.length] };
  }
}

const tally = { failed: 0, examples: [], byRevision: { "rev-a": 0, "rev-b": 0 } };
function fail(why) {
  tally.failed += 1;
  if (tally.examples.length < 5) tally.examples.push(why);
}
function check(status, body, context) {
  if (status !== 200) return fail(`HTTP ${status}: ${body.slice(0, 200)}`);
  let decision;
  try {
    decision = JSON.parse(body);
  } catch {
    return fail(`not JSON: ${body.slice(0, 200)}`);
  }
  if (!(decision.revision in expectedAllow)) return fail(`unknown revision ${decision.revision}`);
  if (decision.code === "engine_error" || decision.status === 500) return fail(`engine error: ${decision.reasons?.[0]}`);
  tally.byRevision[decision.revision] += 1;
  if (context.flips && decision.allow !== expectedAllow[decision.revision]) {
    fail(`alice's INSERT answered allow=${decision.allow} under ${decision.revision}`);
  }
}

function load(options) {
  return autocannon({
    url: `${service.url}/v1/decide`,
    method: "POST",
    connections,
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request, context) => {
          const next = nextBody();
          context.flips = next.flips === true;
          return { ...request, body: next.body };
        },
        onResponse: check,
      },
    ],
    ...options,
  });
}

function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line.split(/\s+/u)[1]) * 1024;
}

/** The q-quantile of sorted milliseconds, to 0.01 ms. */
function quantile(sorted, q) {
  return sorted.length === 0 ? 0 : +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
}

try {
  log(`calibrating: ${values.calibrate} s unthrottled, ${connections} connections`);
  const calibration = await load({ duration: Number(values.calibrate) });
  const maximum = calibration.requests.average;
  const rate = Math.max(1, Math.round(Number(values.fraction) * maximum));
  log(`maximum ${Math.round(maximum)} req/s; soaking ${duration} s at ${rate} req/s, a swap every ${swapEvery} s`);

  const windows = [];
  let current = [];
  const started = Date.now();
  const rss = [];
  const instance = load({ duration, overallRate: rate });
  let answered = 0;
  let requestErrors = 0;
  instance.on("response", (_client, _status, _bytes, responseTime) => {
    current.push(responseTime);
    answered += 1;
  });
  instance.on("reqError", () => {
    requestErrors += 1;
  });
  const windowTimer = setInterval(() => {
    windows.push(current.sort((a, b) => a - b));
    current = [];
  }, windowSeconds * 1000);
  const rssTimer = setInterval(() => rss.push({ at: (Date.now() - started) / 1000, bytes: rssBytes(service.pid) }), 5000);
  let swaps = 0;
  const swapTimer = setInterval(() => {
    swaps += 1;
    publish(swaps % 2 === 1 ? "rev-b" : "rev-a");
  }, swapEvery * 1000);
  const progressEvery = Number(values.progress);
  const progressTimer = progressEvery > 0 ? setInterval(() => void progress(), progressEvery * 1000) : undefined;
  async function progress() {
    const serving = await fetch(`${service.url}/health`).then((response) => response.json()).then((health) => health.revision, () => "unknown");
    const elapsed = Math.round((Date.now() - started) / 1000);
    const failures = tally.failed + requestErrors;
    let mib = "?";
    try {
      mib = (rssBytes(service.pid) / 2 ** 20).toFixed(1);
    } catch {
      // the service has just exited (the soak is ending): the line goes out without its RSS
    }
    console.error(`soak ${elapsed}/${duration} s: ${answered} requests, ${failures} failed, revision ${serving} (${swaps} swaps), RSS ${mib} MiB`);
  }
  const result = await instance;
  clearInterval(windowTimer);
  clearInterval(rssTimer);
  clearInterval(swapTimer);
  clearInterval(progressTimer);

  const health = await (await fetch(`${service.url}/health`)).json();
  // Warm-up is the first 10% (at least one RSS sample): RSS growth is measured from its end.
  const warm = rss.find((sample) => sample.at >= duration * 0.1) ?? rss[0];
  const last = rss.at(-1) ?? warm;
  const growth = warm ? (last.bytes - warm.bytes) / warm.bytes : 0;
  const p99s = windows.filter((w) => w.length > 0).map((w) => quantile(w, 0.99));
  const all = windows.flat().sort((a, b) => a - b);
  const failed = tally.failed + calibration.errors + calibration.timeouts + result.errors + result.timeouts;
  const summary = {
    takenAt: new Date().toISOString(),
    durationSeconds: duration,
    swapEverySeconds: swapEvery,
    connections,
    maximumRequestsPerSec: Math.round(maximum),
    targetRequestsPerSec: rate,
    achievedRequestsPerSec: Math.round(result.requests.average),
    requests: calibration.requests.total + result.requests.total,
    failed,
    connectionErrors: calibration.errors + result.errors,
    timeouts: calibration.timeouts + result.timeouts,
    failureExamples: tally.examples,
    decisionsByRevision: tally.byRevision,
    swapsPublished: swaps,
    bundleReloadFailures: health.bundle.failures,
    latencyMs: { p50: quantile(all, 0.5), p99: quantile(all, 0.99), max: quantile(all, 1) },
    p99ByWindowMs: { windowSeconds, first: p99s[0] ?? 0, median: quantile([...p99s].sort((a, b) => a - b), 0.5), last: p99s.at(-1) ?? 0, max: Math.max(0, ...p99s), all: p99s },
    rssMiB: { afterWarmUp: warm ? +(warm.bytes / 2 ** 20).toFixed(1) : 0, end: +(last.bytes / 2 ** 20).toFixed(1), growth: +(growth * 100).toFixed(1) },
  };
  const checks = {
    "no failed request": failed === 0,
    "both revisions served": tally.byRevision["rev-a"] > 0 && tally.byRevision["rev-b"] > 0,
    "no bundle reload failed": health.bundle.failures === 0,
    "RSS growth under 10%": growth < 0.1,
    "p99 stable (last window within 2x the median window)": summary.p99ByWindowMs.last <= 2 * Math.max(1, summary.p99ByWindowMs.median),
  };
  summary.checks = checks;
  writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
  if (values.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(`
| soak | |
|---|---|
| duration, swaps | ${duration} s, a new revision every ${swapEvery} s (${swaps} published) |
| load | ${rate} req/s target (${values.fraction} of the ${summary.maximumRequestsPerSec} req/s measured), ${summary.achievedRequestsPerSec} achieved, ${connections} connections |
| requests | ${summary.requests}, calibration included; failed ${failed} (connection errors ${summary.connectionErrors}, timeouts ${summary.timeouts}) |
| decisions by revision | rev-a ${tally.byRevision["rev-a"]}, rev-b ${tally.byRevision["rev-b"]}; bundle reload failures ${summary.bundleReloadFailures} |
| latency | p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms |
| p99 per ${windowSeconds} s window | first ${summary.p99ByWindowMs.first} ms, median ${summary.p99ByWindowMs.median} ms, last ${summary.p99ByWindowMs.last} ms, worst ${summary.p99ByWindowMs.max} ms |
| RSS | ${summary.rssMiB.afterWarmUp} MiB after warm-up, ${summary.rssMiB.end} MiB at the end (${summary.rssMiB.growth}%) |
`);
    for (const [what, ok] of Object.entries(checks)) console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
    for (const example of tally.examples) console.log(`  failed: ${example}`);
  }
  process.exitCode = Object.values(checks).every(Boolean) ? 0 : 1;
} finally {
  await Promise.all([service.stop(), bundles.stop()]);
  for (const dir of [tmp, published]) rmSync(dir, { recursive: true, force: true });
}
