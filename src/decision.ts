// Decisions the decision point makes itself, before or instead of an engine: both fail closed.
import type { SqlAnalysisError } from "./sql/parse.js";
import type { Decision, EngineName } from "./types.js";

export interface Stamp {
  engine: EngineName;
  revision: string;
}

/** A request that does not satisfy the request schema: 400, naming the field. */
export function invalidRequest(details: string[], stamp: Stamp): Decision {
  return {
    allow: false,
    status: 400,
    code: "invalid_request",
    required: [],
    missing: [],
    matched: [],
    reasons: details.map((detail) => `INPUT (Request shape): ${detail}`),
    ...stamp,
  };
}

/** SQL that Druid would refuse, or that the SQL parser cannot read: 400 either way. */
export function invalidSql(error: SqlAnalysisError, stamp: Stamp): Decision {
  return {
    allow: false,
    status: 400,
    code: error.code,
    required: [],
    missing: [],
    matched: [],
    reasons: [`SQL (Druid SQL analysis): ${error.message}`],
    ...stamp,
  };
}

/** Anything that went wrong inside the decision point: never an allow. */
export function engineError(error: Error, stamp: Stamp): Decision {
  return {
    allow: false,
    status: 500,
    code: "engine_error",
    required: [],
    missing: [],
    matched: [],
    reasons: [`ENGINE: ${error.message}`],
    ...stamp,
  };
}
