// make bench: every figure issue 16 sets a goal for, each next to the baseline it names, measured in one run on this
// machine. Prints the measurements and the goals table, writes bench/results/latest.json, and regenerates the
// README's Performance block and bench/results/scale.svg from it (bench/readme-table.mjs).
//
// Environment, to shorten a run (figures from a shortened run are marked so in the README):
//   BENCH_SIZES=10,1000,10000,100000  grant-set sizes; the largest is the size every other figure is measured at
//   BENCH_MS=1500                     ms tinybench spends on each in-process task (3 alternating rounds)
//   BENCH_BATCH_LINES=100000          lines decide --batch decides
//   BENCH_HTTP_SECONDS=8              seconds of each HTTP load
//   BENCH_DRUID_DISTINCT=10000        distinct Druid authorizer messages in the HTTP mix
//   BENCH_ONLY=scale,sql,druid,activation,batch,http,serve   the sections to run (default: all)
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { measureActivation } from "./activation.mjs";
import { measureBatch } from "./batch.mjs";
import { measureDruidEmbedded, measureDruidHttp } from "./druid-check.mjs";
import { cells, figures, formatNumber, headings } from "./goals.mjs";
import { opa, settings } from "./measure.mjs";
import { measureRawSql } from "./raw-sql.mjs";
import { paths, writeReadme } from "./readme-table.mjs";
import { measureScale } from "./scale.mjs";
import { measureServe } from "./serve.mjs";

const SECTIONS = ["scale", "sql", "druid", "activation", "batch", "http", "serve"];
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()) ?? SECTIONS;
const unknown = only.filter((s) => !SECTIONS.includes(s));
if (unknown.length) throw new Error(`BENCH_ONLY: no section ${unknown.join(", ")} (sections: ${SECTIONS.join(", ")})`);
const runs = (section) => only.includes(section);

const started = Date.now();
const results = { rows: [], notes: {} };
// In-process sections first, then those that measure other processes, so that none shares the CPU with another.
if (runs("scale")) {
  const { rows, notes } = await measureScale();
  results.rows.push(...rows);
  results.notes.scale = notes;
}
if (runs("sql")) {
  const { rows, notes } = await measureRawSql();
  results.rows.push(...rows);
  results.notes.rawSql = notes;
}
if (runs("druid")) {
  const { rows, notes } = await measureDruidEmbedded();
  results.rows.push(...rows);
  results.notes.druidEmbedded = notes;
}
if (runs("activation")) results.activation = measureActivation();
if (runs("batch")) results.batch = await measureBatch();
if (runs("http")) results.druidHttp = await measureDruidHttp();
if (runs("serve")) results.serve = await measureServe();

const opaVersion = `OPA ${execFileSync(opa, ["version"], { encoding: "utf8" }).split("\n")[0].replace(/^Version:\s*/u, "")}`;
const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, opa: opaVersion, platform: `${os.platform()} ${os.release()}` };
const output = {
  machine,
  takenAt: new Date().toISOString(),
  runSeconds: Math.round((Date.now() - started) / 1000),
  settings: { ...settings, sections: only.join(",") },
  figures: [],
  ...results,
};
output.figures = figures(output);
writeFileSync(paths.results, `${JSON.stringify(output, null, 2)}\n`);
writeReadme(output);

const pad = (s, n) => String(s).padEnd(n);
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GiB, Node ${machine.node}, ${machine.opa}; run took ${output.runSeconds} s`);
if (output.rows.length) {
  console.log(`\n${pad("workload", 66)} ${pad("perms", 8)} ${pad("ops/s", 12)} ${pad("p50 us", 10)} p99 us`);
  for (const r of output.rows) console.log(`${pad(r.workload, 66)} ${pad(r.permissions, 8)} ${pad(formatNumber(r.opsPerSec), 12)} ${pad(formatNumber(r.p50us), 10)} ${formatNumber(r.p99us)}`);
}
const table = [headings, ...output.figures.map(cells)];
const widths = headings.map((_, i) => Math.max(...table.map((row) => row[i].length)));
console.log("");
for (const [n, row] of table.entries()) {
  console.log(row.map((text, i) => pad(text, widths[i])).join("  ").trimEnd());
  if (n === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
const judged = output.figures.filter((f) => f.met !== undefined);
console.log(`\ngoals met: ${judged.filter((f) => f.met).length} of ${judged.length}; wrote ${join("bench/results", "latest.json")}, bench/results/scale.svg and README.md's Performance block`);
