// make bench, the service: `msq-authz serve` under autocannon on loopback, first-time and repeated requests.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { root, startService } from "./service.mjs";

const service = await startService(["--grants", join(root, "examples/grants.json")]);
const { url } = service;
const body = (i) => JSON.stringify({ input: { identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: `wiki_${i}` }] } } });
const results = {};
for (const [name, distinct] of [["repeated request", false], ["first-time requests", true]]) {
  let i = 0;
  const result = await autocannon({
    url: `${url}/v1/data/msq/authz/decision`,
    method: "POST",
    connections: 16,
    duration: 8,
    headers: { "content-type": "application/json" },
    requests: [{ setupRequest: (request) => ({ ...request, body: body(distinct ? i++ : 0) }) }],
  });
  results[name] = { requestsPerSec: result.requests.average, p50ms: result.latency.p50, p99ms: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
  console.log(`serve, ${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
}
await service.stop();
writeFileSync(join(root, "bench/results/serve.json"), `${JSON.stringify({ takenAt: new Date().toISOString(), connections: 16, results }, null, 2)}\n`);
