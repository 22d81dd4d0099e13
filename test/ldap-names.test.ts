// LDAP names and group mappings (policies/rego/msq/ldap/) against the real thing: the JDK's
// javax.naming.ldap.LdapName, and LDAPRoleProvider's mask and group logic restated over it
// (test/oracle/LdapNameOracle.java). Generated names (mixed-case types, escapes, hex pairs, quotes, multi-valued
// RDNs, spaces around separators, ';', non-ASCII, empty names, broken strings), masks and names derived from them
// (prefix, suffix, exact, re-cased and re-spaced, so that matches are common) and small group sets are answered by
// the JDK, by the Rego in OPA's Go evaluator (opa eval) and by the same Rego compiled to WASM (opa-wasm); both
// engines must give the same answers, and each must agree with the JDK except where the Rego refuses (a documented
// reason; a refusal never matches) or, for group sets, where it counts fewer roles than Druid would because two
// memberOf names are equal ignoring case but not RDN by RDN. LDAP_RUNS (default 6,000) cases, LDAP_SEED.
// Two exhaustive checks come first: every code point's case mapping (the Rego's tables against the JDK's), and
// every short sequence of hex-escaped bytes (Java's UTF-8 decoding of what is ill-formed).
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJavaOracle } from "./oracle/java-process.js";

// Not support.js's root: this file needs nothing of the decision point, so it stays free of its imports.
const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.env.LDAP_RUNS ?? 6_000);
const seed = Number(process.env.LDAP_SEED ?? 20260511);
const opa = join(root, ".tools/bin/opa");
const ldapRego = join(root, "policies/rego/msq/ldap");
const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------------
// Cases, and what the JDK and the Rego answer

type Case =
  | { op: "parse"; dn: string }
  | { op: "pair"; a: string; b: string }
  | { op: "mask"; mask: string; dn: string }
  | { op: "roles"; groups: string[]; filters: string[] | null; masks: string[] };

interface JavaAnswer {
  id: string;
  oracleError?: string;
  status?: string;
  rdns?: [string, string][][];
  a?: string;
  b?: string;
  equals?: boolean;
  startsWith?: boolean;
  endsWith?: boolean;
  compareZero?: boolean;
  result?: string;
  roles?: string[];
  throws?: string;
  cases?: [number, string, number][];
}

interface RegoAnswer {
  status?: string;
  rdns?: string[][] | null;
  reason?: string | null;
  a?: string;
  b?: string;
  equals?: boolean;
  startsWith?: boolean;
  endsWith?: boolean;
  sameInTree?: boolean;
  result?: string;
  roles?: string[];
  errors?: string[];
  reasons?: string[];
  shadowed?: boolean;
}

/** The reasons the Rego may refuse a name for (ldap.rego's package description says why). */
const refusals = new Set([
  "longer than 1024 characters",
  "more than 64 RDNs",
  "more than 64 attribute-value pairs",
  "a non-ASCII attribute type",
  "a non-ASCII character in a #hex value",
  "a non-ASCII character after a backslash",
  "a character whose case mapping is not certain",
]);

// ---------------------------------------------------------------------------------------------------------------
// The oracle process

/** Each field crosses as its UTF-16 code units, four hex digits each; a list joins its items with '.', each after '_'. */
const utf16 = (s: string): string => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i).toString(16).padStart(4, "0")).join("");
const list = (items: string[]): string => items.map((item) => `_${utf16(item)}`).join(".");

function oracleLine(id: number, c: Case): string {
  switch (c.op) {
    case "parse":
      return [id, "parse", utf16(c.dn)].join("\t");
    case "pair":
      return [id, "pair", utf16(c.a), utf16(c.b)].join("\t");
    case "mask":
      return [id, "mask", utf16(c.mask), utf16(c.dn)].join("\t");
    case "roles":
      return [id, "roles", list(c.groups), c.filters === null ? "-" : list(c.filters), list(c.masks)].join("\t");
  }
}

/** test/oracle/LdapNameOracle.java: a JSON line out per request line in. */
class LdapNameOracle {
  private readonly process = startJavaOracle({ name: "LdapNameOracle", jvm: ["--add-opens", "java.naming/javax.naming.ldap=ALL-UNNAMED"] });

  /** Every line of a batch is written at once; the answers come back in order. */
  ask(cases: Case[]): Promise<JavaAnswer[]> {
    return this.askAll(cases.map((c, i) => oracleLine(i, c)));
  }

  async askAll(requests: string[]): Promise<JavaAnswer[]> {
    const lines = await this.process.askAll(requests);
    return lines.map((line, i) => {
      const answer = JSON.parse(line) as JavaAnswer;
      if (answer.oracleError !== undefined) throw new Error(`oracle: ${answer.oracleError} (request ${i})`);
      return answer;
    });
  }

