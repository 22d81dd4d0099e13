// Grant patterns in Java's dialect (src/grants/java-pattern.ts) against the real thing: the JDK's java.util.regex
// (test/oracle/JavaPatternOracle.java), what Druid's basic authorizer runs.
// - Sets: each predefined, POSIX and case-folded class, and '.', match exactly Java's code points.
// - Regressions: the cases of test/cases/java-patterns (whole decisions, run by cases.test.ts) are what Java answers,
//   and patterns msq-authz cannot match as Java does are refused when grants load, naming the construct.
// - Differential: generated patterns and names built to hit them (test/oracle/java-patterns.ts). Where Java refuses
//   a pattern, msq-authz refuses it; where msq-authz translates one, the WASM decision point, the Casbin engine, RE2JS
//   and OPA's Go evaluator (a stock OPA agent) all answer as Java does for every name. JAVA_PATTERN_RUNS patterns
//   (default 4,000: over 10,000 pairs), JAVA_PATTERN_SEED; `make fuzz` runs 100,000.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundle, readBundleFiles } from "../src/bundle/load.js";
import { buildBundle } from "../src/bundle/build.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { fullMatchFunction } from "../src/grants/casbin.js";
import { checkGrants } from "../src/grants.js";
import { ALL, type CodeSet, SURROGATES, codeSet, complement, without } from "../src/grants/code-points.js";
import { MAX_PATTERN_LENGTH, javaAnyFullMatcher, translateJavaPattern } from "../src/grants/java-pattern.js";
import type { BuiltinEngine } from "../src/decision-point.js";
import type { Decision } from "../src/types.js";
import { JavaOracle } from "./oracle/java-oracle.js";
import { javaPatterns } from "./oracle/java-patterns.js";
import { engines, loadCases, root } from "./support.js";

const runs = Number(process.env.JAVA_PATTERN_RUNS ?? 4_000);
const seed = Number(process.env.JAVA_PATTERN_SEED ?? 20261126);

let oracle: JavaOracle;
beforeAll(() => {
  oracle = JavaOracle.start();
});
afterAll(() => oracle.close());

const re2Of = (pattern: string): string => {
  const translation = translateJavaPattern(pattern);
  if ("refusal" in translation) throw new Error(`${pattern} is refused: ${translation.refusal.message}`);
  return translation.re2;
};

/** The code points one RE2 atom as the translator writes it (a literal or a class) stands for. */
function re2Set(atom: string): CodeSet {
  let i = 0;
  const one = (): number => {
    const ch = atom.codePointAt(i) as number;
    if (ch !== 0x5c) {
      i += String.fromCodePoint(ch).length;
      return ch;
    }
    const escaped = atom[i + 1] as string;
    if (escaped === "x") {
      const end = atom.indexOf("}", i);
      const value = Number.parseInt(atom.slice(i + 3, end), 16);
      i = end + 1;
      return value;
    }
    i += 2;
    return { t: 0x09, n: 0x0a, f: 0x0c, r: 0x0d }[escaped] ?? (escaped.codePointAt(0) as number);
  };
  if (atom[0] !== "[") {
    const ch = one();
    expect(i).toBe(atom.length);
    return codeSet(ch);
  }
  i = atom[1] === "^" ? 2 : 1;
  const items: [number, number][] = [];
  while (atom[i] !== "]") {
    const lo = one();
    if (atom[i] === "-" && atom[i + 1] !== "]") {
      i += 1;
      items.push([lo, one()]);
    } else {
      items.push([lo, lo]);
    }
  }
  expect(i).toBe(atom.length - 1);
  const set = codeSet(...items);
  return atom[1] === "^" ? complement(set) : set;
}

