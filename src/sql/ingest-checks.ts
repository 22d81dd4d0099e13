// What Druid refuses in INSERT and REPLACE before it authorizes anything (DruidSqlParserUtils, IngestHandler,
// IdUtils): a refusal is a 400, and the decision must say 400 rather than allow or deny a query Druid never runs.
import { SqlAnalysisError } from "./errors.js";
import type { Token } from "./lexer.js";
import { reservedWords } from "./reserved-words.js";
import type { Body, Query } from "./syntax.js";

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

/** Reserved words that end an operand, so that a name after them is an alias (`SELECT NULL x`). */
const operandEndingWords = new Set([
  "NULL", "TRUE", "FALSE", "UNKNOWN", "END", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME",
  "LOCALTIMESTAMP", "CURRENT_USER", "USER", "SESSION_USER", "SYSTEM_USER", "CURRENT_ROLE", "CURRENT_CATALOG",
  "CURRENT_SCHEMA", "CURRENT_PATH",
]);

type Ingest = Extract<Body, { kind: "insert" | "replace" }>;

export function checkIngest(body: Ingest, operation: "INSERT" | "REPLACE", target: string, tokens: Token[]): void {
  checkDatasourceName(target);
  if (operation === "REPLACE" && body.overwrite === undefined) {
    throw new SqlAnalysisError(
      "invalid_sql",
      "Missing time chunk information in OVERWRITE clause for REPLACE. Use OVERWRITE WHERE <__time based condition> or OVERWRITE ALL to overwrite the entire table.",
    );
  }
  if (!body.partitionedBy) {
    throw new SqlAnalysisError(
      "invalid_sql",
      `Operation [${operation}] requires a PARTITIONED BY to be explicitly defined, but none was found.`,
    );
  }
  const granularity = tokens.slice(body.partitionedBy.start, body.partitionedBy.end);
  if (!isGranularity(granularity)) {
    const text = granularity.map((token) => token.text).join(" ");
    throw new SqlAnalysisError("invalid_sql", `Invalid granularity[${text}] specified after PARTITIONED BY clause. ${granularityHelp}`);
  }
  const query = withoutWith(body.query);
  if (query.kind === "ordered") {
    throw new SqlAnalysisError("invalid_sql", `Cannot use an ORDER BY clause on a Query of type [${operation}], use CLUSTERED BY instead`);
  }
  if (body.format !== undefined) {
    throw new SqlAnalysisError("invalid_sql", "The AS <format> clause should only be specified while exporting rows into an EXTERN destination.");
  }
  if (body.target.kind === "table" && body.target.columns) {
    throw new SqlAnalysisError("invalid_sql", `Operation [${operation}] cannot be run with a target column list`);
  }
  for (const item of body.clusteredBy) {
    const clustered = tokens.slice(item.start, item.end);
    if (descending(clustered)) {
      throw new SqlAnalysisError("invalid_sql", `Invalid CLUSTERED BY clause [${clustered.map((token) => token.text).join(" ")}]: cannot sort in descending order.`);
    }
  }
  const select = firstSelect(query);
  if (select?.items.some((item) => !isNamed(tokens.slice(item.start, item.end)))) {
    throw new SqlAnalysisError("invalid_sql", "Insertion requires columns to be named");
  }
}

function withoutWith(query: Query): Query {
  return query.kind === "with" ? withoutWith(query.body) : query;
}

/** The SELECT whose columns name the inserted row: the first branch of a set operation. */
function firstSelect(query: Query): Extract<Query, { kind: "select" }> | undefined {
  if (query.kind === "select") return query;
  if (query.kind === "setOperation") return firstSelect(query.operands[0] as Query);
  if (query.kind === "with") return firstSelect(query.body);
  return undefined;
}

/** HOUR, DAY, MONTH, YEAR, ALL [TIME]; a granularity name or standard period; FLOOR(...); TIME_FLOOR(x, 'period'). */
function isGranularity(tokens: Token[]): boolean {
  const [first, second] = tokens;
  if (first === undefined) return false;
  const word = first.kind === "word" || first.kind === "quoted" ? first.text : first.kind === "string" ? first.value : undefined;
  if (tokens.length === 1 && word !== undefined) return granularityNames.has(word.toUpperCase()) || standardPeriods.has(word.toUpperCase());
  if (tokens.length === 2 && first.upper === "ALL" && second?.upper === "TIME") return true;
  if (first.kind !== "word" || second?.text !== "(" || tokens.at(-1)?.text !== ")") return false;
  if (first.upper === "FLOOR") return true;
  if (first.upper !== "TIME_FLOOR") return false;
  const period = tokens.at(-2);
  return tokens.at(-3)?.text === "," && period?.kind === "string" && standardPeriods.has(period.value);
}

/** `x DESC [NULLS FIRST|LAST]`: Druid clusters in ascending order only. */
function descending(tokens: Token[]): boolean {
  const words = tokens.map((token) => token.upper);
  const end = words.at(-2) === "NULLS" ? -2 : words.length;
  return words.at(end - 1) === "DESC";
}

/**
 * A select item Druid can name: `*`, `t.*`, a (qualified) column, or anything with an alias, which is an
 * identifier after AS or right after the end of an operand. Calcite names the rest EXPR$n, and Druid refuses
 * those names, given or derived. Where this reading is unsure the item counts as named: the check only ever turns
 * a decision into a 400, which must not happen to a query Druid runs.
 */
function isNamed(tokens: Token[]): boolean {
  const last = tokens.at(-1);
  if (last === undefined) return true;
  if (isName(last) && /^EXPR\$\d+$/u.test(last.value)) return false;
  if (tokens.every((token, i) => (i % 2 === 1 ? token.text === "." : isName(token) || token.kind === "word" || (token.text === "*" && i === tokens.length - 1)))) {
    return true;
  }
  const before = tokens.at(-2);
  if (before === undefined || !isName(last)) return false;
  if (before.kind === "word" && before.upper === "AS") return true;
  return endsOperand(before);
}

function isName(token: Token): boolean {
  return (token.kind === "word" && !reservedWords.has(token.upper)) || token.kind === "quoted" || token.kind === "unicodeQuoted";
}

function endsOperand(token: Token): boolean {
  if (token.kind === "word") return !reservedWords.has(token.upper) || operandEndingWords.has(token.upper);
  if (token.kind === "symbol") return token.text === ")" || token.text === "]";
  return token.kind === "quoted" || token.kind === "string" || token.kind === "number" || token.kind === "param" || token.kind === "binary";
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

