// Prometheus metrics for the service: decisions by code and engine, their latency, the bundle revision, what the
// caches hold, and what became of each decision's log event.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { CacheSize } from "../decision-point.js";
import { DROP_REASONS, type DecisionLogHooks } from "./decision-log.js";

export type ServiceMetrics = ReturnType<typeof serviceMetrics>;

export function serviceMetrics(engine: string, revision: string, caches?: () => CacheSize[]) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const decisions = new Counter({
    name: "msq_authz_decisions_total",
    help: "Decisions made, by code and engine.",
    labelNames: ["code", "engine"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "msq_authz_decision_seconds",
    help: "Time to decide, from request body to decision.",
    labelNames: ["engine"],
    buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  const bundle = new Gauge({
    name: "msq_authz_bundle_info",
    help: "The policy bundle serving decisions (value 1, revision as a label).",
    labelNames: ["revision", "engine"],
    registers: [registry],
  });
  const reloadFailures = new Counter({
    name: "msq_authz_bundle_reload_failures_total",
    help: "Bundle reloads that failed; the last good bundle kept serving.",
    registers: [registry],
  });
  // Read when scraped, so the gauges show what the caches hold at that moment.
  new Gauge({
    name: "msq_authz_cache_bytes",
    help: "What each cache holds, keys and values together, counted as UTF-16 bytes.",
    labelNames: ["cache"],
    registers: [registry],
    collect() {
      this.reset();
      for (const size of caches?.() ?? []) this.set({ cache: size.cache }, size.bytes);
    },
  });
  new Gauge({
    name: "msq_authz_cache_entries",
    help: "How many entries each cache holds.",
    labelNames: ["cache"],
    registers: [registry],
    collect() {
      this.reset();
      for (const size of caches?.() ?? []) if (size.entries !== undefined) this.set({ cache: size.cache }, size.entries);
    },
  });
  bundle.set({ revision, engine }, 1);
  reloadFailures.inc(0);
  return {
    registry,
    activated(next: string): void {
      bundle.reset();
      bundle.set({ revision: next, engine }, 1);
    },
    reloadFailed(): void {
      reloadFailures.inc();
    },
    observe(code: string, seconds: number): void {
      decisions.inc({ code, engine });
      latency.observe({ engine }, seconds);
    },
  };
}

/** The decision log's counters, registered only when decisions are logged; `buffered` is read when scraped. */
export function decisionLogMetrics(registry: Registry, buffered: () => number): Required<Omit<DecisionLogHooks, "warn">> {
  const recorded = new Counter({ name: "msq_authz_decision_log_events_total", help: "Decision-log events recorded, one per decision.", registers: [registry] });
  const delivered = new Counter({
    name: "msq_authz_decision_log_delivered_total",
    help: "Decision-log events the sink took: written to the file, or in an upload the sink answered with a 2xx.",
    registers: [registry],
  });
  const dropped = new Counter({
    name: "msq_authz_decision_log_dropped_total",
    help:
      "Decision-log events dropped, by reason: buffer_full (the buffer was at its byte bound; the oldest go first), too_large " +
      "(one event over the upload size limit), upload_failed (its batch failed every retry), write_failed (the file could not be written).",
    labelNames: ["reason"],
    registers: [registry],
  });
  const uploads = new Counter({ name: "msq_authz_decision_log_uploads_total", help: "Uploads to the decision-log sink, by outcome.", labelNames: ["outcome"], registers: [registry] });
  new Gauge({
    name: "msq_authz_decision_log_buffer_bytes",
    help: "Decision-log events waiting to be written or uploaded, in bytes of their JSON.",
    registers: [registry],
    collect() {
      this.set(buffered());
    },
  });
  for (const reason of DROP_REASONS) dropped.inc({ reason }, 0);
  for (const outcome of ["ok", "failed"]) uploads.inc({ outcome }, 0);
  return {
    recorded: () => recorded.inc(),
    delivered: (events) => delivered.inc(events),
    dropped: (reason, events) => dropped.inc({ reason }, events),
    uploaded: (ok) => uploads.inc({ outcome: ok ? "ok" : "failed" }),
  };
}
