// Decisions the decision point makes itself, before or instead of an engine: both fail closed.
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
