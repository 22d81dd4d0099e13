// decide --batch through the binary: distinct requests (distinctRequest) at the largest grant set, in one process,
// on one thread and on two worker threads. Process start and policy load are taken out by subtracting a short
// batch's time, long enough that every worker has loaded its policy and decided a chunk: (N - B) / (t(N) - t(B)).
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { distinctRequest, grantSet } from "./grants.mjs";
import { largest, progress, root, settings, tally, tmp } from "./measure.mjs";

/** The short batch: four of decide --batch's 256-line chunks, so each of two workers decides two. */
const SHORT = 1024;

export async function measureBatch() {
  const grantsFile = join(tmp(), "batch-grants.json");
  writeFileSync(grantsFile, JSON.stringify(grantSet(largest)));
  const count = Math.max(settings.batchLines, 2 * SHORT);
  const file = (lines) => {
    const path = join(tmp(), `batch-${lines}.jsonl`);
    writeFileSync(path, `${Array.from({ length: lines }, (_, i) => JSON.stringify(distinctRequest(largest, i))).join("\n")}\n`);
    return path;
  };
  const inputs = { [SHORT]: file(SHORT), [count]: file(count) };
  const output = join(tmp(), "batch-out.jsonl");
  const run = (lines, workers) => {
    const fd = openSync(output, "w");
    const started = performance.now();
    const result = spawnSync("node", [join(root, "dist/cli/main.js"), "decide", "--batch", inputs[lines], "--grants", grantsFile, "--workers", String(workers)], { stdio: ["ignore", fd, "pipe"] });
    const ms = performance.now() - started;
    closeSync(fd);
    if (result.status !== 0) throw new Error(`decide --batch --workers ${workers} failed (${result.status}): ${result.stderr}`);
    const decisions = readFileSync(output, "utf8").split("\n").filter((line) => line !== "");
    if (decisions.length !== lines) throw new Error(`decide --batch answered ${decisions.length} lines for ${lines}`);
    return { ms, codes: tally(decisions, (line) => JSON.parse(line).code) };
  };
  const results = {};
  for (const workers of [1, 2]) {
    const short = run(SHORT, workers);
    const long = run(count, workers);
    results[`workers${workers}`] = {
      workers,
      lines: count,
      decisionsPerSec: (count - SHORT) / ((long.ms - short.ms) / 1000),
      endToEndPerSec: count / (long.ms / 1000),
      shortBatchMs: short.ms,
      longBatchMs: long.ms,
      codes: long.codes,
    };
    progress(`decide --batch --workers ${workers}: ${count} lines, ${largest} permissions`);
  }
  return results;
}
