// Raw SQL decided the first time, by this checkout and by another one's build, in one run: the same statements
// (bench/raw-sql.mjs) at the largest grant set, alternating rounds so that both see the same machine.
//   node bench/compare-raw-sql.mjs --before /path/to/other/checkout/dist [--ms 3000]
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { grantSet } from "./grants.mjs";
import { largest, timeTasks } from "./measure.mjs";
import { statements } from "./raw-sql.mjs";

const { values } = parseArgs({ options: { before: { type: "string" }, ms: { type: "string", default: "3000" } } });
if (!values.before) throw new Error("--before: the dist/ directory of the checkout to compare with");
const builds = {
  before: await import(join(resolve(values.before), "index.js")),
  after: await import("../dist/index.js"),
};
const grants = grantSet(largest);
const request = (sql) => ({ identity: { authenticated: true, user: "bench" }, operation: "sql.task.submit", sql });
const tasks = {};
for (const [build, { createDecisionPoint }] of Object.entries(builds)) {
  const point = await createDecisionPoint({ grants });
  let n = 0;
  for (const [name, sql] of Object.entries(statements)) tasks[`${name} ${build}`] = () => point.decideSync(request(sql(`${build}${n++}`)));
}
const timed = await timeTasks(tasks, Number(values.ms));
console.log(`raw SQL first-time at ${largest.toLocaleString("en-US")} permissions: p50 us, before -> after (ratio)`);
for (const name of Object.keys(statements)) {
  const [before, after] = [timed[`${name} before`], timed[`${name} after`]];
  console.log(`${name.padEnd(14)} ${before.p50us.toFixed(0).padStart(6)} -> ${after.p50us.toFixed(0).padStart(6)}  (${(after.p50us / before.p50us).toFixed(2)}x)`);
}
