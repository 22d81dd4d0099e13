// Parsing with the Druid web console's SQL parser (druid-query-toolkit), and what a failure means for a decision.
import { SqlBase, SqlQuery, SqlWithQuery } from "druid-query-toolkit";

export type SqlErrorCode = "invalid_sql" | "unsupported_sql";

/** SQL that Druid would refuse (invalid_sql), or valid Druid SQL that this parser cannot read (unsupported_sql). */
export class SqlAnalysisError extends Error {
  constructor(
    readonly code: SqlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SqlAnalysisError";
  }
}

/** Statements Druid SQL does not have: the parser stops at their first word. */
const notDruidStatements = new Set(["UPSERT", "DELETE", "UPDATE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE"]);

/** Valid Druid SQL the parser does not read, by the words that give it away; each is in the README's known gaps. */
const unparsedConstructs: [string[], string][] = [
  [["EXISTS"], "EXISTS (subquery)"],
  [["CLUSTERED", "ASC"], "CLUSTERED BY ... ASC"],
  [["CLUSTERED", "DESC"], "CLUSTERED BY ... DESC"],
];

interface PeggyError {
  message: string;
  location?: { start: { offset: number; line: number; column: number } };
}

export function parseSql(sql: string): SqlQuery | SqlWithQuery {
  let node: SqlBase;
  try {
    node = SqlBase.parseSql(sql);
  } catch (error) {
    throw classify(error as PeggyError, sql);
  }
  if (!(node instanceof SqlQuery || node instanceof SqlWithQuery)) {
    throw new SqlAnalysisError("invalid_sql", "the SQL is not a query (SELECT, INSERT, REPLACE or EXPLAIN PLAN FOR)");
  }
  return node;
}

function classify(error: PeggyError, sql: string): SqlAnalysisError {
  const start = error.location?.start;
  if (!start) return new SqlAnalysisError("unsupported_sql", `the SQL parser could not read this statement: ${error.message}`);
  const word = wordBefore(sql, start.offset).toUpperCase();
  const at = `line ${start.line}, column ${start.column}`;
  if (notDruidStatements.has(word)) return new SqlAnalysisError("invalid_sql", `${at}: Druid SQL has no ${word} statement`);
  const words = keywords(sql);
  const construct = unparsedConstructs.find(([keys]) => keys.every((key) => words.has(key)))?.[1];
  if (construct) return new SqlAnalysisError("unsupported_sql", `${construct} is not supported by msq-authz's SQL parser`);
  return new SqlAnalysisError("invalid_sql", `${at}: ${error.message}`);
}

/**
 * The bare words of SQL that failed to parse, outside strings, quoted identifiers and comments: only to say which
 * unsupported construct stopped the parser. Nothing is authorized from them.
 */
function keywords(sql: string): Set<string> {
  const words = new Set<string>();
  let i = 0;
  while (i < sql.length) {
    const c = sql.charAt(i);
    if (c === "'" || c === '"') {
      i = sql.indexOf(c, i + 1) + 1 || sql.length; // a doubled quote reads as two strings: harmless here
    } else if (sql.startsWith("--", i)) {
      i = sql.indexOf("\n", i) + 1 || sql.length;
    } else if (sql.startsWith("/*", i)) {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (isWordChar(c)) {
      let end = i;
      while (end < sql.length && isWordChar(sql.charAt(end))) end += 1;
      words.add(sql.slice(i, end).toUpperCase());
      i = end;
    } else {
      i += 1;
    }
  }
  return words;
}

/** The word that ends at (or just before) the parser's error offset. */
function wordBefore(sql: string, offset: number): string {
  let end = Math.min(offset, sql.length);
  while (end > 0 && !isWordChar(sql.charAt(end - 1))) end -= 1;
  let begin = end;
  while (begin > 0 && isWordChar(sql.charAt(begin - 1))) begin -= 1;
  return sql.slice(begin, end);
}

function isWordChar(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "_";
}