  close(): void {
    this.process.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Rego: a test-only entrypoint over data.msq.ldap, evaluated by opa eval and, compiled to WASM, by opa-wasm

const entrypoint = String.raw`package ldap_oracle

import data.msq.ldap
import data.msq.ldap.text

results := [_answer(c) | some c in input.cases]

_answer(c) := {"status": r.status, "rdns": object.get(r, "rdns", null), "reason": object.get(r, "reason", null)} if {
	c.op == "parse"
	r := ldap.parse_result(c.dn)
}

_answer(c) := {
	"a": ldap.parse_result(c.a).status, "b": ldap.parse_result(c.b).status,
	"equals": _equals(c.a, c.b), "startsWith": _starts(c.a, c.b), "endsWith": _ends(c.a, c.b),
	"sameInTree": _tree(ldap.parse_result(c.a), ldap.parse_result(c.b)),
} if c.op == "pair"

_answer(c) := {"result": ldap.mask_outcome(c.mask, c.dn)} if c.op == "mask"

_answer(c) := {"roles": sort(r.roles), "errors": sort([e.status | some e in r.errors]), "reasons": sort([e.reason | some e in r.errors]), "shadowed": _shadowed(c.groups)} if {
	c.op == "roles"
	mappings := {concat("", ["m", format_int(i, 10)]): {"groupPattern": m, "roles": [concat("", ["r", format_int(i, 10)])]} |
		some i, m in c.masks
	}
	r := ldap.group_resolution(c.groups, mappings, c.filters)
}

_equals(a, b) := true if ldap.names_equal(a, b) else := false

_starts(a, b) := true if ldap.starts_with(a, b) else := false

_ends(a, b) := true if ldap.ends_with(a, b) else := false

# What a TreeSet<LdapName> takes for one name (compareTo is 0): equal ignoring case as strings, or RDN by RDN.
_tree(a, b) := true if {
	a.status == "valid"
	b.status == "valid"
	a.fold == b.fold
} else := true if {
	a.status == "valid"
	b.status == "valid"
	a.rdns == b.rdns
} else := false

_shadowed(groups) := true if {
	some i, a in groups
	some j, b in groups
	i < j
	pa := ldap.parse_result(a)
	pb := ldap.parse_result(b)
	pa.status == "valid"
	pb.status == "valid"
	pa.fold == pb.fold
	pa.rdns != pb.rdns
} else := false

# Code points in runs: every mapping involved maps one code point at a time, so a run's answer is its code points'
# answers in a row. The value as Rdn compares it (null when refused) and the fold equalsIgnoreCase compares; for a
# refused run, the same per code point, with the engine's upper case after full_upper_case.
case_table := [_run(s) | some s in input.runs]

_run(s) := {"comparable": object.get(r, "comparable", null), "fold": lower(upper(s)), "chars": chars} if {
	r := text.comparable({"text": s})
	chars := [row |
		not r.comparable
		some c in _chars(s)
		row := [c, object.get(text.comparable({"text": c}), "comparable", null), lower(upper(c)), _upper(c)]
	]
}

_chars(s) := [c | some i in numbers.range(0, count(s) - 1); c := substring(s, i, 1)]

_upper(c) := upper(strings.replace_n(text.full_upper_case, c))
`;

let workDir: string;
let wasm: LoadedPolicy;

async function buildWasm(): Promise<LoadedPolicy> {
  const entry = join(workDir, "entry.rego");
  writeFileSync(entry, entrypoint);
  const bundle = join(workDir, "bundle.tar.gz");
  execFileSync(opa, [
    "build", "-t", "wasm", "--capabilities", join(root, "policies/capabilities.json"),
    "-e", "ldap_oracle/results", "-e", "ldap_oracle/case_table", "--ignore", "*_test.rego", "-o", bundle, entry, ldapRego,
  ]);
  execFileSync("tar", ["-xzf", bundle, "-C", workDir, "/policy.wasm"]);
  return loadPolicy(readFileSync(join(workDir, "policy.wasm")), { initial: 64, maximum: 16_384 });
}

/** OPA's Go evaluator over the whole batch, in one process. */
async function goEval<T>(query: string, input: unknown): Promise<T> {
  const entry = join(workDir, "entry.rego");
  const inputFile = join(workDir, "input.json");
  writeFileSync(inputFile, JSON.stringify(input));
  const { stdout } = await execFileAsync(opa, ["eval", "--format", "json", "--ignore", "*_test.rego", "-d", ldapRego, "-d", entry, "-i", inputFile, query], {
    maxBuffer: 1 << 30,
  });
  const output = JSON.parse(stdout) as { result?: { expressions: { value: T }[] }[] };
  const value = output.result?.[0]?.expressions[0]?.value;
  if (value === undefined) throw new Error(`opa eval ${query}: undefined`);
  return value;
}

/** opa-wasm in chunks: one evaluation's heap holds a chunk's work. */
function wasmEval<T>(entry: string, key: "cases" | "runs", items: unknown[], chunk: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += chunk) {
    const result = wasm.evaluate({ [key]: items.slice(i, i + chunk) }, entry) as { result: T[] }[];
    const value = result[0]?.result;
    if (value === undefined) throw new Error(`${entry}: undefined in WASM`);
    out.push(...value);
  }
  return out;
}

let oracle: LdapNameOracle;
/** msq.ldap.text's unsafe_case_pattern, as a JavaScript pattern. */
let unsafeCase: RegExp;

beforeAll(async () => {
  oracle = new LdapNameOracle();
  workDir = mkdtempSync(join(tmpdir(), "ldap-names-"));
  wasm = await buildWasm();
  const pattern = execFileSync(opa, ["eval", "--format", "raw", "--ignore", "*_test.rego", "-d", ldapRego, "data.msq.ldap.text.unsafe_case_pattern"], { encoding: "utf8" });
  unsafeCase = new RegExp(pattern.trim().replaceAll("\\x{", "\\u{"), "u");
}, 120_000);

afterAll(() => {
  oracle?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Generated names

/** A small deterministic generator for rendering choices, seeded by fast-check. */
type Rand = () => number;
function mulberry32(s: number): Rand {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const TYPES = ["cn", "ou", "dc", "uid", "o", "c", "l", "st", "objectGUID", "2.5.4.3", "0.9.2342.19200300.100.1.25", "c n", "x-y.z"];
const ODD_TYPES = ["ü", "ñame", "ᾳ", "€", "c_n", "c\u00a0n", "K"];
const WORDS = ["Analysts", "groups", "example", "com", "Druid Admins", "a", "B", "x1", "wiki-readers", "R&D", "a=b", "<x>", "kk", "Straße"];
const SPECIAL = [" ", ",", "+", ";", "\\", '"', "#", "=", "<", ">", "\r", "\t", "\n", "*", "'", "\u0000", "\u007f"];
const NON_ASCII = [
  "é", "É", "ß", "ẞ", "\u212a", "µ", "μ", "Μ", "ı", "İ", "ſ", "ǅ", "ﬁ", "ΐ", "ᾳ", "ᾼ", "Σ", "ς", "ǰ", "\u{10400}", "\u{10428}",
  "😀", "中", "ü", "ñ", "\ua7c8", "\ua7f6", "٣", "Ａ", "ａ", "€", "\ufffd", "\u0301", "\u00a0", "\u2028", "\ue000", "\uffff",
  "\u{20000}", "\u{1d400}", "\u{e0041}", "\u{10ffff}",
];
/** Letters whose case mapping the JDK and OPA's engines disagree on (ldap.rego refuses them). */
const UNSAFE_CASE = ["\ua7c7", "\u2c2f", "\u2c5f", "\u{10570}", "\u{10597}"];
const WS = ["", "", "", "", "", " ", "  ", "\r", " \r"];
const BROKEN_VALUES = [
  "\\", "\\z", "\\4", "\\4é", "\\é", "\\€", '"abc', '"a"b', '""', "\\4\\41", "\\gg", "\\٣٤", "\\4٣", "#abc", "#zz", "#٣٤", "#é1",
  "#12 x", '" "', '"\\20"', "\\20", "a\\20\\20", "\\ ", "\\\r",
];

type ValueSpec =
  | { kind: "text" | "quoted"; chars: string[] }
  | { kind: "binary"; bytes: number[] }
  | { kind: "raw"; raw: string };
interface PairSpec {
  type: string;
  value: ValueSpec;
  ws: string[];
}
interface DnSpec {
  rdns: PairSpec[][];
  seps: string[];
  trailing: string;
  seed: number;
  mutation: { at: number; kind: "insert" | "delete" | "cut"; char: string } | null;
}

/** unsafe: the weight of letters whose case mapping ldap.rego refuses, against 75 for the others. */
const charsArb = (unsafe: number): fc.Arbitrary<string[]> =>
  fc
  .array(
    fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...WORDS).map((w) => [...w]) },
      { weight: 15, arbitrary: fc.constantFrom(...SPECIAL).map((c) => [c]) },
      { weight: 15, arbitrary: fc.constantFrom(...NON_ASCII).map((c) => [c]) },
      { weight: unsafe, arbitrary: fc.constantFrom(...UNSAFE_CASE).map((c) => [c]) },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.flat());

const valueArb = (broken: number): fc.Arbitrary<ValueSpec> =>
  fc.oneof(
    { weight: 120, arbitrary: charsArb(broken > 1 ? 1 : 0).map((chars) => ({ kind: "text" as const, chars })) },
    // An empty quoted value throws in the JDK (StringIndexOutOfBoundsException): BROKEN_VALUES has it.
    { weight: 30, arbitrary: charsArb(broken > 1 ? 1 : 0).filter((chars) => chars.length > 0).map((chars) => ({ kind: "quoted" as const, chars })) },
    { weight: 20, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }).map((bytes) => ({ kind: "binary" as const, bytes })) },
    { weight: broken, arbitrary: fc.constantFrom(...BROKEN_VALUES).map((raw) => ({ kind: "raw" as const, raw })) },
  );

