// Decisions against grant-set size: first-time and repeated pre-analyzed decisions, embedded, next to the engines a
// user would otherwise reach for (a naive node-casbin enforcer, OPA's Go evaluator, a stock OPA server), at each
// size; at the largest, the same first-time mix against the caller's own grants alone (the flat-cost figure).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { StringAdapter, newEnforcer, newModelFromString } from "casbin";
import { createDecisionPoint, grantPatterns } from "../dist/index.js";
import { casbinLines, distinctRequest, grantSet, perUserGrants, requestFromAnotherUser, requestMix } from "./grants.mjs";
import { largest, opa, progress, root, settings, startOpaServer, tally, timeTasks, tmp } from "./measure.mjs";
import { scale as workloads } from "./workloads.mjs";

// The enforcer a user writes first: every policy line's pattern tried as a regular expression, for every check.
const naiveModel = `
[request_definition]
r = sub, typ, obj, act
[policy_definition]
p = sub, typ, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.typ == p.typ && regexMatch(r.obj, p.obj) && r.act == p.act
`;

/** Casbin is given the checks our decisions required for this many distinct requests, in turn. */
const CASBIN_POOL = 1000;

const countPermissions = (grants) => Object.values(grants.roles).reduce((n, role) => n + role.permissions.length, 0);

export async function measureScale() {
  const rows = [];
  const notes = {};
  for (const size of settings.sizes) {
    const grants = grantSet(size);
    const first = await createDecisionPoint({ grants, decisionCacheEntries: 0 });
    const repeated = await createDecisionPoint({ grants });
    const mix = requestMix(size);

    // What the first-time requests decide, and the checks Casbin is asked: those our decisions required.
    const pool = Array.from({ length: CASBIN_POOL }, (_, i) => first.decideSync(distinctRequest(size, i)));
    const required = pool.map((decision) => decision.required ?? []);
    notes[size] = { firstTimeCodes: tally(pool, (d) => d.code), checksPerRequest: required.flat().length / required.length };

    // Loaded as a policy file is (addPolicy line by line takes minutes at 100,000 lines: each add scans the lines).
    const naive = await newEnforcer(newModelFromString(naiveModel), new StringAdapter(casbinLines(grants).map((line) => line.join(", ")).join("\n")));

    // As a built bundle carries them: the grants, and their patterns' RE2 translations (the policy reads no other).
    const dataFile = join(tmp(), `data-${size}.json`);
    writeFileSync(dataFile, JSON.stringify({ grants, grant_patterns: grantPatterns(grants), settings: {} }));
    const inputFile = join(tmp(), `input-${size}.json`);
    writeFileSync(inputFile, JSON.stringify(distinctRequest(size, 0)));
    const goBench = JSON.parse(execFileSync(opa, ["bench", "--ignore", "*_test.rego", "-d", join(root, "policies/rego"), "-d", dataFile,
      "-i", inputFile, "data.msq.authz.decision", "--format", "json", "--count", "1"], { encoding: "utf8", maxBuffer: 1 << 26 }));
    rows.push({ workload: workloads.opaGo, permissions: size, opsPerSec: 1e9 / (goBench.T / goBench.N),
      p50us: goBench.Extra["histogram_timer_rego_query_eval_ns_median"] / 1000, p99us: goBench.Extra["histogram_timer_rego_query_eval_ns_99%"] / 1000 });

    const server = await startOpaServer([join(root, "policies/rego"), dataFile]);
    const perUser = size === largest ? await createDecisionPoint({ grants: perUserGrants(size), decisionCacheEntries: 0 }) : undefined;
    let f = CASBIN_POOL, u = CASBIN_POOL, o = 0, r = 0, c = 0, s = CASBIN_POOL;
    const tasks = { firstTime: () => first.decideSync(distinctRequest(size, f++)) };
    // Back to back with the first-time task, so that the two rates the flat figure divides share the machine's mood.
    if (perUser) tasks.perUser = () => perUser.decideSync(distinctRequest(size, u++));
    Object.assign(tasks, {
      otherUsers: () => first.decideSync(requestFromAnotherUser(size, o++)),
      repeated: () => repeated.decideSync(mix[r++ % mix.length]),
      casbin: () => required[c++ % required.length].every((check) => naive.enforceSync("bench", check.type, check.name, check.action)),
      opaServer: async () => {
        const response = await fetch(`${server.url}/v1/data/msq/authz/decision`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: distinctRequest(size, s++) }),
        });
        await response.json();
      },
    });
    try {
      const timed = await timeTasks(tasks);
      for (const [key, result] of Object.entries(timed)) {
        const permissions = key === "perUser" ? countPermissions(perUserGrants(size)) : size;
        rows.push({ workload: workloads[key], permissions, ...(key === "perUser" ? { perUserOf: size } : {}), ...result });
      }
    } finally {
      await server.stop();
    }
    progress(`scale: ${size} permissions`);
  }
  return { rows, notes };
}
