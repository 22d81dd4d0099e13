// Druid's own OPA authorizer asks about one resource action per message (msq/druid/allow). Embedded: a message no
// earlier one was (so the per-revision check cache misses) and the same message again. Over HTTP: `msq-authz serve`
// against a stock `opa run --server` running bench/druid-example/partial.rego (regex.match over data.user_roles and
// data.role_grants, as Druid's example is written) on the same grants: the most each answers over a mix of distinct
// messages sent again and again, the most serve answers when every message is new, and serve's latency at 70% of its
// maximum. At the largest grant set.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDecisionPoint } from "../dist/index.js";
import { druidExampleData, druidMessage, grantSet } from "./grants.mjs";
import { cannon, largest, progress, root, settings, startOpaServer, tally, timeTasks, tmp } from "./measure.mjs";
import { pacedLoad } from "./paced-load.mjs";
import { startService } from "./service.mjs";
import { druid as workloads } from "./workloads.mjs";

/** First-time messages are numbered from here on: none of them is in the HTTP mix. */
const FRESH = 1_000_000_000;

export async function measureDruidEmbedded() {
  const grants = grantSet(largest);
  const point = await createDecisionPoint({ grants });
  const same = druidMessage(grants, 0);
  await point.druidAllow(same);
  const probe = await Promise.all(Array.from({ length: 100 }, (_, i) => point.druidAllow(druidMessage(grants, FRESH - 1 - i))));
  let k = 2 * FRESH;
  const timed = await timeTasks({
    embeddedFirst: () => point.druidAllow(druidMessage(grants, k++)),
    embeddedRepeated: () => point.druidAllow(same),
  });
  progress(`Druid check, embedded: ${largest} permissions`);
  return {
    rows: Object.entries(timed).map(([key, result]) => ({ workload: workloads[key], permissions: largest, ...result })),
    notes: { results: tally(probe, (answer) => `result ${answer.result}`) },
  };
}

export async function measureDruidHttp() {
  const grants = grantSet(largest);
  const grantsFile = join(tmp(), "druid-grants.json");
  writeFileSync(grantsFile, JSON.stringify(grants));
  const dataFile = join(tmp(), "druid-example-data.json");
  writeFileSync(dataFile, JSON.stringify(druidExampleData(grants)));
  const bodies = Array.from({ length: settings.druidDistinct }, (_, i) => JSON.stringify({ input: druidMessage(grants, i) }));

  const next = (i) => bodies[i % bodies.length];
  const answers = async (url) => {
    const results = [];
    for (const body of bodies.slice(0, 20)) {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      results.push((await response.json()).result === true ? "allow" : "deny");
    }
    return results.join(" ");
  };
  const out = { distinctMessages: bodies.length, connections: settings.connections, seconds: settings.httpSeconds };

  const service = await startService(["--grants", grantsFile]);
  try {
    const url = `${service.url}/v1/data/msq/druid/allow`;
    out.serveAnswers = await answers(url);
    // One pass over the mix first, so that the measured runs see what a running service sees: checks it has answered
    // before (Druid asks the same ones again and again), remembered per revision.
    await cannon({ url, body: next, amount: bodies.length });
    out.serveMax = await cannon({ url, body: next });
    const rate = Math.max(1, Math.round(0.7 * out.serveMax.requestsPerSec));
    out.servePaced = await pacedLoad({ url, bodies, rate, seconds: settings.httpSeconds });
    out.serveAutocannonRate = await cannon({ url, body: next, overallRate: rate });
    // Last: the new messages it remembers could push the mix's out of the check cache.
    out.serveFirstTime = await cannon({ url, body: (i) => JSON.stringify({ input: druidMessage(grants, FRESH + i) }) });
  } finally {
    await service.stop();
  }
  progress(`Druid check over HTTP: serve, ${largest} permissions`);

  const server = await startOpaServer([join(root, "bench/druid-example/partial.rego"), dataFile]);
  try {
    const url = `${server.url}/v1/data/druid_example/allow`;
    out.opaAnswers = await answers(url);
    await cannon({ url, body: next, seconds: 2 }); // warm-up
    out.opaMax = await cannon({ url, body: next });
  } finally {
    await server.stop();
  }
  progress(`Druid check over HTTP: OPA with the example policy, ${largest} permissions`);
  // Both must be answering the question: the same answers to the same messages (the mix has no partial-match trap).
  out.sameAnswers = out.serveAnswers === out.opaAnswers;
  return out;
}
