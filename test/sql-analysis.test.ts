// What the analysis reads from the constructs that name resources, and what it refuses rather than guess: Druid
// names EXTERN's input source, APPEND's tables and LOOKUP's lookup by rules of its own (DruidExternTableMacro,
// TableAppendMacro, SqlResourceCollectorShuttle), and binds parameters first (SqlParameterizerShuttle).
import { describe, expect, it } from "vitest";
import { type SqlParameter, analyzeSql } from "../src/sql/analyze.js";
import { CachedSqlAnalyzer } from "../src/sql/cached-analyzer.js";
import { SqlAnalysisError } from "../src/sql/errors.js";

const http = `'{"type":"http","uris":["https://example.com/x"]}'`;
const format = `'{"type":"json"}'`;
const signature = `'[{"name":"x","type":"string"}]'`;
const varchar = (value: unknown): SqlParameter => ({ type: "VARCHAR", value });

/** The analysis, or the refusal's code and message. */
function analysis(sql: string, parameters: SqlParameter[] = []): unknown {
  try {
    return analyzeSql(sql, parameters);
  } catch (error) {
    if (error instanceof SqlAnalysisError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe("EXTERN's input source", () => {
  it.each([
    ["positional", `SELECT * FROM TABLE(EXTERN(${http}, ${format}, ${signature}))`, []],
    ["named, inputSource first", `SELECT * FROM TABLE(EXTERN(inputSource => ${http}, inputFormat => ${format}, signature => ${signature}))`, []],
    ["a bound VARCHAR parameter", `SELECT * FROM TABLE(EXTERN(?, ${format}, ${signature}))`, [varchar('{"type":"http","uris":["https://example.com/x"]}')]],
    ["a national literal", `SELECT * FROM TABLE(EXTERN(N${http}, ${format}, ${signature}))`, []],
  ])("is read %s", (_, sql, parameters) => {
    expect(analysis(sql, parameters)).toEqual({ type: "SELECT", external: ["http"] });
  });

  it.each([
    ["named out of order (Druid reads the first argument's value)", `SELECT * FROM TABLE(EXTERN(inputFormat => ${format}, inputSource => ${http}, signature => ${signature}))`, []],
    ["a parameter of another type (Druid leaves it unbound)", `SELECT * FROM TABLE(EXTERN(?, ${format}, ${signature}))`, [{ type: "INTEGER", value: 1 }]],
    ["a literal continued on the next line (a LITERAL_CHAIN call, not a literal)", `SELECT * FROM TABLE(EXTERN('{"type":'\n'"http"}', ${format}, ${signature}))`, []],
    ["a charset-prefixed literal", `SELECT * FROM TABLE(EXTERN(_latin1${http}, ${format}, ${signature}))`, []],
  ])("is refused when %s", (_, sql, parameters) => {
    expect(analysis(sql, parameters)).toMatchObject({ code: "unsupported_sql" });
  });

  it("is refused outside TABLE(...) in FROM, where Druid would still authorize the call", () => {
    expect(analysis(`SELECT EXTERN(${http}, ${format}, ${signature}) FROM foo`)).toEqual({
      code: "unsupported_sql",
      message: "line 1, column 8: msq-authz does not read EXTERN(...) outside TABLE(...) in FROM",
    });
  });
});

describe("LOOKUP's name", () => {
  const lookup = (argument: string, parameters: SqlParameter[] = []) => analysis(`SELECT LOOKUP(dim1, ${argument}) FROM foo`, parameters);
  const reads = (name: string) => ({ type: "SELECT", reads: [{ type: "DATASOURCE", name: "foo" }, { type: "LOOKUP", name }] });

  it("is the literal's SQL text without its outer quotes, as Druid's shuttle cuts them", () => {
    expect(lookup("'lk'")).toEqual(reads("lk"));
    expect(lookup("'it''s'")).toEqual(reads("it''s"));
    expect(lookup("?", [varchar("it's")])).toEqual(reads("it''s"));
  });

  it("is refused when Druid's SQL text of it is not the plain name", () => {
    for (const argument of ["N'lk'", "'été'", "dim2", "'a' || 'b'", "U&'\\0041'"]) {
      expect(lookup(argument)).toMatchObject({ code: "unsupported_sql" });
    }
  });

  it("needs two arguments", () => {
    expect(analysis("SELECT LOOKUP(dim1) FROM foo")).toEqual({ code: "invalid_sql", message: "line 1, column 8: Invalid number of arguments to function 'LOOKUP'" });
  });
});

describe("APPEND's tables", () => {
  it("are named with their quotes, as operand.toString() prints them", () => {
    expect(analysis("SELECT * FROM TABLE(APPEND('t1', 'it''s'))")).toEqual({
      type: "SELECT",
      reads: [
        { type: "DATASOURCE", name: "'t1'" },
        { type: "DATASOURCE", name: "'it''s'" },
      ],
    });
  });

  it("refuses non-string arguments as Druid does, and unsure spellings as unsupported", () => {
    expect(analysis("SELECT * FROM TABLE(APPEND('t1', 2))")).toMatchObject({ code: "invalid_sql" });
    expect(analysis("SELECT * FROM TABLE(APPEND('t1', 'été'))")).toMatchObject({ code: "unsupported_sql" });
  });
});

describe("parameters", () => {
  it("must all be bound", () => {
    expect(analysis("SELECT * FROM foo WHERE a = ? AND b = ?", [varchar("x")])).toEqual({
      code: "invalid_sql",
      message: "Parameter at position [1] is not bound",
    });
  });

  it("are numbered in the order Calcite reads them", () => {
    expect(analysis("SELECT LOOKUP(?, ?) FROM foo", [varchar("first"), varchar("second")])).toEqual({
      type: "SELECT",
      reads: [
        { type: "DATASOURCE", name: "foo" },
        { type: "LOOKUP", name: "second" },
      ],
    });
  });
});

describe("statements", () => {
  it("takes SET values as Druid's context gets them", () => {
    expect(analysis("SET a = 'x'; SET b = 3; SET c = -2; SET d = TRUE; SET e = NULL; SET f = 1.5; SELECT 1")).toEqual({
      type: "SELECT",
      set: { a: "x", b: 3, c: -2, d: true, e: null, f: "1.5" },
    });
    expect(analysis("SET a = b; SELECT 1")).toMatchObject({ code: "invalid_sql" });
    expect(analysis("SET a = 1")).toMatchObject({ code: "invalid_sql" });
    expect(analysis("SELECT 1; SELECT 2")).toMatchObject({ code: "invalid_sql" });
  });

  it("drops hints, which name nothing", () => {
    expect(analysis("SELECT /*+ broadcast(f) */ * FROM foo /*+ index(i) */ f")).toEqual({ type: "SELECT", reads: [{ type: "DATASOURCE", name: "foo" }] });
  });

  it("refuses names of more than two parts, and statements it does not read", () => {
    expect(analysis("SELECT * FROM a.b.c")).toMatchObject({ code: "unsupported_sql" });
    expect(analysis("DELETE FROM foo WHERE TRUE")).toMatchObject({ code: "unsupported_sql" });
    expect(analysis("SELECT * FROM TABLE(mystery(1))")).toMatchObject({ code: "unsupported_sql" });
  });

  it("refuses nesting beyond its bound without running out of stack", () => {
    const deep = `SELECT ${"(".repeat(5000)}1${")".repeat(5000)} FROM foo`;
    expect(analysis(deep)).toMatchObject({ code: "unsupported_sql" });
  });

  // Each of these once took time that grew faster than the SQL (doubling per parenthesis, or the square of its length):
  // at these sizes, days or hours. They are read in one pass now; a regression shows as this test timing out.
  it("reads deep parenthesized joins, long dotted runs and long loose arguments in one pass", () => {
    expect(analysis(`SELECT * FROM ${"(".repeat(60)}a JOIN b ON a.x = b.x${")".repeat(60)}`)).toEqual({
      type: "SELECT",
      reads: [{ type: "DATASOURCE", name: "a" }, { type: "DATASOURCE", name: "b" }],
    });
    expect(analysis(`SELECT ${"a.".repeat(100_000)}a FROM t`)).toEqual({ type: "SELECT", reads: [{ type: "DATASOURCE", name: "t" }] });
    expect(analysis(`SELECT CAST(${"a . ".repeat(100_000)}a AS VARCHAR) FROM t`)).toEqual({ type: "SELECT", reads: [{ type: "DATASOURCE", name: "t" }] });
  });

  it("refuses the typos Calcite refuses", () => {
    expect(analysis("SELECT * FORM foo")).toEqual({ code: "invalid_sql", message: "line 1, column 15: Received an unexpected token [foo]" });
    expect(analysis("SELECT a + FROM foo")).toMatchObject({ code: "invalid_sql" });
    expect(analysis("SELECT year FROM foo")).toMatchObject({ code: "invalid_sql", message: expect.stringContaining("reserved keyword") });
  });
});

describe("the analysis cache", () => {
  it("never shares an entry between two different requests", () => {
    const analyzer = new CachedSqlAnalyzer();
    const sql = "SELECT * FROM foo WHERE dim1 = ?";
    const parameters = [varchar("x")];
    expect(analyzer.analyze(sql, parameters)).toEqual({ type: "SELECT", reads: [{ type: "DATASOURCE", name: "foo" }] });
    // The text that keyed the first request under the old scheme, sent as SQL of its own.
    const crafted = analyzer.analyze(JSON.stringify([sql, parameters]));
    expect(crafted).toBeInstanceOf(SqlAnalysisError);
  });

  it("is bounded by bytes: a statement larger than the budget is answered, not kept", () => {
    const analyzer = new CachedSqlAnalyzer({ entries: 10, bytes: 1024 });
    const big = `SELECT * FROM foo WHERE dim1 = '${"x".repeat(2048)}'`;
    expect(analyzer.analyze(big)).toEqual({ type: "SELECT", reads: [{ type: "DATASOURCE", name: "foo" }] });
    expect(analyzer.size).toBe(0);
    analyzer.analyze("SELECT * FROM foo");
    expect(analyzer.size).toBeGreaterThan(0);
    expect(analyzer.size).toBeLessThanOrEqual(1024);
  });
});
