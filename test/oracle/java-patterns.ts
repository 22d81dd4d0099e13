// Generated Java patterns for the differential test (test/java-pattern.test.ts), each with names built to hit it:
// a witness the generator expects to match, near misses made from it, and names that are traps in their own right.
// The grammar covers Java's syntax and the places where Java and RE2 read a pattern differently; it also produces
// plenty of patterns Java refuses, which msq-authz must refuse too.
import fc from "fast-check";

/** A piece of pattern and a string it is meant to match (a guess: near misses are made from it anyway). */
type Piece = [pattern: string, witness: string];

/** Characters that trap one dialect or the other: case, line terminators, non-ASCII letters, astral, whitespace. */
export const trapCharacters = [
  "a", "b", "e", "k", "K", "s", "S", "z", "Z", "A", "0", "1", "7", "9", "_", "-", " ", "#", ":", "&", "^", "]", "}", "{", ",", "=", "<",
  ">", "!", "@", "`", "[", "~", "\\", ".", "é", "É", "ß", "ſ", "\u212a", "ı", "İ", "😀", "𝔸", "\n", "\r", "\u0085", "\u2028", "\u2029",
  "\t", "\u000b", "\f", "\u00a0", "\u3000", "\u1680", "\u180e", "\u200b", "\u007f", "\u0001", "\u001b", "\u00ff", "\ufeff",
];

const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const trap = pick(...trapCharacters);

// Literal characters: safe outside a class in Java, some of them metacharacters or not in RE2.
const literal: fc.Arbitrary<Piece> = pick(
  ..."abekKsSzA017_-:,&=<>!@`~]}#".split(""),
  " ", "é", "É", "ß", "ſ", "\u212a", "ı", "İ", "😀", "𝔸", "\n", "\r", "\u0085", "\u2028", "\t", "\u000b", "\u00a0",
).map((ch): Piece => [ch, ch]);

const escapes: Piece[] = [
  ["\\t", "\t"], ["\\n", "\n"], ["\\r", "\r"], ["\\f", "\f"], ["\\a", "\u0007"], ["\\e", "\u001b"], ["\\cA", "\u0001"], ["\\c?", "\u007f"],
  ["\\c@", "\u0000"], ["\\cé", "\u00a9"], ["\\0101", "A"], ["\\07", "\u0007"], ["\\0377", "\u00ff"], ["\\0400", " 0"], ["\\08", ""], ["\\0", ""],
  ["\\x41", "A"], ["\\x4", ""], ["\\x{1F600}", "😀"], ["\\x{212A}", "\u212a"], ["\\x{212a}", "\u212a"], ["\\x{}", ""], ["\\x{110000}", ""],
  ["\\x{10FFFF}", "\u{10ffff}"], ["\\x{0}", "\u0000"], ["\\u0041", "A"], ["\\u004", ""], ["\\uD83D\\uDE00", "😀"], ["\\uD83D", ""],
  ["\\x{D83D}\\x{DE00}", "😀"], ["\\.", "."], ["\\\\", "\\"], ["\\-", "-"], ["\\[", "["], ["\\]", "]"], ["\\{", "{"], ["\\}", "}"],
  ["\\#", "#"], ["\\ ", " "], ["\\é", "é"], ["\\😀", "😀"], ["\\d", "7"], ["\\D", "x"], ["\\s", "\u000b"], ["\\S", "s"], ["\\w", "_"],
  ["\\W", "é"], ["\\h", "\u00a0"], ["\\H", "h"], ["\\v", "\u2028"], ["\\V", "v"], ["\\R", "\r\n"], ["\\A", ""], ["\\z", ""], ["\\Z", ""],
  ["\\b", ""], ["\\B", ""], ["\\G", ""], ["\\1", ""], ["\\k<n>", ""], ["\\X", "a"], ["\\N{LATIN SMALL LETTER A}", "a"], ["\\y", ""],
  ["\\E", ""], ["\\Q", ""], ["\\p{Lower}", "q"], ["\\p{Upper}", "Q"], ["\\p{ASCII}", "\u007f"], ["\\p{Alpha}", "Z"], ["\\p{Digit}", "5"],
  ["\\p{Alnum}", "x"], ["\\p{Punct}", "!"], ["\\p{Graph}", "~"], ["\\p{Print}", " "], ["\\p{Blank}", "\t"], ["\\p{Cntrl}", "\u007f"],
  ["\\p{XDigit}", "F"], ["\\p{Space}", "\u000b"], ["\\P{Lower}", "Q"], ["\\P{Space}", "s"], ["\\P{ASCII}", "é"], ["\\p{all}", "😀"],
  ["\\x 41", "A"], ["\\0 101", "A"], ["\\c a", "!"], ["\\u 0041", "A"], ["\\p {Lower}", "a"], ["\\p{ Lower}", "a"], ["\\x{ 41}", "A"],
  ["\\x{4 1}", "A"], ["\\p{Lower }", "a"], ["\\p L", "a"], ["\\c", ""], ["\\c\\", "\u001c"], ["\\x{41", ""],
  ["\\pL", "a"], ["\\p{L}", "a"], ["\\p{IsLatin}", "a"], ["\\p{InGreek}", "α"], ["\\p{javaLowerCase}", "a"], ["\\p{IsLower}", "a"],
  ["\\p{Lu}", "A"], ["\\p{gc=Lu}", "A"], ["\\p{}", ""], ["\\p{Lower", ""], ["\\p", ""], ["\\", ""],
];
const escape: fc.Arbitrary<Piece> = pick(...escapes);

