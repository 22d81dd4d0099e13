// Issue 16's goals, each next to what this run measured, the baseline the issue names for it (measured in the same
// run) and the ratio: one figure per row, for the console, bench/results/latest.json and the README.
import { druid, scale, sql } from "./workloads.mjs";

const sizeName = (n) => n.toLocaleString("en-US");

/** A figure: what was measured, in what unit; a goal on it or on its ratio to a baseline; whether it is met. */
function figure(name, measured, unit, { goal, baseline, ratio } = {}) {
  const subject = goal?.on === "ratio" ? ratio : measured;
  let met;
  if (goal && Number.isFinite(subject)) met = goal.op === "<=" ? subject <= goal.value : goal.op === ">" ? subject > goal.value : subject >= goal.value;
  return { name, measured, unit, ...(goal ? { goal } : {}), ...(baseline ? { baseline } : {}), ...(ratio === undefined ? {} : { ratio }), met };
}

const ratioOf = (a, b) => (a === undefined || b === undefined ? undefined : a / b);

/** The figures `results` (as run.mjs collects them) holds; a section that did not run gives none. */
export function figures(results) {
  const { rows = [], settings } = results;
  const largest = Math.max(...settings.sizes);
  const at = (workload, permissions) => rows.find((r) => r.workload === workload && r.permissions === permissions);
  const out = [];
  const L = sizeName(largest);

  const first = at(scale.firstTime, largest);
  if (first) {
    out.push(figure(`first-time decision p50, ${L} permissions`, first.p50us, "us", { goal: { op: "<=", value: 40 } }));
    out.push(figure(`first-time decision p99, ${L} permissions`, first.p99us, "us", { goal: { op: "<=", value: 120 } }));
    for (const size of settings.sizes) {
      const ours = at(scale.firstTime, size);
      const casbin = at(scale.casbin, size);
      out.push(figure(`first-time decisions/s, ${sizeName(size)} permissions`, ours?.opsPerSec, "/s", {
        goal: { on: "ratio", op: ">=", value: 1 }, baseline: { name: "naive Casbin, a request's checks/s", value: casbin?.opsPerSec, unit: "/s" }, ratio: ratioOf(ours?.opsPerSec, casbin?.opsPerSec),
      }));
    }
    const perUser = rows.find((r) => r.workload === scale.perUser && r.perUserOf === largest);
    if (perUser) {
      out.push(figure(`flat: first-time decisions/s, ${L} permissions`, first.opsPerSec, "/s", {
        goal: { on: "ratio", op: ">=", value: 1 / 1.5, text: "ratio >= 0.67 (within 1.5x)" },
        baseline: { name: `same requests, the caller's ${sizeName(perUser.permissions)} permissions alone`, value: perUser.opsPerSec, unit: "/s" },
        ratio: ratioOf(first.opsPerSec, perUser.opsPerSec),
      }));
    }
    const otherUsers = at(scale.otherUsers, largest);
    if (otherUsers) {
      out.push(figure(`first-time decision p50, requests other users sent before, ${L} permissions`, otherUsers.p50us, "us", {
        baseline: { name: "distinct requests", value: first.p50us, unit: "us" },
        ratio: ratioOf(otherUsers.p50us, first.p50us),
      }));
    }
    const go = at(scale.opaGo, largest);
    const server = at(scale.opaServer, largest);
    out.push(figure(`first-time decisions/s vs OPA's Go evaluator, ${L} permissions`, first.opsPerSec, "/s", { baseline: { name: "opa bench", value: go?.opsPerSec, unit: "/s" }, ratio: ratioOf(first.opsPerSec, go?.opsPerSec) }));
    out.push(figure(`first-time decisions/s vs a stock OPA server, ${L} permissions`, first.opsPerSec, "/s", { baseline: { name: "opa run --server, HTTP, 1 connection", value: server?.opsPerSec, unit: "/s" }, ratio: ratioOf(first.opsPerSec, server?.opsPerSec) }));
    const repeated = at(scale.repeated, largest);
    if (repeated) out.push(figure(`repeated decision p50, ${L} permissions`, repeated.p50us, "us"));
  }

  const { batch } = results;
  if (batch) {
    const lines = sizeName(batch.workers1.lines);
    out.push(figure(`decide --batch --workers 1, ${lines} distinct lines, ${L} permissions, start and load excluded`, batch.workers1.decisionsPerSec, "/s", { goal: { op: ">=", value: 20_000 } }));
    out.push(figure(`decide --batch --workers 2, the same`, batch.workers2.decisionsPerSec, "/s", {
      goal: { on: "ratio", op: ">", value: 1, text: "more than --workers 1" }, baseline: { name: "--workers 1", value: batch.workers1.decisionsPerSec, unit: "/s" }, ratio: ratioOf(batch.workers2.decisionsPerSec, batch.workers1.decisionsPerSec),
    }));
    for (const run of [batch.workers1, batch.workers2]) out.push(figure(`decide --batch --workers ${run.workers}, end to end (start and load included)`, run.endToEndPerSec, "/s"));
  }

  const insert = at(sql.insertExtern, largest);
  if (insert) {
    out.push(figure("raw SQL first-time p50: INSERT ... EXTERN", insert.p50us, "us", { goal: { op: "<=", value: 150 } }));
    out.push(figure("raw SQL first-time p50: 5-way join", at(sql.join5, largest)?.p50us, "us", { goal: { op: "<=", value: 250 } }));
    out.push(figure("raw SQL first-time p50: CTE-heavy SELECT", at(sql.cte, largest)?.p50us, "us"));
  }

  const check = at(druid.embeddedFirst, largest);
  if (check) {
    out.push(figure("Druid check, embedded, first-time p50", check.p50us, "us", { goal: { op: "<=", value: 20 } }));
    out.push(figure("Druid check, embedded, repeated p50", at(druid.embeddedRepeated, largest)?.p50us, "us", { goal: { op: "<=", value: 2 } }));
  }

  const { druidHttp: http } = results;
  if (http) {
    const mix = `${sizeName(http.distinctMessages)} distinct messages, again and again`;
    const differ = http.sameAnswers ? "" : " (SERVE AND OPA ANSWERED DIFFERENTLY)";
    out.push(figure(`serve, Druid check over HTTP, max (${mix})${differ}`, http.serveMax.requestsPerSec, "/s", {
      goal: { on: "ratio", op: ">=", value: 3 }, baseline: { name: "stock OPA, Druid-example policy", value: http.opaMax.requestsPerSec, unit: "/s" }, ratio: ratioOf(http.serveMax.requestsPerSec, http.opaMax.requestsPerSec),
    }));
    if (http.serveFirstTime) {
      out.push(figure("serve, Druid check over HTTP, max, every message new", http.serveFirstTime.requestsPerSec, "/s", {
        baseline: { name: "stock OPA, Druid-example policy", value: http.opaMax.requestsPerSec, unit: "/s" }, ratio: ratioOf(http.serveFirstTime.requestsPerSec, http.opaMax.requestsPerSec),
      }));
    }
    out.push(figure(`serve, Druid check p99 at 70% of max (${Math.round(http.servePaced.targetPerSec).toLocaleString("en-US")}/s, paced)`, http.servePaced.p99ms, "ms", { goal: { op: "<=", value: 2 } }));
    out.push(figure("serve, Druid check p99 at the same rate, autocannon's overallRate (each second's quota at once)", http.serveAutocannonRate.p99ms, "ms"));
  }

  const { activation } = results;
  if (activation) {
    out.push(figure(`activation of ${sizeName(activation.permissions)} permissions`, activation.ms, "ms", { goal: { op: "<=", value: 250 } }));
    out.push(figure(`RSS after activation of ${sizeName(activation.permissions)} permissions`, activation.rssMiB, "MiB", { goal: { op: "<=", value: 300 } }));
  }

  const { serve } = results;
  if (serve) {
    out.push(figure("serve, whole-query decision over HTTP, repeated request", serve.repeated.requestsPerSec, "/s"));
    out.push(figure("serve, whole-query decision over HTTP, first-time requests", serve.firstTime.requestsPerSec, "/s"));
  }
  return out;
}

/** A number as the tables print it: thousands separated, fewer decimals the larger it is. */
export function formatNumber(value) {
  if (value === undefined || Number.isNaN(value)) return "n/a";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

const units = { us: " µs", ms: " ms", MiB: " MiB", "/s": "/s" };
const withUnit = (value, unit) => `${formatNumber(value)}${units[unit] ?? ""}`;

/** A figure's cells as text: figure, measured, goal, baseline, ratio, met?. */
export function cells(f) {
  const goal = f.goal ? (f.goal.text ?? (f.goal.on === "ratio" ? `ratio ${f.goal.op} ${formatNumber(f.goal.value)}` : `${f.goal.op} ${withUnit(f.goal.value, f.unit)}`)) : "";
  const baseline = f.baseline ? `${withUnit(f.baseline.value, f.baseline.unit)} (${f.baseline.name})` : "";
  const ratio = f.ratio === undefined ? "" : `${formatNumber(f.ratio)}x`;
  const met = f.met === undefined ? "" : f.met ? "yes" : "no";
  return [f.name, withUnit(f.measured, f.unit), goal, baseline, ratio, met];
}

export const headings = ["figure", "measured", "goal", "baseline (same run)", "ratio", "met?"];
