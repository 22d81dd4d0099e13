// Druid SQL as Calcite's lexer reads it (Druid's copy of Calcite's Parser.jj, DQID state: double-quoted
// identifiers, case-insensitive keywords, JavaCC's longest match). Everything after this file sees only tokens, so
// what a comment, a string or an identifier is can never be read differently from Druid. The rules, and where each
// comes from, are in the README ("How msq-authz reads SQL, JSON and patterns").
import { SqlAnalysisError } from "./errors.js";

export type TokenKind =
  | "word" // an unquoted identifier or keyword (Calcite's IDENTIFIER and keyword tokens)
  | "quoted" // "..." (QUOTED_IDENTIFIER)
  | "unicodeQuoted" // U&"..." (UNICODE_QUOTED_IDENTIFIER), decoded by the parser with its optional UESCAPE
  | "string" // '...', N'...', U&'...', E'...' and _charset'...' literals
  | "binary" // X'...'
  | "number"
  | "param" // ?
  | "symbol" // operators and punctuation
  | "hintStart" // /*+
  | "commentEnd" // */ outside a comment: only a hint's end is valid
  | "brace" // {d, {t, {ts, {fn, {, }: JDBC escapes
  | "collation" // COLLATION_ID, only valid after COLLATE
  | "bel" // U+0007, a token that is never valid
  | "eof";

export type StringForm = "plain" | "national" | "unicode" | "cstyle" | "charset";

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Words: the ASCII upper-case spelling (keywords are case-insensitive, and only in ASCII). */
  upper: string;
  /** Decoded value: a string literal's characters, a quoted identifier's name. */
  value: string;
  form?: StringForm;
  start: number;
  end: number;
  line: number;
  column: number;
}

const isLetter = (c: number): boolean =>
  c === 0x24 ||
  (c >= 0x41 && c <= 0x5a) ||
  c === 0x5f ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0xc0 && c <= 0xd6) ||
  (c >= 0xd8 && c <= 0xf6) ||
  (c >= 0xf8 && c <= 0x1fff) ||
  (c >= 0x3040 && c <= 0x318f) ||
  (c >= 0x3300 && c <= 0x337f) ||
  (c >= 0x3400 && c <= 0x3d2d) ||
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0xf900 && c <= 0xfaff);

const digitRanges = [
  [0x30, 0x39], [0x660, 0x669], [0x6f0, 0x6f9], [0x966, 0x96f], [0x9e6, 0x9ef], [0xa66, 0xa6f], [0xae6, 0xaef],
  [0xb66, 0xb6f], [0xbe7, 0xbef], [0xc66, 0xc6f], [0xce6, 0xcef], [0xd66, 0xd6f], [0xe50, 0xe59], [0xed0, 0xed9],
  [0x1040, 0x1049],
] as const;
const isDigit = (c: number): boolean => digitRanges.some(([low, high]) => c >= low && c <= high);
const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isWordChar = (c: number): boolean => isLetter(c) || isDigit(c);
/** Calcite's whitespace: space, tab, \n, \r and form feed; nothing else. */
const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
const isCharsetChar = (c: number, first: boolean): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
  (!first && (c === 0x3a || c === 0x2e || c === 0x2d || c === 0x5f));

// Keywords are upper-cased in ASCII only ('ß' stays 'ß'): where the text is all ASCII, toUpperCase is just that.
const asciiUpper = (text: string): string =>
  /[^\u0000-\u007f]/u.test(text) ? text.replace(/[a-z]+/gu, (run) => run.toUpperCase()) : text.toUpperCase();

/** Operators, longest first (Druid's Parser.jj has no & or <<). */
const symbols = ["<=", ">=", "<>", "!=", "->", "||", "=>", "..", "(", ")", "[", "]", ";", ".", ",", "=", ">", "<", ":", "+", "-", "*", "/", "%", "|", "^", "$"];

export function lex(sql: string): Token[] {
  return new Lexer(sql).run();
}

class Lexer {
  private readonly tokens: Token[] = [];
  private at = 0;
  private line = 1;
  private lineStart = 0;
  /**
   * The run of collation characters the last word or number began (collationBeyond): a token starting inside it
   * shares its end and its `$` candidates, so a run such as `a.a.a...` is read once, not once per token in it.
   */
  private collationRun = { from: -1, end: -1, lastDollar: -1 };

  constructor(private readonly sql: string) {}

  run(): Token[] {
    const { sql } = this;
    while (this.at < sql.length) {
      const c = sql.charCodeAt(this.at);
      if (isWhitespace(c)) {
        this.advanceTo(this.at + 1);
      } else if (sql.startsWith("--", this.at) || sql.startsWith("//", this.at)) {
        this.lineComment();
      } else if (sql.startsWith("/*+", this.at)) {
        this.push("hintStart", this.at + 3);
      } else if (sql.startsWith("/*", this.at)) {
        this.blockComment();
      } else if (sql.startsWith("*/", this.at)) {
        this.push("commentEnd", this.at + 2);
      } else {
        this.token(c);
      }
    }
    this.tokens.push({ kind: "eof", text: "", upper: "", value: "", start: sql.length, end: sql.length, ...this.position(sql.length) });
    return this.tokens;
  }

