// Raw SQL decided the first time, analysis included: each statement distinct in a name the analysis must report (the
// EXTERN source's URI, a table a regex grant matches), so neither a cache keyed by the text nor one keyed by its
// canonical tokens has seen it. At the largest grant set.
import { createDecisionPoint } from "../dist/index.js";
import { grantSet } from "./grants.mjs";
import { largest, progress, tally, timeTasks } from "./measure.mjs";
import { sql as workloads } from "./workloads.mjs";

export const statements = {
  insertExtern: (n) =>
    `INSERT INTO ds_0_1 SELECT TIME_PARSE("timestamp") AS __time, page, "user", added FROM TABLE(EXTERN(` +
    `'{"type":"http","uris":["https://example.com/wikipedia/${n}/edits.json.gz"]}', '{"type":"json"}', ` +
    `'[{"name":"timestamp","type":"string"},{"name":"page","type":"string"},{"name":"user","type":"string"},{"name":"added","type":"long"}]'` +
    `)) PARTITIONED BY DAY`,
  join5: (n) =>
    `SELECT a.x FROM ds_0_0 a JOIN ds_0_2 b ON a.x = b.x JOIN druid.ds_0_4 c ON b.x = c.x ` +
    `LEFT JOIN (SELECT x FROM ds_0_j${n} WHERE x IN (SELECT x FROM logs_0_1)) d ON c.x = d.x JOIN ds_1_0 e ON d.x = e.x`,
  cte: (n) =>
    `WITH t1 AS (SELECT x, COUNT(*) AS n FROM ds_0_0 GROUP BY x), t2 AS (SELECT x FROM t1 WHERE n > 10), ` +
    `t3 AS (SELECT w.* FROM ds_0_2 w JOIN t2 ON w.x = t2.x) SELECT * FROM t3 UNION ALL SELECT * FROM ds_0_c${n}`,
};

export async function measureRawSql() {
  const point = await createDecisionPoint({ grants: grantSet(largest) });
  const request = (sql) => ({ identity: { authenticated: true, user: "bench" }, operation: "sql.task.submit", sql });
  const codes = {};
  for (const [name, sql] of Object.entries(statements)) {
    codes[name] = tally(await Promise.all([0, 1, 2].map((n) => point.decide(request(sql(`probe${n}`))))), (d) => d.code);
  }
  let n = 0;
  const timed = await timeTasks({
    insertExtern: () => point.decideSync(request(statements.insertExtern(n++))),
    join5: () => point.decideSync(request(statements.join5(n++))),
    cte: () => point.decideSync(request(statements.cte(n++))),
    repeated: () => point.decideSync(request(statements.insertExtern(0))),
  });
  progress(`raw SQL: ${largest} permissions`);
  return { rows: Object.entries(timed).map(([key, result]) => ({ workload: workloads[key], permissions: largest, ...result })), notes: { codes } };
}
