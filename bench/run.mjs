// make bench: msq-authz decisions against the engines a user would otherwise reach for, in one run, on this
// machine. Prints a table, writes bench/results/latest.json and bench/results/scale.svg.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { newEnforcer, newModelFromString } from "casbin";
import { Bench } from "tinybench";
import { createDecisionPoint, grantPatterns } from "../dist/index.js";
import { casbinLines, grantSet, requestMix } from "./grants.mjs";
import { renderChart } from "./chart.mjs";

const root = new URL("..", import.meta.url).pathname;
const opa = join(root, ".tools/bin/opa");
const sizes = (process.env.BENCH_SIZES ?? "10,1000,10000,100000").split(",").map(Number);
const time = Number(process.env.BENCH_MS ?? 1500);
const tmp = mkdtempSync(join(os.tmpdir(), "msq-authz-bench-"));
const rows = [];
const us = (ms) => ms * 1000;

function record(workload, size, task, baseline) {
  const { latency, throughput } = task.result;
  rows.push({ workload, permissions: size, opsPerSec: throughput.mean, p50us: us(latency.p50), p99us: us(latency.p99), ...(baseline ? { baseline } : {}) });
}

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startOpaServer(dataFile) {
  const port = await freePort();
  const child = spawn(opa, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--ignore", "*_test.rego",
    join(root, "policies/rego"), dataFile], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("opa run --server did not come up");
}

const naiveModel = `
[request_definition]
r = sub, typ, obj, act
[policy_definition]
p = sub, typ, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.typ == p.typ && regexMatch(r.obj, p.obj) && r.act == p.act
`;

for (const size of sizes) {
  const grants = grantSet(size);
  const mix = requestMix(size);
  const started = performance.now();
  const first = await createDecisionPoint({ grants, decisionCacheEntries: 0 });
  const activationMs = performance.now() - started;
  const repeated = await createDecisionPoint({ grants });
  const required = await Promise.all(mix.map(async (r) => (await first.decide(r)).required));

  const naive = await newEnforcer(newModelFromString(naiveModel));
  for (const [kind, ...rule] of casbinLines(grants)) {
    if (kind === "p") await naive.addPolicy(...rule);
    else await naive.addGroupingPolicy(...rule);
  }

  const dataFile = join(tmp, `data-${size}.json`);
  // As a built bundle carries them: the grants, and their patterns' RE2 translations (the policy reads no other).
  writeFileSync(dataFile, JSON.stringify({ grants, grant_patterns: grantPatterns(grants), settings: {} }));
  const inputFile = join(tmp, `input-${size}.json`);
  writeFileSync(inputFile, JSON.stringify(mix[0]));
  const goBench = JSON.parse(execFileSync(opa, ["bench", "--ignore", "*_test.rego", "-d", join(root, "policies/rego"), "-d", dataFile,
    "-i", inputFile, "data.msq.authz.decision", "--format", "json", "--count", "1"], { encoding: "utf8", maxBuffer: 1 << 26 }));
  rows.push({ workload: "OPA Go evaluator (opa bench), SELECT", permissions: size, opsPerSec: 1e9 / (goBench.T / goBench.N),
    p50us: goBench.Extra["histogram_timer_rego_query_eval_ns_median"] / 1000, p99us: goBench.Extra["histogram_timer_rego_query_eval_ns_99%"] / 1000, baseline: "opa-go" });

  const server = await startOpaServer(dataFile);
  let i = 0;
  const bench = new Bench({ time, warmupTime: 300 });
  bench
    .add("embedded (WASM), first-time, pre-analyzed mix", () => first.decideSync(mix[i++ % mix.length]))
    .add("embedded (WASM), repeated, pre-analyzed mix", () => repeated.decideSync(mix[i++ % mix.length]))
    .add("naive Casbin (regexMatch over every line), mix", () => {
      const k = i++ % mix.length;
      return required[k].every((c) => naive.enforceSync("bench", c.type, c.name, c.action));
    })
    .add("OPA server over HTTP keep-alive, mix", async () => {
      const response = await fetch(`${server.url}/v1/data/msq/authz/decision`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: mix[i++ % mix.length] }),
      });
      await response.json();
    });
  await bench.run();
  server.child.kill();
  const [wasmFirst, wasmRepeated, casbinTask, serverTask] = bench.tasks;
  record(wasmFirst.name, size, wasmFirst);
  record(wasmRepeated.name, size, wasmRepeated);
  record(casbinTask.name, size, casbinTask, "casbin-naive");
  record(serverTask.name, size, serverTask, "opa-server");
  rows.push({ workload: "activation: createDecisionPoint (ms)", permissions: size, value: activationMs, grantsBytes: JSON.stringify(grants).length, rssMB: process.memoryUsage().rss / 2 ** 20 });
  console.error(`measured ${size} permissions`);
}

