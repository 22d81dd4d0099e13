// One decision as OPA's decision-log plugin reports it (plugins/logs EventV1): the same field names, the same order,
// the same omissions, so a sink written for OPA (a log pipeline, a control plane) reads msq-authz's events unchanged.
// Checked against a stock `opa run --server` 1.22 posting to a loopback sink: labels {id, version}, a UUID
// decision_id, bundles {<name>: {revision}}, path without a leading slash, erased paths in rule order, an RFC 3339
// timestamp with nanoseconds and trailing zeros trimmed (Go's time.RFC3339Nano), metrics as timer_*_ns.

export interface DecisionLogEvent {
  /** `id` names this process (a UUID drawn at start), `version` the msq-authz version; as OPA's manager labels. */
  labels: Record<string, string>;
  decision_id: string;
  bundles?: Record<string, { revision?: string }>;
  /** The policy path decided, as in the Data API URL: `msq/authz/decision`. */
  path?: string;
  input?: unknown;
  result?: unknown;
  /** Mask rules that removed something, as they were given (`/input/identity/user`). */
  erased?: string[];
  /** The client's address and port. */
  requested_by?: string;
  timestamp: string;
  metrics?: Record<string, number>;
}

const UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/** The event's shape, for sinks and tests: OPA's EventV1 fields that msq-authz writes, nothing else. */
export const decisionLogEventSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "A decision-log event, as OPA's decision-log plugin writes it (EventV1)",
  type: "object",
  additionalProperties: false,
  required: ["labels", "decision_id", "timestamp"],
  properties: {
    labels: {
      type: "object",
      required: ["id", "version"],
      properties: { id: { type: "string", pattern: UUID }, version: { type: "string", minLength: 1 } },
      additionalProperties: { type: "string" },
    },
    decision_id: { type: "string", pattern: UUID },
    bundles: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: { revision: { type: "string" } },
      },
    },
    path: { type: "string", pattern: "^[^/]" },
    input: {},
    result: {},
    erased: { type: "array", items: { type: "string", pattern: "^/(input|result|nd_builtin_cache)(/|$)" } },
    requested_by: { type: "string" },
    timestamp: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d*[1-9])?Z$" },
    metrics: { type: "object", additionalProperties: { type: "number" } },
  },
} as const;

/**
 * Nanoseconds since the epoch as Go's time.RFC3339Nano writes a UTC time: the fraction only as long as it needs to
 * be, none at all on a whole second.
 */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = epochNs / 1_000_000n;
  const seconds = new Date(Number(ms)).toISOString().slice(0, 19);
  const fraction = String(epochNs % 1_000_000_000n).padStart(9, "0").replace(/0+$/u, "");
  return `${seconds}${fraction ? `.${fraction}` : ""}Z`;
}

/**
 * The wall clock in nanoseconds: Date.now() has milliseconds only, so the monotonic clock fills in below them, and
 * the two are re-anchored whenever they drift a millisecond apart (the wall clock was set).
 */
export class WallClock {
  private anchorNs = BigInt(Date.now()) * 1_000_000n;
  private anchorHr = process.hrtime.bigint();

  nowNs(): bigint {
    const hr = process.hrtime.bigint();
    const ns = this.anchorNs + (hr - this.anchorHr);
    const wallMs = BigInt(Date.now());
    const drift = ns / 1_000_000n - wallMs;
    if (drift > 1n || drift < -1n) {
      this.anchorNs = wallMs * 1_000_000n;
      this.anchorHr = hr;
      return this.anchorNs;
    }
    return ns;
  }
}
