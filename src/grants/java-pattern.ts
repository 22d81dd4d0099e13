// Druid matches a grant's resource name with Pattern.compile(pattern).matcher(name).matches(): a full match in
// java.util.regex's dialect. msq-authz runs RE2 (OPA's WASM regex, RE2JS for Casbin, Go's regexp in a stock OPA
// agent), so each pattern is parsed here as Java parses it and written out as an RE2 pattern with the same full-match
// meaning, or refused, naming the construct. The output uses only what the three RE2s read alike: literal ASCII
// letters, digits and '_', escaped ASCII punctuation, \t \n \f \r, \x{...} for everything else, explicit classes
// (never Unicode property names or case-folding flags), (?:...) groups, the quantifiers ? * + {n} {n,} {n,m}, ^ and
// \z. Surrogate code points are never written: no well-formed name holds one.
//
// The parser follows the grammar and the reading rules of the JDK's Pattern javadoc (Java 17), as checked against
// the JDK itself (test/oracle/JavaPatternOracle.java, test/java-pattern.test.ts): \Q...\E quoting is resolved
// first; in comments mode (?x) whitespace and #-comments are skipped almost everywhere, inside classes and numeric
// escapes too; inline flags last to the end of the enclosing group; classes nest (union) and intersect (&&), with
// union binding tighter; quantifiers apply to the last character of a run of literals.
import { LRUCache } from "lru-cache";
import { RE2JS } from "re2js";
import {
  ALL,
  type CodeSet,
  EMPTY,
  MAX_CODE_POINT,
  SURROGATES,
  codeSet,
  complement,
  contains,
  foldAsciiCase,
  intersect,
  rangeCount,
  union,
  without,
} from "./code-points.js";

/** The grants schema's limit on a permission's name. */
export const MAX_PATTERN_LENGTH = 4096;

export interface JavaPatternRefusal {
  /** The construct refused, as written in a pattern: "lookahead (?=...)", "\\p{L}", ... */
  readonly construct: string;
  /** True when Java itself refuses the pattern (PatternSyntaxException): Druid refuses such a grant too. */
  readonly javaRefuses: boolean;
  /** One sentence for an error message. */
  readonly message: string;
}

export type JavaPatternTranslation = { readonly re2: string } | { readonly refusal: JavaPatternRefusal };

// Java's flag bits (java.util.regex.Pattern), for the flags inline groups set.
const UNIX_LINES = 0x01;
const CASE_INSENSITIVE = 0x02;
const COMMENTS = 0x04;
const MULTILINE = 0x08;
const DOTALL = 0x20;
const UNICODE_CASE = 0x40;
const CANON_EQ = 0x80;
const UNICODE_CHARACTER_CLASS = 0x100;

/** RE2 limits a repetition count to 1000, and C++ RE2 the product of nested counts to 1000 as well. */
const MAX_REPEAT = 1000;
/** Groups and classes nested deeper than this are refused: RE2s and their stacks have limits of their own. */
const MAX_NESTING = 64;
/** An estimate of the RE2 program's size (instructions), bounded well below what each RE2 compiles quickly. */
const MAX_PROGRAM = 50_000;

const c = (s: string): number => s.codePointAt(0) as number;
const BACKSLASH = c("\\");
const HASH = c("#");

const isDigit = (ch: number): boolean => ch >= 0x30 && ch <= 0x39;
const isOctal = (ch: number): boolean => ch >= 0x30 && ch <= 0x37;
const isHex = (ch: number): boolean => isDigit(ch) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66);
const hexValue = (ch: number): number => (isDigit(ch) ? ch - 0x30 : (ch | 0x20) - 0x61 + 10);
const isAsciiLetter = (ch: number): boolean => (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a);
/** Java's ASCII.isSpace: what comments mode skips. */
const isSpace = (ch: number): boolean => ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
const isSurrogate = (ch: number): boolean => ch >= 0xd800 && ch <= 0xdfff;

// The predefined classes, ASCII as Java reads them without UNICODE_CHARACTER_CLASS.
const DIGIT = codeSet([0x30, 0x39]);
const SPACE = codeSet([0x09, 0x0d], 0x20);
const WORD = codeSet([0x30, 0x39], [0x41, 0x5a], 0x5f, [0x61, 0x7a]);
const HORIZONTAL = codeSet(0x09, 0x20, 0xa0, 0x1680, 0x180e, [0x2000, 0x200a], 0x202f, 0x205f, 0x3000);
const VERTICAL = codeSet([0x0a, 0x0d], 0x85, [0x2028, 0x2029]);
/** Line terminators, which '.' does not match unless DOTALL (UNIX_LINES: only \n). */
const LINE_TERMINATORS = codeSet(0x0a, 0x0d, 0x85, [0x2028, 0x2029]);
const ALPHA = codeSet([0x41, 0x5a], [0x61, 0x7a]);
const POSIX: Record<string, CodeSet> = {
  Lower: codeSet([0x61, 0x7a]),
  Upper: codeSet([0x41, 0x5a]),
  ASCII: codeSet([0x00, 0x7f]),
  Alpha: ALPHA,
  Digit: DIGIT,
  Alnum: codeSet([0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]),
  Punct: codeSet([0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]),
  Graph: codeSet([0x21, 0x7e]),
  Print: codeSet([0x20, 0x7e]),
  Blank: codeSet(0x09, 0x20),
  Cntrl: codeSet([0x00, 0x1f], 0x7f),
  XDigit: codeSet([0x30, 0x39], [0x41, 0x46], [0x61, 0x66]),
  Space: SPACE,
  all: ALL,
};

