// Analysis depends only on the SQL text and its parameters (settings are the policy's business), so a gateway that
// sees the same statements again pays once for parsing them and for holding what they name to the request limits.
// The cache is bounded by entries and by bytes.
import { LRUCache } from "lru-cache";
import { cacheKey } from "../cache-key.js";
import { describeErrors, validateStatement } from "../schemas/validate.js";
import type { Statement } from "../types.js";
import { type SqlParameter, analyzeSql } from "./analyze.js";
import { SqlAnalysisError } from "./errors.js";

export type AnalysisOutcome = Statement | SqlAnalysisError;

export interface SqlCacheLimits {
  /** Statements remembered (default 1,000). */
  entries?: number;
  /** Bytes remembered, keys and results together, as UTF-16 (default 32 MiB). */
  bytes?: number;
}

export class CachedSqlAnalyzer {
  private readonly cache: LRUCache<string, AnalysisOutcome> | undefined;

  constructor(limits: SqlCacheLimits = {}) {
    const entries = limits.entries ?? 1000;
    this.cache =
      entries > 0
        ? new LRUCache({
            max: entries,
            maxSize: limits.bytes ?? 32 * 1024 * 1024,
            sizeCalculation: (outcome, key) => 2 * (key.length + (outcome instanceof SqlAnalysisError ? outcome.message.length : JSON.stringify(outcome).length)),
          })
        : undefined;
  }

  /** Bytes the cache holds now (for the gauge). */
  get size(): number {
    return this.cache?.calculatedSize ?? 0;
  }

  analyze(sql: string, parameters: readonly SqlParameter[] = []): AnalysisOutcome {
    // Two requests share an entry only when both their SQL and their parameters are equal: the first character
    // says which form the rest has, so no SQL text can spell another request's key.
    const key = cacheKey(parameters.length === 0 ? `s${sql}` : `p${JSON.stringify([sql, parameters])}`);
    let outcome = this.cache?.get(key);
    if (outcome === undefined) {
      try {
        outcome = withinLimits(analyzeSql(sql, parameters));
      } catch (error) {
        if (!(error instanceof SqlAnalysisError)) throw error;
        outcome = error;
      }
      // A statement larger than the whole budget is answered, not remembered.
      this.cache?.set(key, outcome);
    }
    return outcome;
  }
}

/**
 * What the SQL names is held to the limits a pre-analyzed statement has (the request schema's): the policy's work
 * grows with it, and faster than linearly in opa-wasm's sort. Checked once, before the outcome is remembered.
 */
function withinLimits(statement: Statement): Statement {
  if (validateStatement(statement)) return statement;
  const limits = describeErrors(validateStatement.errors, "/statement");
  throw new SqlAnalysisError("unsupported_sql", `the statement is beyond what msq-authz decides: ${limits.join("; ")}`);
}
