// What a failed SQL analysis means for a decision.
import { MsqAuthzError } from "../errors.js";

export type SqlErrorCode = "invalid_sql" | "unsupported_sql";

/**
 * SQL that Druid refuses before it authorizes anything (invalid_sql), or SQL msq-authz cannot read with certainty
 * (unsupported_sql): Druid may accept it, so it is refused without claiming that Druid would.
 */
export class SqlAnalysisError extends MsqAuthzError {
  constructor(
    readonly code: SqlErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