type Node =
  | { readonly t: "set"; readonly set: CodeSet }
  | { readonly t: "seq"; readonly items: readonly Node[] }
  | { readonly t: "alt"; readonly alts: readonly Node[] }
  | { readonly t: "repeat"; readonly node: Node; readonly min: number; readonly max: number }
  /** \A, and ^ without MULTILINE: the start of the name. */
  | { readonly t: "begin" }
  /** ^ with MULTILINE: the start of a line, and never the end of the name. */
  | { readonly t: "line-begin" }
  /** \z: the end of the name. */
  | { readonly t: "end" }
  /** $ (either mode) and \Z: the end, or before a final line terminator. */
  | { readonly t: "end-or-terminator"; readonly construct: string }
  /** \R: \r\n, or one vertical-whitespace character, atomically. */
  | { readonly t: "linebreak" };

class Refused extends Error {
  constructor(
    readonly construct: string,
    readonly javaRefuses: boolean,
    readonly why: string,
  ) {
    super(construct);
  }
}

/** Java's PatternSyntaxException, by its description. */
const javaError = (description: string): Refused => new Refused(description, true, "");

const unsupported = (construct: string, why: string): Refused => new Refused(construct, false, why);

/** A translation and the size of the RE2 program it compiles to, in instructions (0 for a refusal). */
interface Translated {
  translation: JavaPatternTranslation;
  program: number;
}

/** Translations remembered, pattern and translation counted as UTF-16 with 64 bytes besides, least recently used first out. */
const translations = new LRUCache<string, Translated>({
  maxSize: 16 * 1024 * 1024,
  sizeCalculation: ({ translation }, pattern) => 2 * (pattern.length + ("re2" in translation ? translation.re2.length : 256)) + 64,
});

function translated(pattern: string): Translated {
  // One over the length limit is refused at once, and not remembered.
  if (pattern.length > MAX_PATTERN_LENGTH) return translate(pattern);
  let entry = translations.get(pattern);
  if (entry === undefined) {
    entry = translate(pattern);
    translations.set(pattern, entry);
  }
  return entry;
}

/** The RE2 pattern with the full-match meaning Java gives `pattern`, or why there is none. Cached per pattern. */
export function translateJavaPattern(pattern: string): JavaPatternTranslation {
  return translated(pattern).translation;
}

/** Heap bytes an RE2JS instruction takes, measured (a program of 1,000 instructions held about 92 KB). */
const BYTES_PER_INSTRUCTION = 96;


/** Characters that make a pattern more than a literal name, in Java as in RE2. */
const metacharacters = /[\\^$.|?*+()[\]{}]/u;

/** A pattern without regex metacharacters fully matches exactly the name equal to it. */
export function isLiteralPattern(pattern: string): boolean {
  return !metacharacters.test(pattern);
}

function translate(pattern: string): Translated {
  try {
    if (pattern.length > MAX_PATTERN_LENGTH) {
      throw unsupported(`a pattern longer than ${MAX_PATTERN_LENGTH} characters`, "it is over the grants schema's limit");
    }
    const codePoints = Array.from(pattern, (ch) => ch.codePointAt(0) as number);
    if (codePoints.some(isSurrogate)) {
      throw unsupported("a lone surrogate", "a name is well-formed Unicode, and RE2 has no way to write one");
    }
    if (isLiteralPattern(pattern)) return { translation: { re2: codePoints.map(literal).join("") }, program: codePoints.length };
    if (codePoints.includes(0)) {
      throw unsupported("a NUL character (U+0000)", "Java's parser treats it as the end of the pattern in places; write \\x00");
    }
    const tree = new Parser(removeQuoting(codePoints)).parse();
    const writer = new Writer();
    return { translation: { re2: writer.write(tree) }, program: writer.size };
  } catch (thrown) {
    if (!(thrown instanceof Refused)) throw thrown;
    const message = thrown.javaRefuses
      ? `Java's Pattern.compile refuses it (${thrown.construct}), as Druid does`
      : `it uses ${thrown.construct}, which RE2 cannot match as Java does: ${thrown.why}`;
    return { translation: { refusal: { construct: thrown.construct, javaRefuses: thrown.javaRefuses, message } }, program: 0 };
  }
}

/**
 * Compiled patterns, shared and kept across revisions, bounded by their programs' size (patternBytes): the
 * 64 MiB hold some 30,000 typical grant patterns, and at least a dozen of the largest msq-authz translates.
 */
const compiled = new LRUCache<string, { matches: (name: string) => boolean }>({
  maxSize: 64 * 1024 * 1024,
  sizeCalculation: (_, pattern) => patternBytes(pattern),
});

/**
 * What a compiled pattern is counted as in the caches of compiled patterns: its program, 1 KiB besides, and its text
 * as the key (UTF-16).
 */
export function patternBytes(pattern: string): number {
  return BYTES_PER_INSTRUCTION * translated(pattern).program + 1024 + 2 * pattern.length;
}

/**
 * Java's Pattern.matches(pattern, name) for a grant pattern, run by RE2JS on the translation, compiled once while
 * it stays in the cache; undefined when the pattern is refused (a grant holding it does not load).
 */
export function javaFullMatcher(pattern: string): ((name: string) => boolean) | undefined {
  let matcher = compiled.get(pattern);
  if (matcher === undefined) {
    const translation = translateJavaPattern(pattern);
    if ("refusal" in translation) return undefined;
    const regex = RE2JS.compile(translation.re2);
    matcher = { matches: (name) => regex.matches(name) };
    compiled.set(pattern, matcher);
  }
  return matcher.matches;
}

/**
 * Each pattern's full-match function (null for a pattern msq-authz refuses: it matches nothing), for one holder of
 * patterns (a revision's grants, a Casbin enforcer's lines). A lookup here costs less than javaFullMatcher's shared
 * cache on every check, and it is bounded by bytes: an enforcer whose lines change keeps only what it still uses.
 */
