// Analysis depends only on the SQL text and its parameters (settings are the policy's business), so a gateway that
// sees the same statements again pays for parsing once.
import { LRUCache } from "lru-cache";
import { type Analysis, type SqlParameter, analyzeSql } from "./analyze.js";
import { SqlAnalysisError } from "./parse.js";

export type AnalysisOutcome = Analysis | SqlAnalysisError;

export class CachedSqlAnalyzer {
  private readonly cache: LRUCache<string, AnalysisOutcome>;

  constructor(maxEntries = 1000) {
    this.cache = new LRUCache({ max: maxEntries });
  }

  analyze(sql: string, parameters: readonly SqlParameter[] = []): AnalysisOutcome {
    const key = parameters.length === 0 ? sql : JSON.stringify([sql, parameters]);
    let outcome = this.cache.get(key);
    if (outcome === undefined) {
      try {
        outcome = analyzeSql(sql, parameters);
      } catch (error) {
        if (!(error instanceof SqlAnalysisError)) throw error;
        outcome = error;
      }
      this.cache.set(key, outcome);
    }
    return outcome;
  }
}
