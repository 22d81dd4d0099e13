// Metamorphic lexical fuzzing: Calcite lets any run of whitespace and comments stand between two tokens, so putting
// one there must never change what a statement reads. Every statement of the SQL corpus is taken apart at random
// token gaps and given separators built from every form Calcite accepts (--..\r, --..\n, --..\r\n, //.., /*..*/,
// /**..*/ with stars and slashes inside, \f, \r, mixes). And comment-like text inside strings and quoted
// identifiers must stay inside them. READING_RUNS sets the number of cases (make fuzz: 1,000,000).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SqlParameter, analyzeSql } from "../src/sql/analyze.js";
import { SqlAnalysisError } from "../src/sql/errors.js";
import { lex } from "../src/sql/lexer.js";
import { root } from "./support.js";

const runs = Number(process.env.READING_RUNS ?? 20_000);

interface Statement {
  sql: string;
  parameters: SqlParameter[];
}

const corpusDir = join(root, "test/sql-corpus");
const statements: Statement[] = readdirSync(corpusDir)
  .filter((file) => file.endsWith(".json") && file !== "known-misses.json")
  .flatMap((file) => (JSON.parse(readFileSync(join(corpusDir, file), "utf8")) as { cases: Statement[] }).cases)
  .map(({ sql, parameters }) => ({ sql, parameters }));

/** What the analysis says, without positions: a statement, or the kind of refusal. */
function reading({ sql, parameters }: Statement): unknown {
  try {
    return { statement: analyzeSql(sql, parameters) };
  } catch (error) {
    if (error instanceof SqlAnalysisError) return { refused: error.code };
    throw error;
  }
}

const lineText = fc.string({ unit: fc.constantFrom("a", " ", "*", "/", "-", "'", '"', ",", ";", "é", "\t", "\f", " secret", "*/", "/*"), maxLength: 10 });
const blockText = fc
  .string({ unit: fc.constantFrom("a", " ", "*", "/", "-", "'", '"', ",", "\n", "\r", "\f", " secret", "--", "//", "/*"), maxLength: 10 })
  .filter((text) => !text.includes("*/"));
const oneSeparator = fc.oneof(
  fc.constantFrom(" ", "\t", "\n", "\r", "\f", "\r\n"),
  fc.tuple(fc.constantFrom("--", "//"), lineText, fc.constantFrom("\n", "\r", "\r\n")).map(([open, text, end]) => `${open}${text}${end}`),
  // An ordinary comment: text starting with + would open a hint, with * a formal comment.
  blockText.filter((text) => !text.startsWith("+") && !text.startsWith("*")).map((text) => `/*${text}*/`),
  // A formal comment: the character after /** is consumed before the end is looked for, so /***/ is still open.
  fc.tuple(fc.constantFrom("*", "a", " ", "-", "\r"), blockText).map(([fourth, text]) => `/**${fourth}${text}*/`),
);
const separator = fc.array(oneSeparator, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(""));

/** The text with separators put into token gaps; a gap between two string fragments is left alone (a line break there would join them). */
function separated(sql: string, insertions: [number, string][]): string {
  const tokens = lex(sql);
  const gaps = tokens.map((_, i) => (i === 0 ? 0 : (tokens[i - 1]?.end ?? 0)));
  const chosen = new Map<number, string>();
  for (const [pick, text] of insertions) {
    const at = pick % gaps.length;
    const before = tokens[at - 1];
    const after = tokens[at];
    if (before?.kind === "string" && after?.kind === "string") continue;
    chosen.set(at, (chosen.get(at) ?? "") + text);
  }
  let out = "";
  let from = 0;
  for (const at of [...chosen.keys()].sort((a, b) => a - b)) {
    const offset = gaps[at] as number;
    const text = chosen.get(at) as string;
    out += sql.slice(from, offset);
    // Right after `-`, `/` or `*` a comment opener would fuse with the token (`---`, `//*`, `*/*`): Calcite too.
    out += /[-/*]$/u.test(out) && /^[-/]/u.test(text) ? ` ${text}` : text;
    from = offset;
  }
  return out + sql.slice(from);
}

describe("reading SQL as Calcite's lexer does", () => {
  it(`separators between tokens never change what a statement reads (${runs.toLocaleString("en-US")} cases)`, () => {
    const originals = statements.map(reading);
    fc.assert(
      fc.property(
        fc.nat(statements.length - 1),
        fc.array(fc.tuple(fc.nat(), separator), { minLength: 1, maxLength: 4 }),
        (index, insertions) => {
          const original = statements[index] as Statement;
          const sql = separated(original.sql, insertions);
          expect({ sql, reading: reading({ ...original, sql }) }).toEqual({ sql, reading: originals[index] });
        },
      ),
      { numRuns: runs },
    );
  });

  const nameText = fc.string({ unit: fc.constantFrom("a", "-", "/", "*", "'", '"', " ", "--", "/*", "*/", "//", ";", "é"), minLength: 1, maxLength: 12 });
  const stringText = fc.string({ unit: fc.constantFrom("a", "-", "/", "*", "'", '"', " ", "--", "/*", "*/", "//", "\r", "\n", ";"), maxLength: 12 });

  it(`comment-like text inside strings and quoted identifiers stays inside them (${Math.ceil(runs / 4).toLocaleString("en-US")} cases)`, () => {
    fc.assert(
      fc.property(nameText, stringText, nameText.filter((name) => /^[\x20-\x7e]+$/u.test(name)), (table, text, lookup) => {
        const quoted = (value: string, quote: string) => `${quote}${value.replaceAll(quote, quote + quote)}${quote}`;
        const sql = `SELECT * FROM ${quoted(table, '"')} WHERE x = ${quoted(text, "'")} AND LOOKUP(x, ${quoted(lookup, "'")}) = 'y'`;
        expect(analyzeSql(sql)).toEqual({
          type: "SELECT",
          reads: [
            { type: "DATASOURCE", name: table },
            { type: "LOOKUP", name: lookup.replaceAll("'", "''") },
          ],
        });
      }),
      { numRuns: Math.ceil(runs / 4) },
    );
  });
});