export function patternMatchers(maxBytes: number): (pattern: string) => ((name: string) => boolean) | null {
  const matchers = new LRUCache<string, { matches: ((name: string) => boolean) | null }>({
    maxSize: maxBytes,
    sizeCalculation: (_, pattern) => patternBytes(pattern),
  });
  return (pattern) => {
    let matcher = matchers.get(pattern);
    if (matcher === undefined) {
      matcher = { matches: javaFullMatcher(pattern) ?? null };
      matchers.set(pattern, matcher);
    }
    return matcher.matches;
  };
}

/**
 * Whether any of the patterns fully matches a name (Java's Pattern.matches for each), as one RE2 alternation of
 * their translations: a full match of the alternation is a full match of one of them, and RE2 reads it in one pass
 * where one matcher per pattern reads the name once per pattern. Refused patterns match nothing; when the
 * alternation does not compile (RE2's size limits), each pattern is tried on its own.
 */
export function javaAnyFullMatcher(patterns: readonly string[]): (name: string) => boolean {
  const regexes = patterns.flatMap((pattern) => {
    const translation = translateJavaPattern(pattern);
    return "re2" in translation ? [`(?:${translation.re2})`] : [];
  });
  if (regexes.length === 0) return () => false;
  try {
    const alternation = RE2JS.compile(regexes.join("|"));
    return (name) => alternation.matches(name);
  } catch {
    const each = patterns.flatMap((pattern) => javaFullMatcher(pattern) ?? []);
    return (name) => each.some((matches) => matches(name));
  }
}

/**
 * Java resolves \Q...\E before it parses: a quoted ASCII character that is not a letter or a digit gets a
 * backslash, a digit right after \Q is written \x3<digit> (so an escape before the quote cannot take it), and \Q
 * without \E quotes to the end. A backslash inside the quote is a literal one unless \E follows it.
 */
function removeQuoting(cps: number[]): number[] {
  const Q = c("Q");
  const E = c("E");
  let i = 0;
  while (i < cps.length - 1) {
    if (cps[i] !== BACKSLASH) i += 1;
    else if (cps[i + 1] !== Q) i += 2;
    else break;
  }
  if (i >= cps.length - 1) return cps;
  const out = cps.slice(0, i);
  i += 2;
  let inQuote = true;
  let beginQuote = true;
  while (i < cps.length) {
    const ch = cps[i++] as number;
    if (ch >= 0x80 || isAsciiLetter(ch)) {
      out.push(ch);
    } else if (isDigit(ch)) {
      if (inQuote && beginQuote) out.push(BACKSLASH, c("x"), c("3"));
      out.push(ch);
    } else if (ch !== BACKSLASH) {
      if (inQuote) out.push(BACKSLASH);
      out.push(ch);
    } else if (inQuote) {
      if (cps[i] === E) {
        i += 1;
        inQuote = false;
      } else {
        out.push(BACKSLASH, BACKSLASH);
      }
    } else if (cps[i] === Q) {
      i += 1;
      inQuote = true;
      beginQuote = true;
      continue;
    } else {
      out.push(ch);
      if (i < cps.length) out.push(cps[i++] as number);
    }
    beginQuote = false;
  }
  return out;
}

/** An escape in a pattern stands for one code point, a set of them (\d, \p{...}), or a zero-width node (\A). */
type Escaped = number | { readonly set: CodeSet } | { readonly node: Node };

/**
 * A parser that reads a pattern the way java.util.regex.Pattern does, down to where comments mode skips
 * whitespace, so that it refuses what Java refuses and means what Java means. It works on code points; the pattern
 * is followed by NUL sentinels (a NUL in the pattern itself is refused before parsing).
 */
class Parser {
  private readonly temp: number[];
  private readonly patternLength: number;
  private cursor = 0;
  private flags = 0;
  private depth = 0;
  private readonly groupNames = new Set<string>();

  constructor(codePoints: number[]) {
    this.patternLength = codePoints.length;
    this.temp = [...codePoints, 0, 0];
  }

  parse(): Node {
    const tree = this.expr();
    if (this.cursor !== this.patternLength) {
      if (this.peek() === c(")")) throw javaError("unmatched closing ')'");
      throw javaError("unexpected internal error");
    }
    return tree;
  }

  // --- reading, as Java reads: peek/read/next skip whitespace and comments in comments mode, the *Escaped forms
  // and skip() do not.

  private at(index: number): number {
    return this.temp[index] ?? 0;
  }

  private has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  private peek(): number {
    const ch = this.at(this.cursor);
    return this.has(COMMENTS) ? this.peekPastWhitespace(ch) : ch;
  }

  private read(): number {
    const ch = this.peek();
    this.cursor += 1;
    return ch;
  }

  private next(): number {
    this.cursor += 1;
    return this.peek();
  }

  private nextEscaped(): number {
    this.cursor += 1;
    return this.at(this.cursor);
  }

  /** The character after the current one, and the cursor past both. */
  private skip(): number {
    const ch = this.at(this.cursor + 1);
    this.cursor += 2;
    return ch;
  }

  private unread(): void {
    this.cursor -= 1;
  }

  private peekPastWhitespace(first: number): number {
    let ch = first;
    while (isSpace(ch) || ch === HASH) {
      while (isSpace(ch)) ch = this.at(++this.cursor);
      if (ch === HASH) {
        // A comment runs to a line terminator (\n, \r, U+0085, U+2028, U+2029; only \n with UNIX_LINES), which is
        // then read as whitespace if it is ASCII whitespace and as a character otherwise.
        ch = this.at(++this.cursor);
        while (ch !== 0 && !this.endsComment(ch)) ch = this.at(++this.cursor);
      }
    }
    return ch;
  }

  private endsComment(ch: number): boolean {
    return this.has(UNIX_LINES) ? ch === 0x0a : contains(LINE_TERMINATORS, ch);
  }

