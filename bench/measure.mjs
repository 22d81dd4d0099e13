// What the benchmark sections share: settings from the environment, a scratch directory removed at exit, timing
// with tinybench, quantiles, and stock OPA servers on free loopback ports.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Bench } from "tinybench";
import { freePort, root } from "./service.mjs";

export { root };
export const opa = join(root, ".tools/bin/opa");

const numbers = (text) => text.split(",").map(Number);

/** Run settings: BENCH_SIZES and BENCH_MS shorten a run; the others are there for the same reason. */
export const settings = {
  /** Grant-set sizes in permissions; the largest is the one every other figure is measured at. */
  sizes: numbers(process.env.BENCH_SIZES ?? "10,1000,10000,100000"),
  /** How long tinybench runs each in-process task in all, in ms (in 3 alternating rounds, after a warm-up). */
  benchMs: Number(process.env.BENCH_MS ?? 1500),
  /** Lines in the decide --batch run. */
  batchLines: Number(process.env.BENCH_BATCH_LINES ?? 100_000),
  /** Seconds of each HTTP load (autocannon, the paced load). */
  httpSeconds: Number(process.env.BENCH_HTTP_SECONDS ?? 8),
  /** Distinct Druid authorizer messages in the HTTP mix. */
  druidDistinct: Number(process.env.BENCH_DRUID_DISTINCT ?? 10_000),
  /** Connections autocannon keeps open. */
  connections: 16,
};
export const largest = Math.max(...settings.sizes);

let scratch;
/** A scratch directory for this run, removed when the process exits however it exits. */
export function tmp() {
  if (!scratch) {
    scratch = mkdtempSync(join(os.tmpdir(), "msq-authz-bench-"));
    const remove = () => rmSync(scratch, { recursive: true, force: true });
    process.once("exit", remove);
    for (const signal of ["SIGINT", "SIGTERM"]) {
      process.once(signal, () => {
        remove();
        process.exit(130);
      });
    }
  }
  return scratch;
}

/**
 * Times each of `tasks` ({name: fn}) with tinybench, in `rounds` alternating rounds of time/rounds each, so that two
 * tasks whose rates are compared share the machine's moods (it is shared). Per task, from every round's samples:
 * ops/s, p50, p99 and mean in µs.
 */
export async function timeTasks(tasks, time = settings.benchMs, rounds = 3) {
  const samples = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  const tinybench = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    // At least 10 runs of each task, not tinybench's 64: naive Casbin takes a quarter of a second a request at
    // 100,000 lines, and time, not a count, bounds the fast tasks.
    const bench = new Bench({ time: time / rounds, warmupTime: round === 0 ? 300 : 50, iterations: 10, warmupIterations: 3, retainSamples: true });
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
    await bench.run();
    for (const task of bench.tasks) {
      if (task.result.state !== "completed") throw new Error(`bench task "${task.name}" ${task.result.state}: ${task.result.error?.message ?? ""}`);
      // A fast task leaves more samples than a spread's arguments can hold.
      for (const sample of task.result.latency.samples) samples[task.name].push(sample);
      tinybench[task.name].push(task.result.throughput.mean);
    }
  }
  const results = {};
  for (const [name, latencies] of Object.entries(samples)) {
    latencies.sort((a, b) => a - b);
    const mean = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
    // Operations per second is how many ran over the time they took: 1 / mean latency. tinybench's throughput.mean
    // is the mean of each sample's 1 / latency, which a few fast samples inflate (by 100x and more for naive Casbin
    // at 100,000 lines, whose median is hundreds of ms); it is kept beside, for comparison with older runs.
    results[name] = {
      opsPerSec: 1000 / mean,
      p50us: quantile(latencies, 0.5) * 1000,
      p99us: quantile(latencies, 0.99) * 1000,
      meanUs: mean * 1000,
      samples: latencies.length,
      tinybenchThroughputMean: tinybench[name].reduce((sum, x) => sum + x, 0) / rounds,
    };
  }
  return results;
}

/** The q-quantile of sorted numbers. */
export function quantile(sorted, q) {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Counts of each value `key` gives over `items`, for checking that a measured mix decides as intended. */
export function tally(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * autocannon POSTing body(0), body(1), ... to `url` (HTTP/1.1 keep-alive, `connections` connections) for `seconds`
 * (or `amount` requests).
 * Latency in ms: autocannon's (whole milliseconds), and p99 from each response's own time.
 */
export async function cannon({ url, body, seconds = settings.httpSeconds, connections = settings.connections, ...options }) {
  let i = 0;
  const times = [];
  const instance = autocannon({
    url,
    method: "POST",
    connections,
    ...(options.amount === undefined ? { duration: seconds } : {}),
    headers: { "content-type": "application/json" },
    requests: [{ setupRequest: (request) => ({ ...request, body: body(i++) }) }],
    ...options,
  });
  instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await instance;
  times.sort((a, b) => a - b);
  return {
    requestsPerSec: result.requests.average,
    requests: result.requests.total,
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    ownP50ms: quantile(times, 0.5),
    ownP99ms: quantile(times, 0.99),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** `opa run --server` over `paths` on a free loopback port; resolves when /health answers. */
export async function startOpaServer(paths) {
  const port = await freePort();
  const child = spawn(opa, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--ignore", "*_test.rego", ...paths], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`opa run --server ${paths.join(" ")} exited with ${child.exitCode}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) {
      return {
        url,
        pid: child.pid,
        stop: async () => {
          child.kill();
          await exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("opa run --server did not answer /health in 60 s");
}

/** Resident set size of a process, from /proc, in MiB. */
export function rssMiB(pid = process.pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line.split(/\s+/u)[1]) / 1024;
}

const began = Date.now();
/** One line on stderr saying what was just measured, so a long run shows progress. */
export function progress(line) {
  console.error(`bench: ${Math.round((Date.now() - began) / 1000)} s: ${line}`);
}