describe("classes and '.' are Java's, code point by code point", () => {
  const patterns = [
    "\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\\h", "\\H", "\\v", "\\V", ".", "(?s).", "(?d).", "(?sd).",
    ...["Lower", "Upper", "ASCII", "Alpha", "Digit", "Alnum", "Punct", "Graph", "Print", "Blank", "Cntrl", "XDigit", "Space", "all"].flatMap((name) => [`\\p{${name}}`, `\\P{${name}}`]),
    "(?i)\\p{Lower}", "(?i)\\p{Upper}", "(?i)\\P{Lower}", "(?i)[^\\p{Upper}]", "(?i)k", "(?i)K", "(?i)\\x{212A}", "(?i)\\x{17F}", "(?i)[Z-a]", "(?i)[^k]",
    "(?i)[\\x{212A}]", "(?i)[à-ÿ]", "[[:alnum:]_]", "[a[b]]", "[a-z&&[^e]]", "[^a-z&&[^e]]", "[a-z&&[^aeiou]&&[^xyz]]", "[a[b]&&]", "[a&&]",
    "[\\v-\\r]", "[\\v-]", "[^\\w\\d]", "[\\x{1F600}-\\x{1F64F}]", "[^a]", "[]a]", "[^]a]", "[a-]", "[\\Q]-\\E]", "(?x)[ a - c # x\n]",
  ];

  it.each(patterns)("%s", async (pattern) => {
    const java = await oracle.codePoints(pattern);
    if ("refused" in java) throw new Error(`Java refuses ${pattern}: ${java.refused}`);
    const expected = without(codeSet(...java.ranges), SURROGATES);
    expect(without(re2Set(re2Of(pattern)), SURROGATES)).toEqual(expected);
  });

  it("writes no Unicode property names, no flags and nothing outside printable ASCII", () => {
    for (const pattern of patterns) expect(re2Of(pattern)).toMatch(/^[\x21-\x7e]*$/u);
    expect(re2Of("(?s).")).toBe("[\\x{0}-\\x{10FFFF}]");
    expect(re2Set(re2Of("(?s)."))).toEqual(ALL);
  });
});

describe("the examples: whole decisions (test/cases/java-patterns) are Java's answers", () => {
  const cases = loadCases().filter((c) => c.scenario === "java-patterns");
  const grants = cases[0]?.grants as { users: Record<string, { roles: string[] }>; roles: Record<string, { permissions: { resource: { name: string } }[] }> };

  it("has an ALLOW or a DENY case for each trap", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.file, c] as const))("%s", async (_, c) => {
    const { identity, statement } = c.request as { identity: { user: string }; statement: { reads: { name: string }[] } };
    const role = grants.users[identity.user]?.roles[0] as string;
    const pattern = grants.roles[role]?.permissions[0]?.resource.name as string;
    const name = statement.reads[0]?.name as string;
    expect(await oracle.matches(pattern, [name])).toEqual({ matches: [c.outcome === "ALLOW"] });
  });
});