  private nest(): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING) {
      throw unsupported(`groups and classes nested more than ${MAX_NESTING} deep`, "the RE2s limit nesting");
    }
  }

  // --- structure

  private expr(): Node {
    const alts: Node[] = [];
    for (;;) {
      alts.push(this.sequence());
      if (this.peek() !== c("|")) break;
      this.next();
    }
    return alts.length === 1 ? (alts[0] as Node) : { t: "alt", alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const ch = this.peek();
      let node: Node;
      switch (ch) {
        case c("("): {
          const group = this.group();
          if (group !== undefined) items.push(group);
          continue;
        }
        case c("["):
          node = { t: "set", set: this.clazz(true) };
          break;
        case BACKSLASH: {
          const escaped = this.nextEscaped();
          if (escaped === c("p") || escaped === c("P")) {
            node = { t: "set", set: this.property(escaped === c("P")) };
          } else {
            this.unread();
            node = this.atom();
          }
          break;
        }
        case c("^"):
          this.next();
          node = this.has(MULTILINE) ? { t: "line-begin" } : { t: "begin" };
          break;
        case c("$"):
          this.next();
          node = { t: "end-or-terminator", construct: "$" };
          break;
        case c("."):
          this.next();
          node = { t: "set", set: this.dot() };
          break;
        case c("|"):
        case c(")"):
          return sequenceOf(items);
        case c("?"):
        case c("*"):
        case c("+"):
          this.next();
          throw javaError(`dangling meta character '${String.fromCodePoint(ch)}'`);
        case 0:
          if (this.cursor >= this.patternLength) return sequenceOf(items);
          node = this.atom();
          break;
        default: // includes ']' and '}', which are literals outside a class
          node = this.atom();
          break;
      }
      items.push(this.closure(node));
    }
  }

  private dot(): CodeSet {
    if (this.has(DOTALL)) return ALL;
    return complement(this.has(UNIX_LINES) ? codeSet(0x0a) : LINE_TERMINATORS);
  }

  /** A run of literal characters; a quantifier after it applies to its last character only. */
  private atom(): Node {
    const chars: number[] = [];
    let previous = -1;
    let ch = this.peek();
    for (;;) {
      if (ch === c("*") || ch === c("+") || ch === c("?") || ch === c("{")) {
        if (chars.length > 1) {
          this.cursor = previous;
          chars.pop();
        }
        break;
      }
      if (ch === c("$") || ch === c(".") || ch === c("^") || ch === c("(") || ch === c("[") || ch === c("|") || ch === c(")")) {
        break;
      }
      if (ch === BACKSLASH) {
        const escaped = this.nextEscaped();
        if (escaped === c("p") || escaped === c("P")) {
          if (chars.length > 0) {
            this.unread();
            break;
          }
          return { t: "set", set: this.property(escaped === c("P")) };
        }
        this.unread();
        previous = this.cursor;
        const result = this.escape(false, false);
        if (typeof result === "number") {
          chars.push(result);
          ch = this.peek();
          continue;
        }
        if (chars.length === 0) return "node" in result ? result.node : { t: "set", set: result.set };
        this.cursor = previous;
        break;
      }
      if (ch === 0 && this.cursor >= this.patternLength) break;
      previous = this.cursor;
      chars.push(ch);
      ch = this.next();
    }
    return sequenceOf(chars.map((ch) => ({ t: "set", set: this.single(ch) })));
  }

  /** The set one literal character matches under the current flags. */
  private single(ch: number): CodeSet {
    this.checkLiteral(ch);
    if (!this.has(CASE_INSENSITIVE)) return codeSet(ch);
    this.checkAsciiCase();
    return foldAsciiCase(codeSet(ch));
  }

  private checkLiteral(ch: number): void {
    if (isSurrogate(ch)) {
      throw unsupported(`a lone surrogate (\\u${ch.toString(16).toUpperCase()})`, "a name is well-formed Unicode");
    }
  }

  private checkAsciiCase(): void {
    if (this.has(CASE_INSENSITIVE) && this.has(UNICODE_CASE)) {
      throw unsupported("(?iu) Unicode case folding", "its folding tables are Java's, not RE2's");
    }
  }

  private closure(node: Node): Node {
    const ch = this.peek();
    if (ch === c("?")) return this.quantified(node, 0, 1);
    if (ch === c("*")) return this.quantified(node, 0, Infinity);
    if (ch === c("+")) return this.quantified(node, 1, Infinity);
    if (ch !== c("{")) return node;
    let digit = this.at(this.cursor + 1);
    if (!isDigit(digit)) throw javaError("illegal repetition");
    this.skip();
    let min = 0;
    do {
      min = Math.min(min * 10 + (digit - 0x30), 1e10);
    } while (isDigit((digit = this.read())));
    let max = min;
    if (digit === c(",")) {
      digit = this.read();
      max = Infinity;
      if (digit !== c("}")) {
        max = 0;
        while (isDigit(digit)) {
          max = Math.min(max * 10 + (digit - 0x30), 1e10);
          digit = this.read();
        }
      }
    }
    if (digit !== c("}")) throw javaError("unclosed counted closure");
    if (min > 0x7fffffff || (max !== Infinity && max > 0x7fffffff) || max < min) throw javaError("illegal repetition range");
    this.unread();
    return this.quantified(node, min, max);
  }

  /** The cursor is on the quantifier's last character; a '?' after it makes it lazy, a '+' possessive. */
  private quantified(node: Node, min: number, max: number): Node {
    const after = this.next();
    if (after === c("?")) {
      this.next();
    } else if (after === c("+")) {
      throw unsupported("a possessive quantifier (X*+, X++, X?+, X{n,m}+)", "it never gives back, which RE2 cannot express");
    }
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      throw unsupported(`a repetition count over ${MAX_REPEAT}`, `RE2 allows counts up to ${MAX_REPEAT}`);
    }
    return { t: "repeat", node, min, max };
  }

  private group(): Node | undefined {
    const saved = this.flags;
    this.nest();
    let ch = this.next();
    let body: Node;
    if (ch === c("?")) {
      ch = this.skip();
      switch (ch) {
        case c(":"):
          body = this.expr();
          break;
        case c("="):
        case c("!"):
          throw unsupported(`lookahead (?${String.fromCodePoint(ch)}...)`, "RE2 has no lookaround");
        case c(">"):
          throw unsupported("an atomic group (?>...)", "it never gives back, which RE2 cannot express");
        case c("<"): {
          ch = this.read();
          if (ch === c("=") || ch === c("!")) {
            throw unsupported(`lookbehind (?<${String.fromCodePoint(ch)}...)`, "RE2 has no lookaround");
          }
          const name = this.groupName(ch);
          if (this.groupNames.has(name)) throw javaError(`named capturing group <${name}> is already defined`);
          this.groupNames.add(name);
          body = this.expr();
          break;
        }
        case c("$"):
        case c("@"):
          throw javaError("unknown group type");
        default:
          this.unread();
          this.addFlags();
          ch = this.read();
          if (ch === c(")")) {
            this.depth -= 1;
            return undefined; // (?flags) alone: the flags last to the end of the enclosing group
          }
          if (ch !== c(":")) throw javaError("unknown inline modifier");
          body = this.expr();
          break;
      }
    } else {
      body = this.expr();
    }
    if (this.read() !== c(")")) throw javaError("unclosed group");
    this.flags = saved;
    this.depth -= 1;
    return this.closure(body);
  }

  private groupName(first: number): string {
    if (!isAsciiLetter(first)) throw javaError("capturing group name does not start with a Latin letter");
    let name = "";
    let ch = first;
    do {
      name += String.fromCodePoint(ch);
      ch = this.read();
    } while (isAsciiLetter(ch) || isDigit(ch));
    if (ch !== c(">")) throw javaError("named capturing group is missing trailing '>'");
    return name;
  }

  private addFlags(): void {
    let ch = this.peek();
    let on = true;
    for (;;) {
      const flag = FLAG_LETTERS[String.fromCodePoint(ch)];
      if (on && ch === c("-")) {
        on = false;
      } else if (flag === undefined) {
        return;
      } else if (on) {
        if (flag === UNICODE_CHARACTER_CLASS) {
          throw unsupported("(?U) UNICODE_CHARACTER_CLASS", "it makes \\w, \\d, \\s, \\b and the POSIX classes Unicode, by Java's tables");
        }
        if (flag === CANON_EQ) throw unsupported("(?c) CANON_EQ", "canonical equivalence needs Unicode normalization");
        this.flags |= flag;
      } else {
        this.flags &= ~(flag === UNICODE_CHARACTER_CLASS ? UNICODE_CHARACTER_CLASS | UNICODE_CASE : flag);
      }
      ch = this.next();
    }
  }

  // --- escapes

  /**
   * The escape at the cursor (a backslash). In a class (`inClass`) only characters and sets are valid; `isRange`
   * says a '-' follows, which makes \v the character U+000B rather than vertical whitespace, as in Java.
   */
  private escape(inClass: boolean, isRange: boolean): Escaped {
    const ch = this.skip();
    const letter = String.fromCodePoint(ch);
    const set = (value: CodeSet): Escaped => ({ set: value });
    switch (letter) {
      case "0":
        return this.octal();
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "6":
      case "7":
      case "8":
      case "9":
        if (inClass) break;
        throw unsupported(`a backreference (\\${letter})`, "RE2 has no backreferences");
      case "A":
        if (inClass) break;
        return { node: { t: "begin" } };
      case "B":
      case "b":
        if (inClass) break;
        throw unsupported(`\\${letter}`, "Java 17's word boundaries use Unicode letters and digits");
      case "G":
        if (inClass) break;
        throw unsupported("\\G", "RE2 has no end-of-previous-match anchor");
      case "R":
        if (inClass) break;
        return { node: { t: "linebreak" } };
      case "X":
        if (inClass) break;
        throw unsupported("\\X", "grapheme clusters follow Java's Unicode tables");
      case "Z":
        if (inClass) break;
        return { node: { t: "end-or-terminator", construct: "\\Z" } };
      case "z":
        if (inClass) break;
        return { node: { t: "end" } };
      case "k":
        if (inClass) break;
        throw unsupported("a named backreference (\\k<name>)", "RE2 has no backreferences");
      case "N":
        throw unsupported("\\N{name}", "character names follow Java's Unicode tables");
      case "d":
        return set(DIGIT);
      case "D":
        return set(complement(DIGIT));
      case "s":
        return set(SPACE);
      case "S":
        return set(complement(SPACE));
      case "w":
        return set(WORD);
      case "W":
        return set(complement(WORD));
      case "h":
        return set(HORIZONTAL);
      case "H":
        return set(complement(HORIZONTAL));
      case "v":
        return isRange ? 0x0b : set(VERTICAL);
      case "V":
        return set(complement(VERTICAL));
      case "a":
        return 0x07;
      case "e":
        return 0x1b;
      case "f":
        return 0x0c;
      case "n":
        return 0x0a;
      case "r":
        return 0x0d;
      case "t":
        return 0x09;
      case "c":
        if (this.cursor < this.patternLength) return this.read() ^ 64;
        throw javaError("illegal control escape sequence");
      case "u":
        return this.unicode();
      case "x":
        return this.hex();
      default:
        if (isAsciiLetter(ch)) break; // the letters Java does not define
        return ch; // any other character stands for itself
    }
    throw javaError("illegal/unsupported escape sequence");
  }

  private octal(): number {
    const n = this.read();
    if (isOctal(n)) {
      const m = this.read();
      if (isOctal(m)) {
        const o = this.read();
        if (isOctal(o) && n <= c("3")) return (n - 0x30) * 64 + (m - 0x30) * 8 + (o - 0x30);
        this.unread();
        return (n - 0x30) * 8 + (m - 0x30);
      }
      this.unread();
      return n - 0x30;
    }
    throw javaError("illegal octal escape sequence");
  }

  private hex(): number {
    const n = this.read();
    if (isHex(n)) {
      const m = this.read();
      if (isHex(m)) return hexValue(n) * 16 + hexValue(m);
    } else if (n === c("{") && isHex(this.peek())) {
      let value = 0;
      let digit: number;
      while (isHex((digit = this.read()))) {
        value = value * 16 + hexValue(digit);
        if (value > MAX_CODE_POINT) throw javaError("hexadecimal codepoint is too big");
      }
      if (digit !== c("}")) throw javaError("unclosed hexadecimal escape sequence");
      return value;
    }
    throw javaError("illegal hexadecimal escape sequence");
  }

  /** \uXXXX; a high surrogate written this way pairs with a \uXXXX low surrogate right after it. */
  private unicode(): number {
    const high = this.uxxxx();
    if (high >= 0xd800 && high <= 0xdbff) {
      const saved = this.cursor;
      if (this.read() === BACKSLASH && this.read() === c("u")) {
        const low = this.uxxxx();
        if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
      }
      this.cursor = saved;
    }
    return high;
  }

  private uxxxx(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const digit = this.read();
      if (!isHex(digit)) throw javaError("illegal Unicode escape sequence");
      value = value * 16 + hexValue(digit);
    }
    return value;
  }

  /** \p / \P with the cursor on the p: \pL or \p{Name}. */
  private property(complemented: boolean): CodeSet {
    let oneLetter = true;
    if (this.next() !== c("{")) this.unread();
    else oneLetter = false;
    this.next();
    let name: string;
    if (oneLetter) {
      name = String.fromCodePoint(this.at(this.cursor));
      this.read();
    } else {
      const start = this.cursor;
      this.temp[this.patternLength] = c("}"); // a sentinel, as Java marks the end
      while (this.read() !== c("}") && this.cursor <= this.patternLength + 2) {
        // on to the closing brace, or past the sentinel when there is none
      }
      this.temp[this.patternLength] = 0;
      const end = this.cursor;
      if (end > this.patternLength) throw javaError("unclosed character family");
      if (start + 1 >= end) throw javaError("empty character family");
      name = String.fromCodePoint(...this.temp.slice(start, end - 1));
    }
    const written = `\\${complemented ? "P" : "p"}{${name}}`;
    let set = POSIX[name];
    if (set === undefined || !Object.hasOwn(POSIX, name)) {
      throw unsupported(
        written,
        name.startsWith("java")
          ? "Java's character properties follow its own Unicode tables"
          : "Unicode categories, scripts, blocks and properties follow each engine's own Unicode tables (or Java does not know the name)",
      );
    }
    // Case-insensitively, Java reads \p{Lower} and \p{Upper} as all ASCII letters.
    if ((name === "Lower" || name === "Upper") && this.has(CASE_INSENSITIVE)) set = ALPHA;
    return complemented ? complement(set) : set;
  }

  // --- classes

  /**
   * A class at the cursor ('[', or the character before a class's first item when an intersection's operand is
   * read without brackets, `consume` false). Java's algorithm, kept here because its corner cases are its meaning:
   * characters below 256 collect in one set ("bits") that joins the class at its end or at the next &&; everything
   * else joins as it comes; `[a&&]` intersects with the last operand read; a ']' first in a class is a literal.
   */
  private clazz(consume: boolean): CodeSet {
    this.nest();
    let prev: CodeSet | undefined;
    let curr: CodeSet | undefined;
    const bits = { set: EMPTY, used: false };
    let negated = false;
    let ch = this.next();
    if (ch === c("^") && this.at(this.cursor - 1) === c("[")) {
      ch = this.next();
      negated = true;
    }
    for (;;) {
      if (ch === c("[")) {
        curr = this.clazz(true);
        prev = prev === undefined ? curr : union(prev, curr);
        ch = this.peek();
        continue;
      }
      if (ch === c("&")) {
        ch = this.next();
        if (ch === c("&")) {
          ch = this.next();
          let right: CodeSet | undefined;
          while (ch !== c("]") && ch !== c("&")) {
            let operand: CodeSet;
            if (ch === c("[")) {
              operand = this.clazz(true);
            } else {
              this.unread();
              operand = this.clazz(false);
            }
            right = right === undefined ? operand : union(right, operand);
            ch = this.peek();
          }
          if (bits.used) {
            if (prev === undefined) prev = curr = bits.set;
            else prev = union(prev, bits.set);
            bits.used = false;
          }
          if (right !== undefined) curr = right;
          if (prev === undefined) {
            if (right === undefined) throw javaError("bad class syntax");
            prev = right;
          } else if (curr === undefined) {
            // Java 17 compiles this (as in [[a]b&&]) to an intersection with nothing, and then throws when it matches.
            throw unsupported("a class intersection && with nothing after it", "Java 17 fails on it when it matches");
          } else {
            prev = intersect(prev, curr);
          }
          continue;
        }
        this.unread(); // a single '&' is a literal
      } else if (ch === 0 && this.cursor >= this.patternLength) {
        throw javaError("unclosed character class");
      } else if (ch === c("]") && (prev !== undefined || bits.used)) {
        if (consume) this.next();
        if (prev === undefined) prev = bits.set;
        else if (bits.used) prev = union(prev, bits.set);
        this.depth -= 1;
        return negated ? complement(prev) : prev;
      }
      curr = this.range(bits); // undefined when the item went into bits, as in Java
      if (curr !== undefined) prev = prev === undefined ? curr : union(prev, curr);
      ch = this.peek();
    }
  }

  /** One class item: a character (into bits when below 256), a range, an escape's set or a property. */
  private range(bits: { set: CodeSet; used: boolean }): CodeSet | undefined {
    let ch = this.peek();
    if (ch === BACKSLASH) {
      const escaped = this.nextEscaped();
      if (escaped === c("p") || escaped === c("P")) return this.property(escaped === c("P"));
      const isRange = this.at(this.cursor + 1) === c("-");
      this.unread();
      const result = this.escape(true, isRange);
      if (typeof result !== "number") {
        if ("set" in result) return result.set;
        throw javaError("illegal/unsupported escape sequence"); // escapes that are nodes are refused in a class
      }
      ch = result;
    } else {
      this.next();
    }
    if (this.peek() === c("-")) {
      const endRange = this.at(this.cursor + 1);
      if (endRange !== c("[") && endRange !== c("]")) {
        this.next();
        let m = this.peek();
        if (m === BACKSLASH) {
          const result = this.escape(true, true);
          m = typeof result === "number" ? result : -1;
        } else {
          this.next();
        }
        if (m < ch) throw javaError("illegal character range");
        this.checkLiteral(ch);
        this.checkLiteral(m);
        if (!this.has(CASE_INSENSITIVE)) return codeSet([ch, m]);
        this.checkAsciiCase();
        return foldAsciiCase(codeSet([ch, m]));
      }
    }
    const set = this.single(ch);
    if (ch < 256) {
      bits.set = union(bits.set, set);
      bits.used = true;
      return undefined;
    }
    return set;
  }
}

