// What Druid refuses in INSERT and REPLACE before it authorizes anything (DruidSqlParserUtils, IngestHandler,
// IdUtils): a refusal is a 400, and the decision must say 400 rather than allow or deny a query Druid never runs.
import { SqlAlias, SqlColumn, SqlFunction, SqlLiteral, type SqlQuery, SqlStar, type SqlWithQuery } from "druid-query-toolkit";
import { SqlAnalysisError } from "./parse.js";

const granularityNames = new Set([
  "SECOND", "MINUTE", "FIVE_MINUTE", "TEN_MINUTE", "FIFTEEN_MINUTE", "THIRTY_MINUTE", "HOUR", "SIX_HOUR",
  "EIGHT_HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "ALL",
]);

// The ISO periods of Druid's standard granularities: the only ones PARTITIONED BY accepts.
const standardPeriods = new Set([
  "PT1S", "PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT1H", "PT6H", "PT8H", "P1D", "P1W", "P1M", "P3M", "P1Y",
]);

const granularityHelp =
  "Expected 'SECOND', 'MINUTE', 'FIVE_MINUTE', 'TEN_MINUTE', 'FIFTEEN_MINUTE', 'THIRTY_MINUTE', 'HOUR', " +
  "'SIX_HOUR', 'EIGHT_HOUR', 'DAY', 'MONTH', 'QUARTER', 'YEAR', 'ALL', ALL TIME, FLOOR() or TIME_FLOOR()";

export function checkIngest(root: SqlQuery | SqlWithQuery, operation: "INSERT" | "REPLACE", target: string): void {
  checkDatasourceName(target);
  if (!root.partitionedByClause) {
    throw new SqlAnalysisError(
      "invalid_sql",
      `Operation [${operation}] requires a PARTITIONED BY to be explicitly defined, but none was found.`,
    );
  }
  const granularity = root.partitionedByClause.expression;
  if (granularity !== undefined && !isGranularity(granularity)) {
    throw new SqlAnalysisError(
      "invalid_sql",
      `Invalid granularity[${granularity.toString()}] specified after PARTITIONED BY clause. ${granularityHelp}`,
    );
  }
  if (root.orderByClause) {
    throw new SqlAnalysisError(
      "invalid_sql",
      `Cannot use an ORDER BY clause on a Query of type [${operation}], use CLUSTERED BY instead`,
    );
  }
  if (root.replaceClause?.columns) {
    throw new SqlAnalysisError("invalid_sql", `Operation [REPLACE] cannot be run with a target column list`);
  }
  const selected = "selectExpressions" in root ? (root.selectExpressions?.values ?? []) : [];
  if (selected.some((expression) => !(expression instanceof SqlAlias || expression instanceof SqlColumn || expression instanceof SqlStar))) {
    throw new SqlAnalysisError("invalid_sql", "Insertion requires columns to be named");
  }
}

function isGranularity(expression: unknown): boolean {
  // A bare word (DAY, P1D) is a keyword or an identifier to the parser; a quoted one is a string literal.
  const word =
    expression instanceof SqlLiteral && typeof expression.value === "string" ? expression.value
    : expression instanceof SqlColumn ? expression.getName()
    : undefined;
  if (word !== undefined) return granularityNames.has(word.toUpperCase()) || standardPeriods.has(word.toUpperCase());
  if (expression instanceof SqlFunction) {
    const name = expression.getEffectiveFunctionName();
    if (name === "FLOOR") return true;
    if (name === "TIME_FLOOR") {
      const period = expression.args?.values[1];
      return period instanceof SqlLiteral && typeof period.value === "string" && standardPeriods.has(period.value);
    }
  }
  return false;
}

/** IdUtils.validateId: what a datasource name may not be. */
function checkDatasourceName(name: string): void {
  const problem =
    name.includes("/") ? "cannot contain '/'."
    : name.startsWith(".") ? "cannot start with '.'."
    : /[\t\n\r\v\f\u2028\u2029]/u.test(name) ? "contains illegal whitespace characters."
    : undefined;
  if (problem) throw new SqlAnalysisError("invalid_sql", `Invalid value for field [table]: Value [${name}] ${problem}`);
}
