// Calcite's lexical rules, one by one (Druid's copy of Parser.jj: SKIP, SPECIAL_TOKEN and TOKEN sections), as the
// lexer must apply them. Each expectation is the token sequence Calcite produces for the text.
import { describe, expect, it } from "vitest";
import { SqlAnalysisError } from "../src/sql/errors.js";
import { lex } from "../src/sql/lexer.js";

/** Tokens as "kind:text", without the end of input. */
const tokens = (sql: string): string[] =>
  lex(sql)
    .filter((token) => token.kind !== "eof")
    .map((token) => `${token.kind}:${token.text}`);

const refusal = (sql: string): { code: string; message: string } => {
  try {
    lex(sql);
  } catch (error) {
    if (error instanceof SqlAnalysisError) return { code: error.code, message: error.message };
  }
  throw new Error(`expected ${JSON.stringify(sql)} to be refused`);
};

describe("comments", () => {
  it.each([
    ["a --x\nb", ["word:a", "word:b"]],
    ["a --x\rb", ["word:a", "word:b"]],
    ["a --x\r\nb", ["word:a", "word:b"]],
    ["a //x\rb", ["word:a", "word:b"]],
    ["a --x", ["word:a"]],
    ["a/**/b", ["word:a", "word:b"]],
    ["a/*x*/b", ["word:a", "word:b"]],
    ["a /***/ b */ c", ["word:a", "word:c"]],
    ["a /**x*/ b", ["word:a", "word:b"]],
    ["a /* -- */ b", ["word:a", "word:b"]],
    ["a /* /* */ b", ["word:a", "word:b"]],
    ["a -- /* \n b */", ["word:a", "word:b", "commentEnd:*/"]],
  ])("%j lexes as %j", (sql, expected) => {
    expect(tokens(sql)).toEqual(expected);
  });

  it("reads /*+ as a hint and */ outside a comment as its end", () => {
    expect(tokens("SELECT /*+ broadcast(t) */ 1")).toEqual([
      "word:SELECT", "hintStart:/*+", "word:broadcast", "symbol:(", "word:t", "symbol:)", "commentEnd:*/", "number:1",
    ]);
    expect(tokens("2*/3")).toEqual(["number:2", "commentEnd:*/", "number:3"]);
  });

  it("refuses a comment that is never closed, naming where it opens", () => {
    expect(refusal("SELECT 1 /***/")).toEqual({ code: "invalid_sql", message: "line 1, column 10: a /* comment is never closed" });
    expect(refusal("SELECT 1\n/***/")).toEqual({ code: "invalid_sql", message: "line 2, column 1: a /* comment is never closed" });
  });
});

describe("whitespace and positions", () => {
  it("takes space, tab, \\n, \\r and form feed, and nothing else", () => {
    expect(tokens("a \t\n\r\fb")).toEqual(["word:a", "word:b"]);
    expect(refusal("a\vb")).toEqual({ code: "invalid_sql", message: "line 1, column 2: Lexical error: unexpected character U+000B" });
    expect(refusal("a\u00a0b")).toEqual({ code: "invalid_sql", message: "line 1, column 2: Lexical error: unexpected character U+00A0" });
  });

  it("counts lines at \\n, \\r and \\r\\n", () => {
    const last = (sql: string) => lex(sql).at(-2);
    expect([last("a\r\nb")?.line, last("a\rb")?.line, last("a\n\rb")?.line, last("a\r\n\nb")?.line]).toEqual([2, 2, 3, 3]);
  });
});

describe("string literals", () => {
  it.each([
    ["'it''s'", "string", "it's", "plain"],
    ["N'x'", "string", "x", "national"],
    ["n'x'", "string", "x", "national"],
    ["U&'d\\0061ta'", "string", "d\\0061ta", "unicode"],
    ["E'a\\'b'", "string", "a\\'b", "cstyle"],
    ["_latin1'x'", "string", "x", "charset"],
    ["X'0f'", "binary", "0f", undefined],
    ["'line\nbreak -- /* */'", "string", "line\nbreak -- /* */", "plain"],
  ])("%j is one %s token", (sql, kind, value, form) => {
    const [token] = lex(sql);
    expect({ kind: token?.kind, value: token?.value, form: token?.form, text: token?.text }).toEqual({ kind, value, form, text: sql });
  });

  it("refuses a string that is never closed", () => {
    expect(refusal("SELECT 'abc")).toEqual({ code: "invalid_sql", message: "line 1, column 8: a string literal is never closed" });
  });
});

describe("identifiers and words", () => {
  it("reads quoted identifiers with doubled quotes, and refuses empty ones or line breaks inside", () => {
    expect(lex('"a""b -- c"')[0]).toMatchObject({ kind: "quoted", value: 'a"b -- c' });
    expect(lex('U&"d\\0061ta"')[0]).toMatchObject({ kind: "unicodeQuoted", value: "d\\0061ta" });
    expect(refusal('SELECT ""').code).toBe("invalid_sql");
    expect(refusal('SELECT "a\nb"').code).toBe("invalid_sql");
  });

  it("takes Calcite's identifier letters: $, _, ASCII, Latin-1 letters, most of the BMP below U+2000, CJK", () => {
    expect(tokens("été $x _y a1 ٠١ 日本")).toEqual(["word:été", "word:$x", "word:_y", "word:a1", "word:٠١", "word:日本"]);
    expect(refusal("a × b").message).toBe("line 1, column 3: Lexical error: unexpected character U+00D7");
    expect(refusal("😀").message).toBe("line 1, column 1: Lexical error: unexpected character U+1F600");
  });

  it("upper-cases keywords in ASCII only (ſ and ı are not S and I)", () => {
    expect(lex("select ſelect")[0]?.upper).toBe("SELECT");
    expect(lex("select ſelect")[1]?.upper).toBe("ſELECT");
  });

  it("lets a longer COLLATION_ID win over a word or number, as JavaCC's longest match does", () => {
    expect(tokens("a$b")).toEqual(["word:a$b"]);
    expect(tokens("a.b$c")).toEqual(["collation:a.b$c"]);
    expect(tokens("1$a")).toEqual(["collation:1$a"]);
    expect(tokens("$ $$")).toEqual(["symbol:$", "word:$$"]);
  });
});

describe("numbers and operators", () => {
  it.each([
    ["1", ["number:1"]],
    ["1.5e-3", ["number:1.5e-3"]],
    ["1.", ["number:1."]],
    [".5", ["number:.5"]],
    ["1..2", ["number:1", "symbol:..", "number:2"]],
    ["1e", ["number:1", "word:e"]],
    ["12abc", ["number:12", "word:abc"]],
    ["a<>b", ["word:a", "symbol:<>", "word:b"]],
    ["a=>b->c||d", ["word:a", "symbol:=>", "word:b", "symbol:->", "word:c", "symbol:||", "word:d"]],
    ["{fn x}", ["brace:{fn", "word:x", "brace:}"]],
    ["?", ["param:?"]],
  ])("%j lexes as %j", (sql, expected) => {
    expect(tokens(sql)).toEqual(expected);
  });

  it("refuses characters Druid's grammar has no token for", () => {
    for (const c of ["&", "!", "#", "@", "~", "`", "\\"]) {
      expect(refusal(`a ${c} b`).message).toMatch(/^line 1, column 3: Lexical error: unexpected character/u);
    }
  });
});
