// The service's whole-query decision (POST /v1/data/msq/authz/decision) under autocannon on loopback, with
// examples/grants.json: the same request again and again, and a different one each time. Part of `make bench`;
// alone, `node bench/serve.mjs` writes bench/results/serve.json.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cannon, progress, settings } from "./measure.mjs";
import { root, startService } from "./service.mjs";

export async function measureServe() {
  const service = await startService(["--grants", join(root, "examples/grants.json")]);
  const body = (i) => JSON.stringify({ input: { identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: `wiki_${i}` }] } } });
  const results = { connections: settings.connections, seconds: settings.httpSeconds };
  try {
    const url = `${service.url}/v1/data/msq/authz/decision`;
    results.repeated = await cannon({ url, body: () => body(0) });
    results.firstTime = await cannon({ url, body });
  } finally {
    await service.stop();
  }
  progress("serve, whole-query decision");
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await measureServe();
  for (const [name, r] of Object.entries(results)) {
    if (typeof r === "object") console.log(`serve, ${name}: ${Math.round(r.requestsPerSec)} req/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
  }
  writeFileSync(join(root, "bench/results/serve.json"), `${JSON.stringify({ takenAt: new Date().toISOString(), ...results }, null, 2)}\n`);
}