const FLAG_LETTERS: Record<string, number> = {
  d: UNIX_LINES,
  i: CASE_INSENSITIVE,
  x: COMMENTS,
  m: MULTILINE,
  s: DOTALL,
  u: UNICODE_CASE,
  c: CANON_EQ,
  U: UNICODE_CHARACTER_CLASS,
};

function sequenceOf(items: Node[]): Node {
  return items.length === 1 ? (items[0] as Node) : { t: "seq", items };
}

// --- writing RE2

/** Where a node stands: anchors mean what Java means only at the ends of a full match. */
interface Place {
  /** Nothing before it can consume a character: it is at the start of the name. */
  readonly atStart: boolean;
  /** Nothing after it can consume a character: for a full match it is at the end of the name. */
  readonly atEnd: boolean;
  /** Something after it must consume a character. */
  readonly restConsumes: boolean;
}

interface Written {
  readonly text: string;
  /** atom: takes a quantifier as is; seq: a concatenation; alt: an alternation; empty: nothing. */
  readonly kind: "atom" | "seq" | "alt" | "empty";
  /** The product of the counted repetitions inside, which C++ RE2 bounds. */
  readonly repeats: number;
}

const ZERO_WIDTH = new Set(["begin", "line-begin", "end", "end-or-terminator"]);