const pairArb = (broken: number): fc.Arbitrary<PairSpec> =>
  fc.record({
    type: fc.oneof({ weight: 150, arbitrary: fc.constantFrom(...TYPES) }, { weight: broken, arbitrary: fc.constantFrom(...ODD_TYPES) }),
    value: valueArb(broken),
    ws: fc.array(fc.constantFrom(...WS), { minLength: 4, maxLength: 4 }),
  });

const rdnArb = (broken: number): fc.Arbitrary<PairSpec[]> =>
  fc.oneof({ weight: 5, arbitrary: fc.array(pairArb(broken), { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(pairArb(broken), { minLength: 2, maxLength: 3 }) });

/** Now and then a character inserted or deleted, or the text cut short. */
const mutationArb = (broken: number): fc.Arbitrary<DnSpec["mutation"]> =>
  fc.oneof(
    { weight: 30, arbitrary: fc.constant(null) },
    {
      weight: broken,
      arbitrary: fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        kind: fc.constantFrom("insert" as const, "delete" as const, "cut" as const),
        char: fc.constantFrom(",", "+", ";", "=", "\\", '"', "#", " ", "\r", "a", "é", "*", "\u212a"),
      }),
    },
  );

/** broken: the weight of broken values, odd types and mutations (about 30 for mutations, 170 for values, 150 for
 * types stand for the well-formed). */
