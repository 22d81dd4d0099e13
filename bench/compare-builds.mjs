// First-time decisions by this checkout and by another one's build, in one run, at the largest grant set,
// alternating rounds so that both see the same machine: raw SQL (bench/raw-sql.mjs), distinct pre-analyzed requests
// (bench/grants.mjs distinctRequest), and the same pre-analyzed requests sent again by other users.
//   node bench/compare-builds.mjs --before /path/to/other/checkout/dist [--ms 3000]
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { distinctRequest, grantSet, requestFromAnotherUser } from "./grants.mjs";
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
const workloads = { ...Object.fromEntries(Object.keys(statements).map((name) => [name, `raw SQL ${name}`])), distinct: "pre-analyzed, distinct", anotherUser: "pre-analyzed, same requests, other users" };
const tasks = {};
for (const [build, { createDecisionPoint }] of Object.entries(builds)) {
  const point = await createDecisionPoint({ grants, decisionCacheEntries: 0 });
  let n = 0;
  for (const [name, sql] of Object.entries(statements)) tasks[`${name} ${build}`] = () => point.decideSync(request(sql(`${build}${n++}`)));
  tasks[`distinct ${build}`] = () => point.decideSync(distinctRequest(largest, n++));
  tasks[`anotherUser ${build}`] = () => point.decideSync(requestFromAnotherUser(largest, n++));
}
const timed = await timeTasks(tasks, Number(values.ms));
console.log(`first-time decisions at ${largest.toLocaleString("en-US")} permissions: p50 us, before -> after (ratio)`);
for (const [name, label] of Object.entries(workloads)) {
  const [before, after] = [timed[`${name} before`], timed[`${name} after`]];
  console.log(`${label.padEnd(42)} ${before.p50us.toFixed(0).padStart(6)} -> ${after.p50us.toFixed(0).padStart(6)}  (${(after.p50us / before.p50us).toFixed(2)}x)`);
}