  /** `--` or `//` to the end of the line; the line ends at \n, \r or \r\n. */
  private lineComment(): void {
    let end = this.at + 2;
    while (end < this.sql.length && this.sql[end] !== "\n" && this.sql[end] !== "\r") end += 1;
    if (this.sql.startsWith("\r\n", end)) end += 2;
    else if (end < this.sql.length) end += 1;
    this.advanceTo(end);
  }

  /**
   * `/*` up to the next `*\/`. A formal comment, `/**` followed by anything but `/`, consumes that fourth character
   * before it looks for its end, so `/***\/` is still open; `/**\/` is an empty ordinary comment. No nesting.
   */
  private blockComment(): void {
    const formal = this.sql.startsWith("/**", this.at) && this.at + 3 < this.sql.length && this.sql[this.at + 3] !== "/";
    const close = this.sql.indexOf("*/", this.at + (formal ? 4 : 2));
    if (close < 0) throw this.error("invalid_sql", this.at, "a /* comment is never closed");
    this.advanceTo(close + 2);
  }

  private token(c: number): void {
    const { sql, at } = this;
    if (c === 0x27) return this.quotedString(at, at, "plain");
    if (c === 0x22) return this.quotedIdentifier(at, at, "quoted");
    if (isLetter(c)) return this.wordOrPrefixed(c);
    if (isAsciiDigit(c) || (c === 0x2e && isAsciiDigit(sql.charCodeAt(at + 1)))) return this.number();
    if (c === 0x7b) return this.brace();
    const single = c === 0x3f ? "param" : c === 0x7d ? "brace" : c === 0x07 ? "bel" : undefined;
    const symbol = symbols.find((s) => sql.startsWith(s, at));
    if (single !== undefined || symbol !== undefined) {
      this.push(single ?? "symbol", at + (symbol?.length ?? 1));
      return;
    }
    throw this.error("invalid_sql", at, `Lexical error: unexpected character ${describeChar(sql, at)}`);
  }

  /** N'..', X'..', E'..', U&'..', U&"..", _charset'..' win over the word they start with (longest match). */
  private wordOrPrefixed(c: number): void {
    const { sql, at } = this;
    const next = sql[at + 1];
    const upper = c < 0x80 ? String.fromCharCode(c).toUpperCase() : "";
    if (next === "'" && (upper === "N" || upper === "X" || upper === "E")) {
      const form: StringForm = upper === "N" ? "national" : upper === "E" ? "cstyle" : "plain";
      if (this.tryQuotedString(at + 1, upper === "X" ? "binary" : form)) return;
    }
    if (upper === "U" && next === "&" && (sql[at + 2] === "'" || sql[at + 2] === '"')) {
      const done = sql[at + 2] === "'" ? this.tryQuotedString(at + 2, "unicode") : this.tryQuotedIdentifier(at + 2, "unicodeQuoted");
      if (done) return;
    }
    if (c === 0x5f && isCharsetChar(sql.charCodeAt(at + 1), true)) {
      let end = at + 2;
      while (isCharsetChar(sql.charCodeAt(end), false)) end += 1;
      if (sql[end] === "'" && this.tryQuotedString(end, "charset")) return;
    }
    let end = at + 1;
    while (end < sql.length && isWordChar(sql.charCodeAt(end))) end += 1;
    if (this.collationBeyond(at, end)) return;
    // A lone $ is DOLLAR: at equal length JavaCC takes the token declared first, and operators come before words.
    this.push(end === at + 1 && c === 0x24 ? "symbol" : "word", end);
  }

  /** Calcite's numeric literals: 12, 1.5, 1., .5, 1e3, 1.5E-3 (ASCII digits only). */
  private number(): void {
    const { sql } = this;
    let end = this.at;
    while (isAsciiDigit(sql.charCodeAt(end))) end += 1;
    if (sql[end] === "." && sql[end + 1] !== ".") {
      end += 1;
      while (isAsciiDigit(sql.charCodeAt(end))) end += 1;
    }
    if (sql[end] === "e" || sql[end] === "E") {
      let exponent = end + 1;
      if (sql[exponent] === "+" || sql[exponent] === "-") exponent += 1;
      if (isAsciiDigit(sql.charCodeAt(exponent))) {
        end = exponent;
        while (isAsciiDigit(sql.charCodeAt(end))) end += 1;
      }
    }
    if (this.collationBeyond(this.at, end)) return;
    this.push("number", end);
  }