const dnArb = (broken: number): fc.Arbitrary<DnSpec> =>
  fc.record({
    rdns: fc.array(rdnArb(broken), { maxLength: 5 }),
    seps: fc.array(fc.constantFrom(",", ",", ",", ";"), { minLength: 5, maxLength: 5 }),
    trailing: fc.oneof({ weight: 30, arbitrary: fc.constant("") }, { weight: broken, arbitrary: fc.constantFrom(",", ";", "+") }),
    seed: fc.integer(),
    mutation: mutationArb(broken),
  });

const isAsciiAlnum = (c: string): boolean => /^[0-9A-Za-z]$/u.test(c);
const isAscii = (c: string): boolean => /^[\x00-\x7f]$/u.test(c);

function hexEscape(c: string, rand: Rand): string {
  return [...Buffer.from(c, "utf8")].map((byte) => {
    const hex = byte.toString(16).padStart(2, "0");
    return `\\${rand() < 0.5 ? hex : hex.toUpperCase()}`;
  }).join("");
}

function flipCase(s: string, rand: Rand, p: number): string {
  return [...s].map((c) => (/[a-z]/iu.test(c) && rand() < p ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join("");
}

/** A character of an unquoted value: escaped where it must be, otherwise as itself, '\'-escaped or as hex pairs. */
function textChar(c: string, first: boolean, last: boolean, rand: Rand): string {
  const blank = c === " " || c === "\r";
  const must = ",+;\\".includes(c) || (first && (c === "#" || c === '"' || blank)) || (last && blank);
  const r = rand();
  if (must) return r < 0.7 ? `\\${c}` : hexEscape(c, rand);
  if (r < 0.78) return c;
  if (r < 0.86 && isAscii(c) && !isAsciiAlnum(c)) return `\\${c}`;
  if (r < 0.97) return hexEscape(c, rand);
  if (!isAscii(c) && r > 0.99) return `\\${c}`; // the JDK reads it; the Rego refuses it
  return c;
}

function renderValue(value: ValueSpec, rand: Rand, vary: boolean): string {
  switch (value.kind) {
    case "raw":
      return value.raw;
    case "binary": {
      const hex = value.bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
      return `#${vary ? flipCase(hex, rand, 0.5) : hex}`;
    }
    case "text":
    case "quoted": {
      const chars = vary ? value.chars.map((c) => flipCase(c, rand, 0.3)) : value.chars;
      const quoted = vary && rand() < 0.15 ? value.kind === "text" : value.kind === "quoted";
      if (quoted) {
        const inner = chars.map((c) => (c === '"' || c === "\\" ? (rand() < 0.7 ? `\\${c}` : hexEscape(c, rand)) : rand() < 0.85 ? c : hexEscape(c, rand)));
        return `"${inner.join("")}"`;
      }
      return chars.map((c, i) => textChar(c, i === 0, i === chars.length - 1, rand)).join("");
    }
  }
}

function renderPair(pair: PairSpec, rand: Rand, vary: boolean): string {
  const type = vary ? flipCase(pair.type, rand, 0.4) : pair.type;
  const ws = vary ? pair.ws.map(() => pick(rand, WS)) : pair.ws;
  return `${ws[0] ?? ""}${type}${ws[1] ?? ""}=${ws[2] ?? ""}${renderValue(pair.value, rand, vary)}${ws[3] ?? ""}`;
}

function renderRdns(rdns: PairSpec[][], seps: string[], rand: Rand, vary: boolean): string {
  return rdns
    .map((rdn) => {
      const pairs = vary && rand() < 0.5 ? [...rdn].reverse() : rdn;
      return pairs.map((pair) => renderPair(pair, rand, vary)).join("+");
    })
    .map((text, i) => (i === 0 ? text : `${vary && rand() < 0.3 ? pick(rand, [",", ";"]) : seps[i - 1] ?? ","}${text}`))
    .join("");
}

function mutate(text: string, mutation: DnSpec["mutation"]): string {
  if (mutation === null) return text;
  const chars = [...text];
  const at = Math.floor(mutation.at * (chars.length + 1));
  if (mutation.kind === "insert") chars.splice(at, 0, mutation.char);
  else if (mutation.kind === "delete") chars.splice(at, 1);
  else chars.length = Math.min(at, chars.length);
  return chars.join("");
}

const renderDn = (spec: DnSpec): string =>
  mutate(`${renderRdns(spec.rdns, spec.seps, mulberry32(spec.seed), false)}${spec.rdns.length > 0 ? spec.trailing : ""}`, spec.mutation);

/** Another spelling of some of the name's RDNs: types and values re-cased, spaces and separators changed. */
interface Derivation {
  form: "exact" | "starts" | "ends";
  k: number;
  seed: number;
  vary: boolean;
  mutation: DnSpec["mutation"];
}

function derive(spec: DnSpec, d: Derivation): string {
  const n = spec.rdns.length;
  const k = d.k % (n + 1);
  const rdns = d.form === "exact" ? spec.rdns : d.form === "starts" ? spec.rdns.slice(n - k) : spec.rdns.slice(0, k);
  const seps = d.form === "starts" ? spec.seps.slice(n - k) : spec.seps;
  return mutate(renderRdns(rdns, seps, mulberry32(d.seed), d.vary), d.mutation);
}

const derivationArb = (broken: number): fc.Arbitrary<Derivation> =>
  fc.record({
    form: fc.constantFrom("exact" as const, "starts" as const, "ends" as const),
    k: fc.nat(6),
    seed: fc.integer(),
    vary: fc.boolean(),
    mutation: mutationArb(broken),
  });

const GARBAGE_MASKS = ["*", "*,*", ",*", "*,", "", " *,cn=a", "*, cn=a", "cn=a ,*", "*,,*", "cn=*", "*cn=a", "*,cn=a,*", "*;cn=a", "cn=a;*"];

/** A group mask for a name: "*," and a suffix of its RDNs, a prefix of them and ",*", another spelling, or none. */
const maskArb = (spec: DnSpec, broken: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 40, arbitrary: derivationArb(broken).map((d) => (d.form === "starts" ? `*,${derive(spec, d)}` : d.form === "ends" ? `${derive(spec, d)},*` : derive(spec, d))) },
    { weight: 4, arbitrary: dnArb(broken).map(renderDn) },
    { weight: broken, arbitrary: fc.constantFrom(...GARBAGE_MASKS) },
  );

const parseCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 20, arbitrary: dnArb(4).map((spec) => ({ op: "parse" as const, dn: renderDn(spec) })) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(",", "+", ";", "=", "\\", '"', "#", " ", "\r", "a", "0", "é", "\u212a"), maxLength: 12 }).map((dn) => ({ op: "parse" as const, dn })) },
);

