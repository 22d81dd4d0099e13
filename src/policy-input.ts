// A request as the policy reads it: schema-checked, and with raw SQL analyzed into the statement. This is also
// what to send a stock OPA agent that serves the bundle, which cannot parse SQL itself.
import { describeErrors, validateRequest } from "./schemas/validate.js";
import { CachedSqlAnalyzer } from "./sql/cached-analyzer.js";
import { SqlAnalysisError } from "./sql/errors.js";
import type { DecisionRequest } from "./types.js";
import { requestHazard } from "./request-hazards.js";

export type PolicyInput =
  | { input: DecisionRequest }
  | { invalidRequest: string[] }
  | { invalidSql: SqlAnalysisError };

const sharedAnalyzer = new CachedSqlAnalyzer();

export function policyInput(request: unknown, analyzer: CachedSqlAnalyzer = sharedAnalyzer): PolicyInput {
  if (!validateRequest(request)) return { invalidRequest: describeErrors(validateRequest.errors) };
  const hazard = requestHazard(request);
  if (hazard !== undefined) return { invalidRequest: [hazard] };
  const { sql, parameters, ...rest } = request;
  if (sql === undefined) return { input: request };
  if (rest.statement !== undefined) {
    return { invalidRequest: ["/: give either 'sql' or a pre-analyzed 'statement', not both"] };
  }
  const statement = analyzer.analyze(sql, parameters);
  if (statement instanceof SqlAnalysisError) return { invalidSql: statement };
  return { input: { ...rest, statement } };
}
