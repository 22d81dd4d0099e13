// Property tests for SQL analysis. The first is an oracle by construction: generated SQL composes joins, subqueries,
// IN (subquery), UNION ALL and CTEs over random table names, and analysis must find exactly the names it used.
// The second mutates and truncates SQL: the decision point must never throw and never allow what it cannot read.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeSql } from "../src/sql/analyze.js";
import { validateDecision } from "../src/schemas/validate.js";
import { pointFor } from "./support.js";

/** Runs per property in `make test`; `make fuzz` raises it (FUZZ_RUNS). */
const runs = Number(process.env.FUZZ_RUNS ?? 3000);

interface Generated {
  sql: string;
  tables: Set<string>;
}

// Names that cannot collide with SQL keywords: a prefix, or double quotes (which also keep case and spaces).
const tableName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/u).map((name) => ({ name: `t_${name}`, text: `t_${name}` })),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _-]{0,8}$/u).map((name) => ({ name, text: `"${name}"` })),
);

const tableRef: fc.Arbitrary<Generated> = fc
  .tuple(tableName, fc.boolean())
  .map(([table, qualified]) => ({ sql: qualified ? `druid.${table.text}` : table.text, tables: new Set([table.name]) }));

const union = (...parts: Generated[]): Set<string> => new Set(parts.flatMap((part) => [...part.tables]));

const { query } = fc.letrec<{ query: Generated; from: Generated }>((tie) => ({
  from: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tableRef,
    tie("query").map((q) => ({ sql: `(${q.sql})`, tables: q.tables })),
  ),
  query: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("from").map((f) => ({ sql: `SELECT * FROM ${f.sql} AS f`, tables: f.tables })),
    fc.tuple(tie("from"), tie("from")).map(([a, b]) => ({
      sql: `SELECT * FROM ${a.sql} AS l JOIN ${b.sql} AS r ON l.k = r.k`,
      tables: union(a, b),
    })),
    fc.tuple(tie("from"), tie("query")).map(([a, q]) => ({
      sql: `SELECT x FROM ${a.sql} AS a WHERE x IN (${q.sql})`,
      tables: union(a, q),
    })),
    fc.tuple(tie("query"), tie("query")).map(([a, b]) => ({
      sql: `SELECT * FROM (${a.sql} UNION ALL ${b.sql})`,
      tables: union(a, b),
    })),
    fc.tuple(tie("query"), tie("from")).map(([cte, f]) => ({
      // The CTE's name is not a datasource; its body is analyzed.
      sql: `WITH cte_${cte.tables.size} AS (${cte.sql}) SELECT * FROM cte_${cte.tables.size} JOIN ${f.sql} AS j ON 1 = 1`,
      tables: union(cte, f),
    })),
  ),
}));

describe("SQL analysis, by construction", () => {
  it("finds exactly the datasources a generated query reads", () => {
    fc.assert(
      fc.property(query, ({ sql, tables }) => {
        const statement = analyzeSql(sql);
        expect(statement.type).toBe("SELECT");
        expect(new Set((statement.reads ?? []).map((read) => `${read.type}:${read.name}`))).toEqual(
          new Set([...tables].map((name) => `DATASOURCE:${name}`)),
        );
      }),
      { numRuns: runs },
    );
  });

  it("puts INSERT targets and EXTERN types beside the reads", () => {
    fc.assert(
      fc.property(query, tableName, fc.constantFrom("http", "s3", "inline", "local"), (q, target, type) => {
        const sql =
          `INSERT INTO ${target.text} SELECT * FROM (${q.sql}) AS a JOIN ` +
          `TABLE(EXTERN('{"type":"${type}"}', '{"type":"json"}', '[{"name":"k","type":"string"}]')) AS e ON 1 = 1 ` +
          "PARTITIONED BY DAY";
        const statement = analyzeSql(sql);
        expect(statement).toEqual({
          type: "INSERT",
          target: target.name,
          reads: [...q.tables].map((name) => ({ type: "DATASOURCE", name })),
          external: [type],
        });
      }),
      { numRuns: Math.ceil(runs / 3) },
    );
  });
});

describe("mutated and truncated SQL", () => {
  const mutation = fc.oneof(
    fc.nat().map((at) => (sql: string) => sql.slice(0, at % (sql.length + 1))),
    fc.tuple(fc.nat(), fc.nat({ max: 12 })).map(([at, n]) => (sql: string) => {
      const i = at % (sql.length + 1);
      return sql.slice(0, i) + sql.slice(i + n);
    }),
    fc
      .tuple(fc.nat(), fc.constantFrom("(", ")", "'", '"', ",", ";", "--", "/*", "?", "SELECT", "FROM", "EXTERN(", "\u0000", "é", "\ud83d\ude00", "U&'\\0041'"))
      .map(([at, text]) => (sql: string) => {
        const i = at % (sql.length + 1);
        return sql.slice(0, i) + text + sql.slice(i);
      }),
  );

  it("never throws, always answers a valid decision, and never allows what it did not check", async () => {
    const point = await pointFor("wasm", { users: { nobody: { roles: [] } } });
    await fc.assert(
      fc.asyncProperty(query, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (q, mutations) => {
        const sql = mutations.reduce((text, mutate) => mutate(text), `INSERT INTO t_dst ${q.sql} PARTITIONED BY DAY`);
        const decision = await point.decide({
          identity: { authenticated: true, user: "nobody" },
          operation: "sql.task.submit",
          sql: sql === "" ? " " : sql,
        });
        expect(validateDecision(decision)).toBe(true);
        // A user with no grants can only be allowed what needs no permission.
        if (decision.allow) expect(decision.required).toEqual([]);
        else expect([400, 403]).toContain(decision.status);
      }),
      { numRuns: runs },
    );
  });
});