const quoted: fc.Arbitrary<Piece> = fc
  .tuple(fc.array(pick(..."a.*1[]\\E -#😀\n".split(""), "\\E", "\\\\"), { maxLength: 4 }), fc.boolean())
  .map(([chars, closed]): Piece => [`\\Q${chars.join("")}${closed ? "\\E" : ""}`, chars.join("").replace(/\\E.*$/su, "")]);

// Class items, inside brackets.
const classItem: fc.Arbitrary<string> = pick(
  "a", "b", "e", "k", "K", "z", "A", "Z", "0", "9", "_", "-", "^", "&", "[", ":", " ", "#", ".", "*", "é", "ſ", "\u212a", "😀", "\n", "\u2028",
  "a-z", "A-Z", "0-9", "a-e", "Z-a", "k-k", "\\x00-\\x{10FFFF}", "\\x{1F600}-\\x{1F64F}", "a-\\x{212A}", "\u00e0-\u00ff", "z-a", "a-", "-a",
  "\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\\h", "\\H", "\\v", "\\V", "\\v-\\r", "\\t-\\r", "\\x41", "\\u006B", "\\0101", "\\n", "\\]", "\\[",
  "\\-", "\\\\", "\\^", "\\&", "\\b", "\\1", "\\R", "\\Q]\\E", "\\Qa-z\\E", "\\p{Lower}", "\\P{Upper}", "\\p{Punct}", "\\pL", "\\p{L}",
  "[:alnum:]", "[:upper:]", "&&", "&&[^e]", "&&[a-c]", "&&b", "&& ", "& &", "[a]", "[^a]", "[b-d]", "[[c]]", "# c\n", "\\e", "\\cA",
);
const klass: fc.Arbitrary<Piece> = fc
  .tuple(fc.boolean(), fc.array(classItem, { minLength: 0, maxLength: 5 }), trap, fc.integer({ min: 0, max: 9 }))
  .map(([negated, items, witness, closing]): Piece => [`[${negated ? "^" : ""}${items.join("")}${closing === 0 ? "" : "]"}`, witness]);

const dot: fc.Arbitrary<Piece> = trap.map((ch): Piece => [".", ch]);
const anchor: fc.Arbitrary<Piece> = pick<Piece>(["^", ""], ["$", ""], ["\\A", ""], ["\\z", ""], ["\\Z", ""], ["$", "\n"], ["^", "\n"]);
const flags: fc.Arbitrary<string> = fc
  .tuple(fc.subarray([..."imsdx"]), fc.subarray([..."imsdx"]), fc.integer({ min: 0, max: 60 }))
  .map(([on, off, odd]) => {
    const extra = ["U", "c", "q", "i x", "u", "iu", "-u", "U-U", "-", "x ", "--i"][odd] ?? "";
    return extra + on.join("") + (off.length > 0 ? `-${off.join("")}` : "");
  });
const whitespace: fc.Arbitrary<Piece> = pick<Piece>([" ", ""], ["\t", ""], ["# comment\n", ""], ["#x\r", ""], ["#\u2028", "\u2028"], ["\u000b", ""], ["  ", ""]);

const quantifier: fc.Arbitrary<[string, number]> = pick<[string, number]>(
  ["?", 1], ["?", 0], ["*", 0], ["*", 2], ["+", 1], ["+", 3], ["??", 0], ["*?", 1], ["+?", 2], ["{2}", 2], ["{0}", 0], ["{1,}", 2], ["{2,3}", 3],
  ["{0,1}", 1], ["{3}?", 3], ["*+", 2], ["++", 1], ["?+", 1], ["{2}+", 2], ["{", 1], ["{,3}", 1], ["{3,2}", 2], ["{2", 2], ["{ 2}", 2],
  ["{2 }", 2], ["{1001}", 1], ["{1000}", 1], ["**", 1], ["{2}{3}", 2],
);

export interface GeneratedPattern {
  pattern: string;
  names: string[];
}