const pairCase: fc.Arbitrary<Case> = dnArb(3).chain((spec) =>
  fc.oneof(
    { weight: 8, arbitrary: derivationArb(3).map((d) => ({ op: "pair" as const, a: renderDn(spec), b: derive(spec, d) })) },
    { weight: 1, arbitrary: dnArb(3).map((other) => ({ op: "pair" as const, a: renderDn(spec), b: renderDn(other) })) },
  ),
);

const maskCase: fc.Arbitrary<Case> = dnArb(3).chain((spec) => maskArb(spec, 3).map((mask) => ({ op: "mask" as const, mask, dn: renderDn(spec) })));

/** A user's groups: mostly well-formed, some sharing a subtree; masks and filters derived from them. */
const rolesCase: fc.Arbitrary<Case> = fc
  .record({ base: dnArb(0), groups: fc.array(fc.tuple(dnArb(1), fc.boolean()), { minLength: 1, maxLength: 5 }), twin: fc.nat(9) })
  .chain(({ base, groups, twin }) => {
    const specs = groups.map(([spec, inSubtree]) => (inSubtree ? { ...spec, rdns: [...spec.rdns.slice(0, 2), ...base.rdns], trailing: "" } : spec));
    const dns = specs.map(renderDn);
    // Names equal as strings ignoring case but not RDN by RDN: Druid's TreeSet keeps the first.
    if (twin === 0 && dns[0] !== undefined) dns.push(`${dns[0]}ß`, `${dns[0]}ẞ`);
    if (twin === 1 && dns[0] !== undefined) dns.push(`cn=\u212a${dns[0]}`, `cn=k${dns[0]}`);
    const mask = fc.oneof(...specs.map((spec) => maskArb(spec, 1)));
    return fc.record({
      op: fc.constant("roles" as const),
      groups: fc.constant(dns),
      filters: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.array(mask, { maxLength: 3 }) }),
      masks: fc.array(mask, { minLength: 1, maxLength: 5 }),
    });
  });

