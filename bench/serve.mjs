// make bench, the service: `msq-authz serve` under autocannon on loopback, first-time and repeated requests.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import autocannon from "autocannon";

const root = new URL("..", import.meta.url).pathname;
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const child = spawn("node", [join(root, "dist/cli/main.js"), "serve", "--grants", join(root, "examples/grants.json"), "--port", String(port)], { stdio: "ignore" });
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`${url}/health`)).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
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
child.kill("SIGTERM");
writeFileSync(join(root, "bench/results/serve.json"), `${JSON.stringify({ takenAt: new Date().toISOString(), connections: 16, results }, null, 2)}\n`);
