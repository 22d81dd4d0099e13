// The most work a request can ask for inside the request limits, measured: each worst case is built from the limits
// the request schema states (and the 1 MiB request cap), decided by both engines, and timed. The limits were chosen
// from this measurement so that the worst request decides within 50 ms on the project's 2-core machine.
//   node bench/limits.mjs [--runs N] [--json FILE]
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MAX_REQUEST_BYTES, createDecisionPoint, requestSchema } from "../dist/index.js";
import { worstCases } from "./worst-cases.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" }, json: { type: "string" } } });
const runs = Number(values.runs);
const results = [];
for (const worst of worstCases(requestSchema, MAX_REQUEST_BYTES)) {
  for (const engine of ["wasm", "casbin"]) {
    const point = await createDecisionPoint({ grants: worst.grants, settings: worst.settings, engine, decisionCacheEntries: 0 });
    const times = [];
    let decision;
    for (let run = 0; run < runs + 3; run++) {
      const text = JSON.stringify(worst.request(run));
      const started = performance.now();
      decision = await point.decideJson(text);
      if (run >= 3) times.push(performance.now() - started); // the first runs warm up the JIT and the WASM memory
    }
    times.sort((a, b) => a - b);
    const row = {
      case: worst.name,
      engine,
      bytes: JSON.stringify(worst.request(0)).length,
      code: decision.code,
      p50: times[Math.floor(times.length / 2)],
      max: times[times.length - 1],
    };
    results.push(row);
    console.log(`${row.case.padEnd(44)} ${engine.padEnd(6)} ${String(row.bytes).padStart(8)} B  ${row.code.padEnd(12)} p50 ${row.p50.toFixed(1).padStart(5)} ms  max ${row.max.toFixed(1).padStart(5)} ms`);
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