/** The examples the spec and LDAPRoleProvider's behaviour are described with, first in every run. */
const examples: Case[] = [
  { op: "pair", a: "CN=Analysts, OU=Groups, DC=example, DC=com", b: "cn=analysts,ou=groups,dc=example,dc=com" },
  { op: "mask", mask: "*,ou=groups,dc=example,dc=com", dn: "cn=analysts,ou=groups,dc=example,dc=com" },
  { op: "mask", mask: "*,OU=Groups, DC=Example;DC=COM", dn: "CN=x+UID=y,ou=groups,dc=example,dc=com" },
  { op: "mask", mask: "cn=analysts,ou=groups,*", dn: "cn=analysts,ou=groups,dc=example,dc=com" },
  { op: "mask", mask: "cn=analysts,*", dn: "cn=other,ou=groups,dc=example,dc=com" },
  { op: "mask", mask: "*,*", dn: "cn=x" },
  { op: "mask", mask: ",*", dn: "cn=x" },
  { op: "pair", a: String.raw`cn=Ana\6cysts,ou=groups`, b: 'CN="ANALYSTS" ; OU=GROUPS' },
  { op: "pair", a: String.raw`cn=\#12`, b: "cn=#12" },
  { op: "pair", a: "cn=a+ou=b", b: "OU=B + CN=A" },
  { op: "pair", a: "cn=\u212a", b: "cn=k" },
  { op: "pair", a: "cn=\u212a,dc=x", b: "cn=k, dc=x" },
  { op: "pair", a: "cn=ß", b: "cn=ẞ" },
  { op: "pair", a: "cn=ß,dc=x", b: "CN=SS, dc=x" },
  { op: "parse", dn: String.raw`cn=\e0\80\80\ed\a0\80\f0\9f\98` },
  { op: "parse", dn: String.raw`cn=a\20` },
  { op: "parse", dn: 'cn=" a  "' },
  { op: "parse", dn: 'cn=""' },
  { op: "parse", dn: "cn=a," },
  { op: "parse", dn: "cn=a+" },
  { op: "parse", dn: `cn=${"a".repeat(1030)}` },
  { op: "parse", dn: Array.from({ length: 65 }, () => "c=x").join(",") },
  { op: "parse", dn: Array.from({ length: 65 }, () => "c=x").join("+") },
  { op: "parse", dn: `${Array.from({ length: 64 }, () => "c=x").join(",")},` },
  { op: "roles", groups: ["cn=x,ou=g", "bad", "cn=y,ou=h"], filters: null, masks: ["*,ou=g", "cn=y,*"] },
  { op: "roles", groups: ["cn=x,ou=g", String.raw`cn=\zz`], filters: null, masks: ["*,ou=g"] },
  { op: "roles", groups: ["cn=x,ou=g"], filters: [], masks: ["*,ou=g"] },
  { op: "roles", groups: ["cn=x,ou=g"], filters: ["*,ou=g", "zzz"], masks: ["*,ou=g"] },
  { op: "roles", groups: ["cn=x,ou=g"], filters: ["cn=x,*", "*,ou=h", "*"], masks: ["*,ou=g"] },
  { op: "roles", groups: ["cn=\u212a", "cn=k"], filters: null, masks: ["cn=k"] },
  { op: "roles", groups: ["cn=\u212a,ou=g", "cn=k,ou=g"], filters: null, masks: ["cn=k, ou=g"] },
];

// ---------------------------------------------------------------------------------------------------------------
// Comparing

