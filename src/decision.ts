// Decisions the decision point makes itself, before or instead of an engine: all of them fail closed.
import type { SqlAnalysisError } from "./sql/errors.js";
import type { Decision, DecisionCode, EngineName } from "./types.js";

export interface Stamp {
  engine: EngineName;
  revision: string;
}

export function refusal(status: Decision["status"], code: DecisionCode, reasons: string[], stamp: Stamp): Decision {
  return { allow: false, status, code, required: [], missing: [], matched: [], reasons, ...stamp };
}

/** A request that does not satisfy the request schema: 400, naming the field. */
export function invalidRequest(details: string[], stamp: Stamp): Decision {
  return refusal(400, "invalid_request", details.map((detail) => `INPUT (Request shape): ${detail}`), stamp);
}

/** SQL that Druid would refuse, or that the SQL parser cannot read: 400 either way. */
export function invalidSql(error: SqlAnalysisError, stamp: Stamp): Decision {
  return refusal(400, error.code, [`SQL (Druid SQL analysis): ${error.message}`], stamp);
}

/** Anything that went wrong inside the decision point: never an allow. */
export function engineError(error: Error, stamp: Stamp): Decision {
  return refusal(500, "engine_error", [`ENGINE: ${error.message}`], stamp);
}