class Writer {
  private program = 0;

  /** The program's estimated size in instructions, once written. */
  get size(): number {
    return this.program;
  }
  private readonly widths = new Map<Node, { zeroWidth: boolean; consumes: boolean }>();

  write(tree: Node): string {
    return this.node(tree, { atStart: true, atEnd: true, restConsumes: false }).text;
  }

  /** zeroWidth: never consumes a character; consumes: always consumes at least one. */
  private width(node: Node): { zeroWidth: boolean; consumes: boolean } {
    let known = this.widths.get(node);
    if (known !== undefined) return known;
    switch (node.t) {
      case "set":
      case "linebreak":
        known = { zeroWidth: false, consumes: true };
        break;
      case "seq": {
        const parts = node.items.map((item) => this.width(item));
        known = { zeroWidth: parts.every((p) => p.zeroWidth), consumes: parts.some((p) => p.consumes) };
        break;
      }
      case "alt": {
        const parts = node.alts.map((alt) => this.width(alt));
        known = { zeroWidth: parts.every((p) => p.zeroWidth), consumes: parts.every((p) => p.consumes) };
        break;
      }
      case "repeat": {
        const inner = this.width(node.node);
        known = { zeroWidth: node.max === 0 || inner.zeroWidth, consumes: node.min >= 1 && inner.consumes };
        break;
      }
      default:
        known = { zeroWidth: ZERO_WIDTH.has(node.t), consumes: false };
    }
    this.widths.set(node, known);
    return known;
  }