describe("patterns msq-authz cannot match as Java does are refused when grants load", () => {
  const load = (pattern: string) => () =>
    checkGrants({ users: { u: { roles: ["r"] } }, roles: { r: { permissions: [{ resource: { name: pattern, type: "DATASOURCE" }, action: "READ" }] } } });
  const at = "grants: /roles/r/permissions/0/resource/name: resource name regex";

  it.each([
    ["wiki.*+", "a possessive quantifier (X*+, X++, X?+, X{n,m}+), which RE2 cannot match as Java does: it never gives back"],
    ["wiki$\\n", "a $ before the end of the pattern, which RE2 cannot match as Java does: it also matches before a final line terminator"],
    ["(?!secret).*", "lookahead (?!...), which RE2 cannot match as Java does: RE2 has no lookaround"],
    ["(?iu)kafka", "(?iu) Unicode case folding, which RE2 cannot match as Java does"],
    ["\\p{L}+", "\\p{L}, which RE2 cannot match as Java does"],
    ["\\bwiki", "\\b, which RE2 cannot match as Java does: Java 17's word boundaries use Unicode letters and digits"],
    ["(wiki)\\1", "a backreference (\\1), which RE2 cannot match as Java does"],
    ["(?m)^wiki$\\n^logs", "a $ before the end of the pattern"],
    ["(?U)\\w+", "(?U) UNICODE_CHARACTER_CLASS, which RE2 cannot match as Java does"],
    ["\\x{D83D}", "a lone surrogate (\\uD83D)"],
    ["a{1001}", "a repetition count over 1000"],
    ["(a{100}){11}", "nested repetition counts whose product is over 1000"],
    ["[[b]a&&]", "a class intersection && with nothing after it, which RE2 cannot match as Java does: Java 17 fails on it when it matches"],
  ])("%s", (pattern, construct) => {
    expect(load(pattern)).toThrow(`${at} is refused (${pattern}): it uses ${construct}`);
  });

  it.each([
    ["wiki{", "illegal repetition"],
    ["a{,3}", "illegal repetition"],
    ["[[:alnum:]", "unclosed character class"],
    ["wiki\\", "unexpected internal error"],
    ["\\E", "illegal/unsupported escape sequence"],
    ["*wiki", "dangling meta character '*'"],
    ["(?<1>x)", "capturing group name does not start with a Latin letter"],
  ])("%s, which Java refuses too", async (pattern, description) => {
    expect("refused" in (await oracle.matches(pattern, []))).toBe(true);
    expect(load(pattern)).toThrow(`${at} does not compile (${pattern}): Java's Pattern.compile refuses it (${description}), as Druid does`);
  });

  it("refuses a pattern over the schema's length, and translates the longest in linear time", () => {
    expect(translateJavaPattern("a".repeat(MAX_PATTERN_LENGTH + 1))).toMatchObject({ refusal: { construct: `a pattern longer than ${MAX_PATTERN_LENGTH} characters` } });
    const started = performance.now();
    for (const unit of ["[a-c[d-f]&&[^e]]", "(?:x|y)*", "\\Q.*\\E", "(?x) a # c\n", "[^\\w\\p{Punct}]{2}", "((a))"]) {
      translateJavaPattern(unit.repeat(Math.floor(MAX_PATTERN_LENGTH / unit.length)));
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("bundle build", () => {
  it("writes each pattern's translation into data.json, for a stock OPA agent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msq-authz-java-pattern-"));
    try {
      const grants = checkGrants({ roles: { r: { permissions: [{ resource: { name: "[[:alnum:]_]+", type: "DATASOURCE" }, action: "READ" }, { resource: { name: "wiki", type: "DATASOURCE" }, action: "READ" }] } } });
      await buildBundle({ output: join(dir, "bundle.tar.gz"), target: "rego", grants });
      const data = JSON.parse((await readBundleFiles(join(dir, "bundle.tar.gz"))).get("data.json")?.toString("utf8") ?? "{}") as Record<string, unknown>;
      expect(data.grant_patterns).toEqual({ "[[:alnum:]_]+": "[\\:_al-nu]+" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("generated patterns: msq-authz refuses what Java refuses, and matches what it translates as Java does", () => {
  it(`on ${runs.toLocaleString("en-US")} patterns`, async () => {
    const generated = fc.sample(javaPatterns, { numRuns: runs, seed });
    const answers = await Promise.all(generated.map(({ pattern, names }) => oracle.matches(pattern, names)));
    const disagreements: unknown[] = [];
    const counts = { patterns: generated.length, javaRefuses: 0, refusedToo: 0, refusedConstructs: new Map<string, number>(), translated: 0, pairs: 0 };
    /** Translated patterns with Java's answer per name, for the engines. */
    const translated: { pattern: string; names: string[]; java: boolean[] }[] = [];
    const fullMatch = fullMatchFunction();
    generated.forEach(({ pattern, names }, index) => {
      const java = answers[index] as Awaited<(typeof answers)[number]>;
      const ours = translateJavaPattern(pattern);
      if ("refused" in java) {
        counts.javaRefuses += 1;
        if ("re2" in ours) disagreements.push({ pattern, java: java.refused, re2: ours.re2 });
        else counts.refusedToo += 1;
        return;
      }
      if ("refusal" in ours) {
        // Allowed, with a construct named; never claiming a syntax error Java does not raise.
        if (ours.refusal.javaRefuses || ours.refusal.construct === "") disagreements.push({ pattern, names, ours });
        const construct = ours.refusal.construct.replace(/\(\\u[0-9A-F]+\)|\\p\{[^}]*\}|\\P\{[^}]*\}/gu, (s) => (s.startsWith("(") ? "" : s.slice(0, 2))).trim();
        counts.refusedConstructs.set(construct, (counts.refusedConstructs.get(construct) ?? 0) + 1);
        return;
      }
      if (java.matches.includes(null)) {
        disagreements.push({ pattern, names, why: "Java throws while matching a pattern msq-authz translates", re2: ours.re2 });
        return;
      }
      counts.translated += 1;
      counts.pairs += names.length;
      translated.push({ pattern, names, java: java.matches as boolean[] });
      names.forEach((name, i) => {
        if (fullMatch(name, pattern) !== java.matches[i]) disagreements.push({ pattern, re2: ours.re2, name, java: java.matches[i], engine: "RE2JS" });
      });
    });

    // A task list's filter matches its datasources with one alternation of the caller's patterns
    // (javaAnyFullMatcher): eight patterns at a time, it answers as the patterns do one by one.
    let alternated = 0;
    for (let start = 0; start < translated.length; start += 8) {
      const chunk = translated.slice(start, start + 8);
      const anyOf = javaAnyFullMatcher(chunk.map(({ pattern }) => pattern));
      for (const name of chunk.flatMap(({ names }) => names)) {
        alternated += 1;
        const each = chunk.some(({ pattern }) => fullMatch(name, pattern));
        if (anyOf(name) !== each) disagreements.push({ patterns: chunk.map(({ pattern }) => pattern), name, each, engine: "alternation" });
      }
    }

    // The decision points, through the real loading path (checkGrants, then the WASM data or the Casbin policy): one
    // user and role per pattern, a SELECT reading the name. Grants hold no empty pattern and requests no empty name.
    const bundle = await loadBundle();
    const decided = { wasm: 0, casbin: 0 };
    const batch = 400;
    const grantable = translated.filter(({ pattern }) => pattern !== "");
    for (let start = 0; start < grantable.length; start += batch) {
      const slice = grantable.slice(start, start + batch);
      const grants = {
        users: Object.fromEntries(slice.map((_, i) => [`u${i}`, { roles: [`r${i}`] }])),
        roles: Object.fromEntries(slice.map(({ pattern }, i) => [`r${i}`, { permissions: [{ resource: { name: pattern, type: "DATASOURCE" }, action: "READ" }] }])),
      };
      for (const engine of engines as BuiltinEngine[]) {
        const point = await createDecisionPoint({ bundle, grants, engine, decisionCacheEntries: 0 });
        for (const [i, { pattern, names, java }] of slice.entries()) {
          for (const [j, name] of names.entries()) {
            if (name === "") continue;
            const decision: Decision = await point.decide({
              identity: { authenticated: true, user: `u${i}` },
              operation: "sql.task.submit",
              statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name }] },
            });
            decided[engine] += 1;
            const expected = java[j] ? { allow: true, matched: [{ pattern }] } : { allow: false, matched: [] };
            if (decision.allow !== expected.allow || decision.matched.map((m) => m.pattern).join() !== expected.matched.map((m) => m.pattern).join()) {
              disagreements.push({ pattern, re2: re2Of(pattern), name, java: java[j], engine, decision });
            }
          }
        }
      }
    }

    // OPA's Go evaluator on the same Rego, with the translations a built bundle carries: empty names included.
    const dir = mkdtempSync(join(tmpdir(), "msq-authz-java-pattern-"));
    let goAnswers = 0;
    try {
      const tests = translated.flatMap(({ pattern, names }, i) => names.map((name, j) => [pattern, name, `${i}:${j}`]));
      writeFileSync(join(dir, "table.json"), JSON.stringify({ grant_patterns: Object.fromEntries(translated.map(({ pattern }) => [pattern, re2Of(pattern)])) }));
      writeFileSync(join(dir, "input.json"), JSON.stringify({ tests }));
      const output = execFileSync(
        join(root, ".tools/bin/opa"),
        ["eval", "--format", "json", "--ignore", "*_test.rego", "-d", join(root, "policies/rego/msq"), "-d", join(dir, "table.json"), "-i", join(dir, "input.json"),
          "matched := {t[2] | some t in input.tests; data.msq.grants.full_match(t[0], t[1])}"],
        { encoding: "utf8", maxBuffer: 1 << 28 },
      );
      const matched = new Set((JSON.parse(output) as { result: { bindings: { matched: string[] } }[] }).result[0]?.bindings.matched);
      translated.forEach(({ pattern, names, java }, i) =>
        names.forEach((name, j) => {
          goAnswers += 1;
          if (matched.has(`${i}:${j}`) !== java[j]) disagreements.push({ pattern, re2: re2Of(pattern), name, java: java[j], engine: "OPA Go" });
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const refused = [...counts.refusedConstructs].sort((a, b) => b[1] - a[1]).map(([construct, n]) => `${construct} ${n}`).join("; ");
    console.log(
      `java patterns: ${counts.patterns} generated; Java refuses ${counts.javaRefuses} (msq-authz refuses all ${counts.refusedToo}); ` +
        `msq-authz refuses ${counts.patterns - counts.javaRefuses - counts.translated} more that Java accepts (${refused}); ` +
        `${counts.translated} translated: ${counts.pairs} (pattern, name) pairs answered as Java does by RE2JS and OPA's Go evaluator, ` +
        `${decided.wasm} decided by the WASM decision point and ${decided.casbin} by Casbin, ${alternated} by alternations of eight; ` +
        `${disagreements.length} disagreements`,
    );
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(goAnswers).toBe(counts.pairs);
    if (runs >= 4_000) expect(counts.pairs).toBeGreaterThanOrEqual(10_000);
  }, 0);
});