  /**
   * COLLATION_ID, `(letter|digit)+ (letter|digit|:|.|-|_)* $ (letter|_)+ ...`, beats a word or number when it is
   * longer (it can run on through `:`, `.` and `-`). Calcite then refuses it outside COLLATE, so it becomes a token
   * the parser refuses; its exact end does not matter.
   */
  private collationBeyond(start: number, tokenEnd: number): boolean {
    const { sql } = this;
    if (!isWordChar(sql.charCodeAt(start))) return false;
    if (start <= this.collationRun.from || start >= this.collationRun.end) {
      // Every character after `start` up to the run's end is in the run: a later start inside it ends there too.
      let end = start + 1;
      const inRun = (c: number): boolean => isWordChar(c) || c === 0x3a || c === 0x2e || c === 0x2d || c === 0x5f;
      while (end < sql.length && inRun(sql.charCodeAt(end))) end += 1;
      // The last `$` followed by a letter or `_` inside the run: one at or after a token's last character makes it.
      let lastDollar = -1;
      for (let dollar = end - 2; dollar > start; dollar -= 1) {
        const after = sql.charCodeAt(dollar + 1);
        if (sql[dollar] === "$" && (isLetter(after) || after === 0x5f)) {
          lastDollar = dollar;
          break;
        }
      }
      this.collationRun = { from: start, end, lastDollar };
    }
    if (this.collationRun.lastDollar >= Math.max(start + 1, tokenEnd - 1)) {
      this.push("collation", this.collationRun.end);
      return true;
    }
    return false;
  }

  /** `{` with optional spaces and d, t, ts or fn is one token (JDBC escapes); otherwise a plain `{`. */
  private brace(): void {
    const match = /\{ *(?:ts|fn|d|t)?/iy;
    match.lastIndex = this.at;
    const found = match.exec(this.sql)?.[0] ?? "{";
    this.push("brace", this.at + (/[a-z]$/iu.test(found) ? found.length : 1));
  }

  private quotedString(start: number, quote: number, form: StringForm | "binary"): void {
    if (!this.tryQuotedString(quote, form)) {
      throw this.error("invalid_sql", start, "a string literal is never closed");
    }
  }

  /** `'...'` with `''` for a quote; E'...' also takes `\` escapes of any character. Any character, line breaks too. */
  private tryQuotedString(quote: number, form: StringForm | "binary"): boolean {
    const { sql } = this;
    let end = quote + 1;
    for (;;) {
      if (end >= sql.length) return false;
      const ch = sql[end];
      if (form === "cstyle" && ch === "\\") {
        if (end + 1 >= sql.length) return false;
        end += 2;
      } else if (ch === "'") {
        if (sql[end + 1] === "'") end += 2;
        else break;
      } else {
        end += 1;
      }
    }
    const body = sql.slice(quote + 1, end);
    const token = this.push(form === "binary" ? "binary" : "string", end + 1);
    token.value = form === "cstyle" ? body : body.replaceAll("''", "'");
    if (form !== "binary") token.form = form;
    return true;
  }

  private quotedIdentifier(start: number, quote: number, kind: "quoted" | "unicodeQuoted"): void {
    if (!this.tryQuotedIdentifier(quote, kind)) {
      throw this.error("invalid_sql", start, 'a quoted identifier is never closed, is empty, or holds a line break');
    }
  }

  /** `"..."` with `""` for a quote: at least one character, none of them a line break. */
  private tryQuotedIdentifier(quote: number, kind: "quoted" | "unicodeQuoted"): boolean {
    const { sql } = this;
    let end = quote + 1;
    for (;;) {
      if (end >= sql.length) return false;
      const ch = sql[end];
      if (ch === "\n" || ch === "\r") return false;
      if (ch === '"') {
        if (sql[end + 1] === '"') end += 2;
        else break;
      } else {
        end += 1;
      }
    }
    if (end === quote + 1) return false;
    const token = this.push(kind, end + 1);
    token.value = sql.slice(quote + 1, end).replaceAll('""', '"');
    return true;
  }

  private push(kind: TokenKind, end: number): Token {
    const text = this.sql.slice(this.at, end);
    const token: Token = {
      kind,
      text,
      upper: kind === "word" ? asciiUpper(text) : text,
      value: text,
      start: this.at,
      end,
      ...this.position(this.at),
    };
    this.tokens.push(token);
    this.advanceTo(end);
    return token;
  }

  /** Lines end at \n, \r and \r\n, as JavaCC counts them; columns count UTF-16 units from 1. */
  private advanceTo(end: number): void {
    const { sql } = this;
    for (let i = this.at; i < end; i += 1) {
      const ch = sql[i];
      if (ch === "\n" || (ch === "\r" && sql[i + 1] !== "\n")) {
        this.line += 1;
        this.lineStart = i + 1;
      }
    }
    this.at = end;
  }

  private position(offset: number): { line: number; column: number } {
    return { line: this.line, column: offset - this.lineStart + 1 };
  }

  private error(code: "invalid_sql", offset: number, message: string): SqlAnalysisError {
    const { line, column } = this.position(offset);
    return new SqlAnalysisError(code, `line ${line}, column ${column}: ${message}`);
  }
}

function describeChar(sql: string, at: number): string {
  const code = sql.codePointAt(at) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return code >= 0x21 && code <= 0x7e ? `'${String.fromCodePoint(code)}' (${hex})` : hex;
}