  private grow(size: number): void {
    this.program += size;
    if (this.program > MAX_PROGRAM) {
      throw unsupported("more than RE2 should compile once repetitions are expanded", `its program would pass ${MAX_PROGRAM} instructions`);
    }
  }

  private node(node: Node, place: Place): Written {
    switch (node.t) {
      case "set":
        this.grow(1 + rangeCount(node.set));
        return { text: writeSet(node.set), kind: "atom", repeats: 1 };
      case "seq":
        return this.sequence(node.items, place);
      case "alt": {
        const alts = node.alts.map((alt) => this.node(alt, place));
        this.grow(alts.length);
        return { text: alts.map((alt) => alt.text).join("|"), kind: "alt", repeats: Math.max(...alts.map((a) => a.repeats)) };
      }
      case "repeat":
        return this.repeat(node, place);
      case "begin":
        return { text: "^", kind: "seq", repeats: 1 };
      case "line-begin":
        // Java's MULTILINE ^ matches at the start, and after a line terminator, but never at the end of the name.
        if (!place.atStart) {
          throw unsupported("a MULTILINE ^ ((?m)) after the start of the pattern", "RE2 would need a lookbehind for Java's line rules");
        }
        if (!place.restConsumes) {
          throw unsupported("a MULTILINE ^ ((?m)) before what can match the empty name", "Java's ^ never matches at the end, so it refuses the empty name");
        }
        return { text: "^", kind: "seq", repeats: 1 };
      case "end":
        return { text: "\\z", kind: "seq", repeats: 1 };
      case "end-or-terminator":
        // At the end of a full match, Java's $ and \Z (which also match before a final line terminator) can only
        // match at the very end.
        if (!place.atEnd) {
          throw unsupported(`a ${node.construct} before the end of the pattern`, "it also matches before a final line terminator, which RE2 cannot express there");
        }
        return { text: "\\z", kind: "seq", repeats: 1 };
      case "linebreak":
        // \R is atomic: on \r\n it takes both characters. At the end of a full match that is the same as trying both.
        if (!place.atEnd) {
          throw unsupported("\\R before the end of the pattern", "it never gives back the \\n of \\r\\n, which RE2 cannot express there");
        }
        this.grow(8);
        return { text: `(?:\\r\\n|${writeSet(VERTICAL)})`, kind: "atom", repeats: 1 };
    }
  }

