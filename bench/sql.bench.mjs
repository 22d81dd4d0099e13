// make bench (first version): what SQL analysis costs, and what a decision costs on top of it.
// Prints a table; the numbers are for this machine, measured in one run.
import { Bench } from "tinybench";
import { analyzeSql } from "../dist/sql/analyze.js";
import { createDecisionPoint } from "../dist/index.js";
import { readFileSync } from "node:fs";

const insertFromExtern = `INSERT INTO wikipedia
SELECT TIME_PARSE("timestamp") AS __time, channel, page, added, deleted
FROM TABLE(
  EXTERN(
    '{"type":"http","uris":["https://druid.apache.org/data/wikipedia.json.gz"]}',
    '{"type":"json"}',
    '[{"name":"timestamp","type":"string"},{"name":"channel","type":"string"},{"name":"page","type":"string"},{"name":"added","type":"long"},{"name":"deleted","type":"long"}]'
  )
)
PARTITIONED BY DAY
CLUSTERED BY channel`;

const fiveWayJoin = `SELECT a.page, b.added, c.deleted, d.channel, e.comment
FROM wiki_a a
JOIN wiki_b b ON a.page = b.page
JOIN druid.wiki_c c ON b.page = c.page
LEFT JOIN (SELECT page, channel FROM wiki_d WHERE channel IN (SELECT channel FROM wiki_channels)) d ON c.page = d.page
JOIN wiki_e e ON d.page = e.page
WHERE a.__time > CURRENT_TIMESTAMP - INTERVAL '1' DAY`;

const cteHeavy = `WITH
  t1 AS (SELECT page, COUNT(*) AS n FROM wiki_edits GROUP BY page),
  t2 AS (SELECT page FROM t1 WHERE n > 10),
  t3 AS (SELECT w.* FROM wikipedia w JOIN t2 ON w.page = t2.page)
SELECT * FROM t3 UNION ALL SELECT * FROM wiki_archive`;

const grants = JSON.parse(readFileSync("examples/grants.json", "utf8"));
const point = await createDecisionPoint({ grants });
const request = (sql) => ({ identity: { authenticated: true, user: "admin" }, operation: "sql.task.submit", sql });

// A fresh cache per iteration would measure the LRU; a unique comment per call defeats it instead.
let n = 0;
const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add("parse+analyze INSERT ... FROM TABLE(EXTERN(...))", () => analyzeSql(insertFromExtern))
  .add("parse+analyze 5-way join", () => analyzeSql(fiveWayJoin))
  .add("parse+analyze CTE-heavy SELECT", () => analyzeSql(cteHeavy))
  .add("decision from raw SQL, first time (INSERT ... EXTERN)", async () => {
    await point.decide(request(`${insertFromExtern} -- ${n++}`));
  })
  .add("decision from raw SQL, repeated (INSERT ... EXTERN)", async () => {
    await point.decide(request(insertFromExtern));
  });
await bench.run();

const us = (ns) => (ns / 1000).toFixed(1);
console.log("workload".padEnd(56), "ops/s".padStart(10), "p50 us".padStart(10), "p99 us".padStart(10));
for (const task of bench.tasks) {
  const { latency, throughput } = task.result;
  // tinybench reports milliseconds
  console.log(
    task.name.padEnd(56),
    throughput.mean.toFixed(0).padStart(10),
    us(latency.p50 * 1e6).padStart(10),
    us(latency.p99 * 1e6).padStart(10),
  );
}