// Raw SQL, at 1,000 permissions.
{
  const grants = grantSet(1000);
  const point = await createDecisionPoint({ grants });
  const sql = `INSERT INTO ds_0_1 SELECT TIME_PARSE("timestamp") AS __time, page FROM TABLE(EXTERN('{"type":"http","uris":["https://example.com/wiki.json.gz"]}', '{"type":"json"}', '[{"name":"timestamp","type":"string"},{"name":"page","type":"string"}]')) PARTITIONED BY DAY`;
  const join5 = "SELECT a.x FROM ds_0_0 a JOIN ds_0_2 b ON a.x = b.x JOIN druid.ds_0_4 c ON b.x = c.x LEFT JOIN (SELECT x FROM ds_0_6 WHERE x IN (SELECT x FROM logs_0_1)) d ON c.x = d.x JOIN ds_1_0 e ON d.x = e.x";
  const cte = "WITH t1 AS (SELECT x, COUNT(*) AS n FROM ds_0_0 GROUP BY x), t2 AS (SELECT x FROM t1 WHERE n > 10), t3 AS (SELECT w.* FROM ds_0_2 w JOIN t2 ON w.x = t2.x) SELECT * FROM t3 UNION ALL SELECT * FROM ds_0_4";
  const request = (text) => ({ identity: { authenticated: true, user: "bench" }, operation: "sql.task.submit", sql: text });
  let n = 0;
  const bench = new Bench({ time, warmupTime: 300 });
  bench
    .add("raw SQL, first-time: INSERT ... FROM TABLE(EXTERN(...))", () => point.decideSync(request(`${sql} -- ${n++}`)))
    .add("raw SQL, first-time: 5-way join", () => point.decideSync(request(`${join5} -- ${n++}`)))
    .add("raw SQL, first-time: CTE-heavy SELECT", () => point.decideSync(request(`${cte} -- ${n++}`)))
    .add("raw SQL, repeated: INSERT ... FROM TABLE(EXTERN(...))", () => point.decideSync(request(sql)));
  await bench.run();
  for (const task of bench.tasks) record(task.name, 1000, task);
}

// decide --batch at the largest size, process start excluded: (N lines - 1 line) / (N - 1).
{
  const size = sizes.at(-1);
  const grantsFile = join(tmp, "batch-grants.json");
  writeFileSync(grantsFile, JSON.stringify(grantSet(size)));
  const mix = requestMix(size);
  const lines = (count) => Array.from({ length: count }, (_, k) => JSON.stringify({ ...mix[k % mix.length], context: { sqlQueryId: `q${k}` } })).join("\n");
  const runBatch = (count) => {
    const file = join(tmp, `batch-${count}.jsonl`);
    writeFileSync(file, lines(count));
    const t0 = performance.now();
    const result = spawnSync("node", [join(root, "dist/cli/main.js"), "decide", "--batch", file, "--grants", grantsFile], { maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`decide --batch failed: ${result.stderr}`);
    return performance.now() - t0;
  };
  const count = 20_000;
  const elapsed = runBatch(count) - runBatch(1);
  rows.push({ workload: "decide --batch, distinct requests (decisions/s, start excluded)", permissions: size, opsPerSec: (count - 1) / (elapsed / 1000) });
}

const opaVersion = execFileSync(opa, ["version"], { encoding: "utf8" }).split("\n")[0];
const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, opa: opaVersion, platform: `${os.platform()} ${os.release()}` };
const at = (workload, size) => rows.find((r) => r.workload === workload && r.permissions === size);
const first = "embedded (WASM), first-time, pre-analyzed mix";
const repeated = "embedded (WASM), repeated, pre-analyzed mix";
const ratios = {};
for (const size of sizes) {
  const go = at("OPA Go evaluator (opa bench), SELECT", size);
  const server = at("OPA server over HTTP keep-alive, mix", size);
  const casbin = at("naive Casbin (regexMatch over every line), mix", size);
  for (const [name, workload] of [["firstTime", first], ["repeated", repeated]]) {
    const ours = at(workload, size);
    ratios[`${name}@${size}`] = {
      vsOpaGo: (1 / ours.opsPerSec) / (1 / go.opsPerSec),
      fasterThanOpaServer: ours.opsPerSec / server.opsPerSec,
      fasterThanNaiveCasbin: ours.opsPerSec / casbin.opsPerSec,
    };
  }
}
const flat = { firstTime: at(first, sizes.at(-1)).opsPerSec / at(first, sizes[0]).opsPerSec, repeated: at(repeated, sizes.at(-1)).opsPerSec / at(repeated, sizes[0]).opsPerSec };
writeFileSync(join(root, "bench/results/latest.json"), `${JSON.stringify({ machine, takenAt: new Date().toISOString(), rows, ratios, flatCost: flat }, null, 2)}\n`);
writeFileSync(join(root, "bench/results/scale.svg"), renderChart(rows, sizes));

const pad = (s, n) => String(s).padEnd(n);
const num = (v, digits = 0) => (v === undefined ? "" : v.toLocaleString("en-US", { maximumFractionDigits: digits }));
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GiB, Node ${machine.node}, ${machine.opa}`);
console.log(pad("workload", 66), pad("perms", 8), pad("ops/s", 12), pad("p50 us", 10), "p99 us");
for (const r of rows) {
  if (r.value !== undefined) console.log(pad(r.workload, 66), pad(r.permissions, 8), `${num(r.value, 1)} ms, grants ${num(r.grantsBytes / 2 ** 20, 1)} MiB, RSS ${num(r.rssMB)} MiB`);
  else console.log(pad(r.workload, 66), pad(r.permissions, 8), pad(num(r.opsPerSec), 12), pad(num(r.p50us, 1), 10), num(r.p99us, 1));
}
console.log("\nratios (ours / baseline):");
for (const [key, value] of Object.entries(ratios)) {
  console.log(`  ${pad(key, 18)} time vs OPA Go ${num(value.vsOpaGo, 3)}  x faster than OPA server ${num(value.fasterThanOpaServer, 1)}  x faster than naive Casbin ${num(value.fasterThanNaiveCasbin, 1)}`);
}
console.log(`flat cost (decisions/s at ${sizes.at(-1)} / at ${sizes[0]} permissions): first-time ${num(flat.firstTime, 2)}, repeated ${num(flat.repeated, 2)}`);