  private sequence(items: readonly Node[], place: Place): Written {
    const widths = items.map((item) => this.width(item));
    // Suffix facts, so each item's place is known in one pass.
    const laterZeroWidth: boolean[] = [];
    const laterConsumes: boolean[] = [];
    let zero = true;
    let consumes = false;
    for (let i = items.length - 1; i >= 0; i--) {
      laterZeroWidth[i] = zero;
      laterConsumes[i] = consumes;
      zero &&= (widths[i] as { zeroWidth: boolean }).zeroWidth;
      consumes ||= (widths[i] as { consumes: boolean }).consumes;
    }
    let earlierZeroWidth = true;
    const parts: Written[] = [];
    items.forEach((item, i) => {
      parts.push(
        this.node(item, {
          atStart: place.atStart && earlierZeroWidth,
          atEnd: place.atEnd && (laterZeroWidth[i] as boolean),
          restConsumes: place.restConsumes || (laterConsumes[i] as boolean),
        }),
      );
      earlierZeroWidth &&= (widths[i] as { zeroWidth: boolean }).zeroWidth;
    });
    const written = parts.filter((part) => part.kind !== "empty");
    if (written.length === 0) return { text: "", kind: "empty", repeats: 1 };
    if (written.length === 1) return written[0] as Written;
    return {
      text: written.map((part) => (part.kind === "alt" ? `(?:${part.text})` : part.text)).join(""),
      kind: "seq",
      repeats: Math.max(...written.map((part) => part.repeats)),
    };
  }

  private repeat(node: Extract<Node, { t: "repeat" }>, place: Place): Written {
    const { min, max } = node;
    if (max === 0) return { text: "", kind: "empty", repeats: 1 }; // X{0} matches the empty string, whatever X is
    if (min === 1 && max === 1) return this.node(node.node, place);
    const inner = max <= 1 ? place : { atStart: false, atEnd: false, restConsumes: place.restConsumes };
    const before = this.program;
    const operand = this.node(node.node, inner);
    if (operand.kind === "empty") return operand;
    const counted = !((min === 0 || min === 1) && (max === 1 || max === Infinity));
    const factor = max === Infinity ? Math.max(min, 1) : max;
    const repeats = counted ? operand.repeats * factor : operand.repeats;
    if (repeats > MAX_REPEAT) {
      throw unsupported(`nested repetition counts whose product is over ${MAX_REPEAT}`, `C++ RE2 refuses nested counts past ${MAX_REPEAT}`);
    }
    this.grow((this.program - before) * (factor - 1) + 1);
    const suffix =
      min === 0 && max === 1 ? "?"
      : min === 0 && max === Infinity ? "*"
      : min === 1 && max === Infinity ? "+"
      : max === Infinity ? `{${min},}`
      : min === max ? `{${min}}`
      : `{${min},${max}}`;
    const text = operand.kind === "atom" ? operand.text : `(?:${operand.text})`;
    return { text: text + suffix, kind: "seq", repeats };
  }
}

const CONTROL_ESCAPES: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f", 0x0d: "\\r" };

/** A code point as RE2 reads it alike in and out of a class. */
function literal(ch: number): string {
  if ((ch >= 0x30 && ch <= 0x39) || isAsciiLetter(ch) || ch === 0x5f) return String.fromCharCode(ch);
  const control = CONTROL_ESCAPES[ch];
  if (control !== undefined) return control;
  if (ch >= 0x21 && ch <= 0x7e) return `\\${String.fromCharCode(ch)}`; // ASCII punctuation, escaped
  return `\\x{${ch.toString(16).toUpperCase()}}`;
}

/**
 * A set as one RE2 atom: a literal for one code point, otherwise a class, negated when that is shorter. Surrogates
 * are left out (no name holds one, and the RE2s disagree on writing them).
 */
function writeSet(set: CodeSet): string {
  const wanted = without(set, SURROGATES);
  if (wanted.length === 0) return `[^\\x{0}-\\x{10FFFF}]`;
  if (wanted.length === 2 && wanted[0] === wanted[1]) return literal(wanted[0] as number);
  const unwanted = without(complement(wanted), SURROGATES);
  if (unwanted.length === 0) return `[\\x{0}-\\x{10FFFF}]`;
  const negated = rangeCount(unwanted) < rangeCount(wanted);
  const ranges = negated ? unwanted : wanted;
  let text = negated ? "[^" : "[";
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i] as number;
    const hi = ranges[i + 1] as number;
    text += lo === hi ? literal(lo) : hi === lo + 1 ? literal(lo) + literal(hi) : `${literal(lo)}-${literal(hi)}`;
  }
  return `${text}]`;
}