const byCodePoint = (a: string, b: string): number => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
};
const javaRdns = (rdns: [string, string][][]): string[][] => rdns.map((rdn) => rdn.map(([type, value]) => `${type.toLowerCase()}=${value}`).sort(byCodePoint));
const regoRdns = (rdns: string[][]): string[][] => rdns.map((rdn) => [...rdn].sort(byCodePoint));
/** JSON with object keys sorted: the engines build objects in different key orders. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
const javaStatus = (status: string | undefined): string => (status?.startsWith("error:") ? "error" : status ?? "?");

/** "agree", "refused: <why>" (documented), "fewer roles: ..." (documented) or "DISAGREE: <what>". */
function verdict(c: Case, java: JavaAnswer, rego: RegoAnswer): string {
  switch (c.op) {
    case "parse": {
      if (rego.status === "refused") {
        const reason = rego.reason ?? "";
        // Each reason checked apart from the Rego's own reading: a case-mapping refusal needs one of those code
        // points in the name or (through hex escapes) in the JDK's values, the others a character past ASCII.
        const known =
          reason === "longer than 1024 characters"
            ? [...c.dn].length > 1024
            : reason === "a character whose case mapping is not certain"
              ? unsafeCase.test(c.dn) || (java.status === "valid" && unsafeCase.test(JSON.stringify(java.rdns)))
              : reason.startsWith("more than") || (refusals.has(reason) && !/^[\x00-\x7f]*$/u.test(c.dn));
        return known ? `refused: ${reason} (JDK: ${javaStatus(java.status)})` : `DISAGREE: refused for ${reason}`;
      }
      if (rego.status !== javaStatus(java.status)) return `DISAGREE: ${rego.status ?? "?"} (${rego.reason ?? ""}) vs JDK ${java.status ?? "?"}`;
      if (rego.status === "valid" && JSON.stringify(regoRdns(rego.rdns ?? [])) !== JSON.stringify(javaRdns(java.rdns ?? []))) {
        return `DISAGREE: RDNs ${JSON.stringify(rego.rdns)} vs JDK ${JSON.stringify(java.rdns)}`;
      }
      return `agree: ${rego.status ?? ""}`;
    }
    case "pair": {
      if (rego.a === "refused" || rego.b === "refused") {
        return rego.equals || rego.startsWith || rego.endsWith ? "DISAGREE: a refused name matched" : "refused: a name";
      }
      if (rego.a !== javaStatus(java.a) || rego.b !== javaStatus(java.b)) return `DISAGREE: statuses ${rego.a ?? "?"}/${rego.b ?? "?"} vs JDK ${java.a ?? "?"}/${java.b ?? "?"}`;
      const fields = ["equals", "startsWith", "endsWith"] as const;
      const valid = java.a === "valid" && java.b === "valid";
      for (const field of fields) {
        if ((rego[field] ?? false) !== (valid && (java[field] ?? false))) return `DISAGREE: ${field}`;
      }
      if (valid && rego.sameInTree !== java.compareZero) return "DISAGREE: TreeSet duplicate (compareTo == 0)";
      return `agree: ${valid ? fields.filter((field) => rego[field]).join(", ") || "no relation" : "not both valid"}`;
    }
    case "mask": {
      const expected = { match: "match", nomatch: "nomatch", throws: "druid_error", "dn-invalid": "dn_invalid" } as Record<string, string>;
      const javaResult = java.result?.startsWith("dn-error") ? "dn_error" : expected[java.result ?? ""] ?? "?";
      if (rego.result === "refused") return "refused: the name or the mask";
      return rego.result === javaResult ? `agree: ${javaResult}` : `DISAGREE: ${rego.result ?? "?"} vs JDK ${java.result ?? "?"}`;
    }
    case "roles": {
      const errors = rego.errors ?? [];
      if (errors.includes("error")) return java.throws !== undefined ? "agree: Druid fails" : `DISAGREE: Druid error, but the JDK gives ${JSON.stringify(java.roles)}`;
      if (errors.length > 0) return `refused: ${(rego.reasons ?? []).filter((r) => refusals.has(r.replace(/^group(Filter|Pattern): /u, "")))[0] ?? rego.reasons?.[0] ?? "?"} (JDK: ${java.throws ?? "roles"})`;
      if (java.throws !== undefined) return `DISAGREE: roles ${JSON.stringify(rego.roles)}, but the JDK throws ${java.throws}`;
      const regoRoles = JSON.stringify(rego.roles ?? []);
      if (regoRoles === JSON.stringify(java.roles ?? [])) return `agree: ${(java.roles ?? []).length > 0 ? "some roles" : "no roles"}`;
      const fewer = (rego.roles ?? []).every((role) => (java.roles ?? []).includes(role));
      return rego.shadowed === true && fewer ? "fewer roles: names equal ignoring case, not RDN by RDN" : `DISAGREE: roles ${regoRoles} vs JDK ${JSON.stringify(java.roles)}`;
    }
  }
}

