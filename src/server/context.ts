// What every route is given: the decision point and the services around it. Routes (routes/<name>.ts) only
// translate HTTP to and from the decision point; this is all they share.
import type { BundleSource } from "../bundle/source.js";
import type { Stamp } from "../decision.js";
import type { DecisionPoint } from "../decision-point.js";
import type { DecisionLog } from "./decision-log.js";
import type { ServiceMetrics } from "./metrics.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Answered without the bearer token (`--token`): only health probes, unless an operator asks otherwise. */
    public?: boolean;
  }
}

/** The policy path every msq-authz decision is made at, as OPA's Data API and decision logs name it. */
export const DECISION_PATH = "msq/authz/decision";

export interface ServerContext {
  readonly point: DecisionPoint;
  readonly metrics: ServiceMetrics;
  /** Present when decisions are logged (`serve --decision-log`). */
  readonly decisionLog?: DecisionLog;
  /** The source new bundle revisions come from, when the point follows one. */
  readonly bundleSource?: BundleSource;
  /** The bundle's name in decision logs and in /health?bundles. */
  readonly bundleName: string;
}

/** The engine and revision deciding now, for refusals made before the point is asked. */
export function stampOf(point: DecisionPoint): Stamp {
  return { engine: point.engine, revision: point.revision };
}