const pieces = fc.letrec<{ expr: Piece; seq: Piece; item: Piece; atom: Piece }>((tie) => ({
  expr: fc.oneof(
    { weight: 4, arbitrary: tie("seq") },
    { weight: 1, arbitrary: fc.tuple(tie("seq"), tie("seq")).map(([a, b]): Piece => [`${a[0]}|${b[0]}`, b[1]]) },
  ),
  seq: fc.array(tie("item"), { minLength: 0, maxLength: 4 }).map((items): Piece => [items.map((i) => i[0]).join(""), items.map((i) => i[1]).join("")]),
  item: fc.oneof(
    { weight: 5, arbitrary: tie("atom") },
    {
      weight: 2,
      arbitrary: fc.tuple(tie("atom"), quantifier).map(([[p, w], [q, times]]): Piece => [p + q, w.repeat(times)]),
    },
    { weight: 1, arbitrary: anchor },
    { weight: 1, arbitrary: whitespace },
    { weight: 1, arbitrary: flags.map((f): Piece => [`(?${f})`, ""]) },
  ),
  atom: fc.oneof(
    { weight: 6, arbitrary: literal },
    { weight: 4, arbitrary: escape },
    { weight: 3, arbitrary: klass },
    { weight: 2, arbitrary: dot },
    { weight: 1, arbitrary: quoted },
    {
      weight: 2,
      arbitrary: fc
        .tuple(pick("(", "(?:", "(?<n>", "(?<n1>", "(?<1>", "(? :", "(?=", "(?!", "(?>", "(?<=", "(?<!", "(?$"), fc.option(flags, { nil: undefined }), tie("expr"), fc.integer({ min: 0, max: 12 }))
        .map(([open, flagged, [p, w], closing]): Piece => [`${flagged === undefined ? open : `(?${flagged}:`}${p}${closing === 0 ? "" : ")"}`, w]),
    },
  ),
}));
const piece = pieces.expr;

/** Near misses of a witness: a character dropped, added, case-swapped, or replaced by a trap; a terminator after. */
const nearMisses = (witness: string): fc.Arbitrary<string[]> => {
  const chars = [...witness];
  const mutation = fc.tuple(fc.integer({ min: 0, max: chars.length }), trap, fc.integer({ min: 0, max: 5 })).map(([at, ch, kind]) => {
    const copy = [...chars];
    if (kind === 0) copy.splice(at, 1);
    else if (kind === 1) copy.splice(at, 0, ch);
    else if (kind === 2) copy.splice(at, 1, ch);
    else if (kind === 3) return swapCase(witness);
    else if (kind === 4) return `${witness}${pickTerminator(at)}`;
    else return witness + witness;
    return copy.join("");
  });
  return fc.array(mutation, { minLength: 4, maxLength: 6 });
};

const pickTerminator = (i: number): string => ["\n", "\r\n", "\r", "\u0085", "\u2028", "\u2029"][i % 6] as string;

const swapCase = (value: string): string =>
  [...value].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join("");

/** Character soup: short strings of metacharacters, escapes' letters, whitespace and comments. */
const soupCharacters = [..."\\\\()[]{}^$.|?*+-&:=!<>,#0123 \n\rpPQExucdsvhkaAzZbiU"];
const soup: fc.Arbitrary<Piece> = fc
  .tuple(fc.array(pick(...soupCharacters, "\\Q", "\\E", "(?x)", "(?i)", "[^", "&&", "{2}", "\\p{Lower}", "\\x{41}", "k"), { minLength: 1, maxLength: 10 }), trap)
  .map(([chars, witness]): Piece => [chars.join(""), witness]);

/**
 * Whole patterns: generated, sometimes behind a flag prefix, sometimes with a UTF-16 unit cut or doubled (which can
 * also leave a lone surrogate, to be refused).
 */
export const javaPatterns: fc.Arbitrary<GeneratedPattern> = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: piece }, { weight: 1, arbitrary: soup }), fc.option(flags, { nil: undefined, freq: 3 }), fc.integer({ min: 0, max: 15 }), fc.nat())
  .chain(([[body, witness], prefix, mutate, at]) => {
    let pattern = prefix === undefined ? body : `(?${prefix})${body}`;
    if (mutate === 0 && pattern.length > 0) pattern = pattern.slice(0, at % pattern.length) + pattern.slice((at % pattern.length) + 1);
    if (mutate === 1 && pattern.length > 0) pattern = pattern.slice(0, (at % pattern.length) + 1) + pattern.slice(at % pattern.length);
    return fc
      .tuple(nearMisses(witness), fc.array(fc.array(trap, { maxLength: 4 }).map((cs) => cs.join("")), { minLength: 3, maxLength: 4 }))
      .map(([misses, others]): GeneratedPattern => ({ pattern, names: [...new Set([witness, ...misses, ...others, ""])] }));
  });