function tally(label: string, cases: Case[], verdicts: string[]): void {
  const counts = new Map<string, number>();
  cases.forEach((c, i) => {
    const v = verdicts[i] ?? "?";
    const key = `${c.op} ${v.startsWith("DISAGREE") ? "DISAGREE" : v}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  console.log(`${label}:\n${[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `  ${String(n).padStart(6)}  ${key}`).join("\n")}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The tests

describe("LDAP names against the JDK (test/oracle/LdapNameOracle.java)", () => {
  it("case-maps every code point as the JDK does, outside unsafe_case_pattern, and each one inside it needs to be there", async () => {
    const [java] = await oracle.askAll(["0\tcase\t0\t1114112"]);
    const javaCases = new Map((java?.cases ?? []).map(([cp, upper, fold]) => [cp, { upper, fold: String.fromCodePoint(fold) }]));
    // Runs of 256 code points (surrogates left out).
    const runs: string[][] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp % 256 === 0 || runs.length === 0) runs.push([]);
      runs[runs.length - 1]?.push(String.fromCodePoint(cp));
    }
    const expected = (c: string) => javaCases.get(c.codePointAt(0) ?? -1) ?? { upper: c, fold: c };
    interface Run {
      comparable: string | null;
      fold: string;
      chars: [string, string | null, string, string][];
    }
    const input = { runs: runs.map((run) => run.join("")) };
    const engines: [string, Run[]][] = [
      ["go", await goEval<Run[]>("data.ldap_oracle.case_table", input)],
      ["wasm", wasmEval<Run>("ldap_oracle/case_table", "runs", input.runs, 512)],
    ];
    const wrong: string[] = [];
    const refused = new Map<number, boolean>();
    for (const [engine, answers] of engines) {
      runs.forEach((run, i) => {
        const answer = answers[i];
        const upper = run.map((c) => expected(c).upper).join("");
        const fold = run.map((c) => expected(c).fold).join("");
        if (answer === undefined) wrong.push(`${engine}: run ${i} missing`);
        else if (answer.comparable !== null) {
          if (answer.comparable !== upper || answer.fold !== fold) wrong.push(`${engine}: run at U+${(run[0]?.codePointAt(0) ?? 0).toString(16)}`);
        } else {
          for (const [c, comparable, charFold, charUpper] of answer.chars) {
            const cp = c.codePointAt(0) ?? -1;
            const want = expected(c);
            if (comparable === null) {
              // Refused: only if this engine or the other disagrees with the JDK on this code point.
              refused.set(cp, (refused.get(cp) ?? false) || charUpper !== want.upper || charFold !== want.fold);
            } else if (comparable !== want.upper || charFold !== want.fold) {
              wrong.push(`${engine} U+${cp.toString(16)}: ${JSON.stringify([comparable, charFold])} vs JDK ${JSON.stringify([want.upper, want.fold])}`);
            }
          }
        }
      });
    }
    const needless = [...refused].filter(([, needed]) => !needed).map(([cp]) => `U+${cp.toString(16)}`);
    console.log(`ldap case table: ${runs.flat().length} code points, ${javaCases.size} mapped by the JDK, ${refused.size} refused`);
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(needless).toEqual([]);
    expect(refused.size).toBeGreaterThan(0);
  }, 300_000);

  // Hex-escaped bytes are UTF-8 to Rdn.unescapeValue, decoded with U+FFFD for what is ill-formed, as Java 17's
  // decoder groups bytes (not quite the Unicode standard's way): every sequence of up to three bytes from the
  // bytes that matter to a decoder, and longer random ones.
  it("decodes hex-escaped bytes as Java 17's UTF-8 decoder does", async () => {
    const bytes = [0x00, 0x20, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xff];
    const sequences: number[][] = bytes.map((b) => [b]);
    for (let length = 2; length <= 3; length++) {
      for (const prefix of sequences.filter((seq) => seq.length === length - 1)) sequences.push(...bytes.map((b) => [...prefix, b]));
    }
    sequences.push(...fc.sample(fc.array(fc.constantFrom(...bytes), { minLength: 4, maxLength: 7 }), { numRuns: 1_000, seed }));
    const hex = (b: number, i: number) => `\\${b.toString(16).padStart(2, "0")[i % 2 === 0 ? "toLowerCase" : "toUpperCase"]()}`;
    const cases = sequences.map((seq) => ({ op: "parse" as const, dn: `cn=${seq.map(hex).join("")},o=x` }));
    const java = await oracle.ask(cases);
    const go = (await goEval<{ results: RegoAnswer[] }>("data.ldap_oracle", { cases })).results;
    const wasmAnswers = wasmEval<RegoAnswer>("ldap_oracle/results", "cases", cases, 500);
    const wrong = cases.flatMap((c, i) =>
      [["go", go[i]], ["wasm", wasmAnswers[i]]].flatMap(([engine, answer]) => {
        const v = verdict(c, java[i] ?? { id: "?" }, (answer ?? {}) as RegoAnswer);
        return v.startsWith("agree") ? [] : [{ engine, dn: c.dn, verdict: v }];
      }),
    );
    console.log(`ldap UTF-8: ${cases.length} byte sequences`);
    expect(wrong.slice(0, 10)).toEqual([]);
  }, 300_000);

  it(`answers ${runs} generated names, masks and group sets as the JDK does, in OPA's Go evaluator and in WASM`, async () => {
    const share = (part: number) => Math.max(1, Math.round(runs * part));
    const generated = [
      ...fc.sample(parseCase, { numRuns: share(0.3), seed }),
      ...fc.sample(pairCase, { numRuns: share(0.25), seed: seed + 1 }),
      ...fc.sample(maskCase, { numRuns: share(0.35), seed: seed + 2 }),
      ...fc.sample(rolesCase, { numRuns: share(0.1), seed: seed + 3 }),
    ];
    const cases = [...examples, ...generated];
    console.log(`ldap names: ${cases.length} cases (${examples.length} examples, ${generated.length} generated, seed ${seed})`);

    const java = await oracle.ask(cases);
    const go = (await goEval<{ results: RegoAnswer[] }>("data.ldap_oracle", { cases })).results;
    const wasmAnswers = wasmEval<RegoAnswer>("ldap_oracle/results", "cases", cases, 200);

    // The two engines agree with each other on every case, field for field.
    const engineDiffs = cases.flatMap((c, i) => (canonical(go[i]) === canonical(wasmAnswers[i]) ? [] : [{ case: c, go: go[i], wasm: wasmAnswers[i] }]));
    expect(engineDiffs.slice(0, 5)).toEqual([]);

    const disagreements: unknown[] = [];
    for (const [label, answers] of [["go", go], ["wasm", wasmAnswers]] as const) {
      const verdicts = cases.map((c, i) => verdict(c, java[i] ?? { id: "?" }, answers[i] ?? {}));
      tally(`ldap names, ${label} vs the JDK`, cases, verdicts);
      cases.forEach((c, i) => {
        if ((verdicts[i] ?? "").startsWith("DISAGREE")) disagreements.push({ engine: label, case: c, verdict: verdicts[i], java: java[i], rego: answers[i] });
      });
    }
    if (disagreements.length > 0) console.log(JSON.stringify(disagreements.slice(0, 12), null, 1));
    expect(disagreements.length).toBe(0);
  }, 600_000);
});
