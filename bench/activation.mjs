// Activation: createDecisionPoint with the largest grant set, in a fresh process each run, so that RSS is the
// process's own: Node, the grants as the host holds them, and one decision point. The process first makes a point
// from 10 permissions (the WASM module compiled, the code paths warm), as a running service is when a new
// revision arrives; the figure is the median of the runs.
//   node --expose-gc bench/activation.mjs --child SIZE   (one run; prints JSON)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDecisionPoint } from "../dist/index.js";
import { grantSet } from "./grants.mjs";
import { largest, progress, quantile } from "./measure.mjs";

const RUNS = 3;

async function child(size) {
  await createDecisionPoint({ grants: grantSet(10) });
  const grants = grantSet(size);
  globalThis.gc();
  const started = performance.now();
  const point = await createDecisionPoint({ grants });
  const ms = performance.now() - started;
  globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  const decision = point.decideSync({ identity: { authenticated: true, user: "bench" }, operation: "sql.task.enabled" });
  console.log(JSON.stringify({ ms, rssMiB: rss / 2 ** 20, heapMiB: heapUsed / 2 ** 20, grantsMiB: JSON.stringify(grants).length / 2 ** 20, answered: decision.code }));
}

export function measureActivation(size = largest) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const result = spawnSync("node", ["--expose-gc", fileURLToPath(import.meta.url), "--child", String(size)], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`activation run failed (${result.status}): ${result.stderr}`);
    runs.push(JSON.parse(result.stdout));
  }
  const median = (key) => quantile(runs.map((r) => r[key]).sort((a, b) => a - b), 0.5);
  progress(`activation: ${size} permissions, ${RUNS} runs`);
  return { permissions: size, ms: median("ms"), rssMiB: median("rssMiB"), heapMiB: median("heapMiB"), grantsMiB: runs[0].grantsMiB, runs };
}

if (process.argv[2] === "--child") await child(Number(process.argv[3]));
