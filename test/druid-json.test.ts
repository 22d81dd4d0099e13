// The Druid JSON reader (src/json/druid-json.ts): unit tests of what it reads and refuses, then a differential test
// against the real thing, Debian's Jackson configured as Druid's DefaultObjectMapper (test/oracle/JacksonOracle.java):
// generated input-source texts, read by the reader, by JSON.parse and by Jackson (from a string, and from UTF-8
// bytes). Whenever the reader accepts a text, Jackson reads it too, and binds exactly the types msq-authz reads from
// the reader's value (or refuses the unknown one); whenever Jackson and JSON.parse read different types, or Jackson
// binds a text JSON.parse refuses, the reader refuses. DRUID_JSON_RUNS (default 5,000) documents, 200,000 in
// `make fuzz`; DRUID_JSON_SEED picks another seed; DRUID_JSON_DEBUG=1 prints an example of each Jackson exception.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDruidJson, readDruidJsonBytes, type DruidJsonResult } from "../src/json/druid-json.js";
import { startJavaOracle } from "./oracle/java-process.js";

const runs = Number(process.env.DRUID_JSON_RUNS ?? 5_000);
const seed = Number(process.env.DRUID_JSON_SEED ?? 20260307);

// ---------------------------------------------------------------------------------------------------------------
// The oracle process

const jars = ["jackson-databind", "jackson-core", "jackson-annotations"].map((name) => `/usr/share/java/${name}.jar`);

type Answer = { ok: true; types: string[] } | { ok: false; exception: string; message: string };

/** test/oracle/JacksonOracle.java: a line out per document in. */
class JacksonOracle {
  private readonly process = startJavaOracle({ name: "JacksonOracle", jars });

  /** Jackson's readValue(String): how Druid reads EXTERN's input-source JSON, a string inside the SQL. */
  ask(text: string): Promise<Answer> {
    return this.send(`S${Buffer.from(text, "utf16le").toString("base64")}`);
  }

  /** Jackson's readValue(byte[]): how Druid reads a request body. */
  askBytes(bytes: Uint8Array): Promise<Answer> {
    return this.send(`B${Buffer.from(bytes).toString("base64")}`);
  }

  private async send(line: string): Promise<Answer> {
    const [status, first = "", message = ""] = (await this.process.ask(line)).split("\t");
    return status === "OK" ? { ok: true, types: first === "" ? [] : first.split(",") } : { ok: false, exception: first, message };
  }

  close(): void {
    this.process.close();
  }
}

let running: JacksonOracle | undefined;

/** Started by the describes that need it, after the speed test, so no JVM shares the CPU with the measurement. */
function useOracle(): JacksonOracle {
  running ??= new JacksonOracle();
  return running;
}

afterAll(() => running?.close());

// ---------------------------------------------------------------------------------------------------------------
// Reading an input source's types the way msq-authz's JavaScript does (src/sql/input-source.ts): from a value.

const KNOWN = ["inline", "http", "local", "s3", "google", "azure", "hdfs", "druid", "sql", "combining"];

/** Depth-first types of an input-source value, or undefined where msq-authz refuses it (not an object, no type...). */
function jsTypes(spec: unknown, depth = 0): string[] | undefined {
  if (depth > 32 || typeof spec !== "object" || spec === null || Array.isArray(spec)) return undefined;
  const { type, delegates } = spec as { type?: unknown; delegates?: unknown };
  if (typeof type !== "string" || type === "") return undefined;
  if (type !== "combining") return [type];
  if (!Array.isArray(delegates) || delegates.length === 0) return undefined;
  const inner = delegates.map((delegate) => jsTypes(delegate, depth + 1));
  return inner.every((types) => types !== undefined) ? [type, ...inner.flat()] : undefined;
}

function parse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The same JSON value: same own keys in the same order, Object.is on scalars, plain prototypes. (toStrictEqual
 * would compare an own "constructor" key as if it were the class.)
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  const others = Object.keys(b);
  if (keys.length !== others.length || keys.some((key, k) => key !== others[k])) return false;
  return keys.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

const valueOf = (result: DruidJsonResult): unknown => ("value" in result ? result.value : expect.fail(`refused: ${result.error.message}`));
const errorOf = (result: DruidJsonResult) => ("error" in result ? result.error : expect.fail(`accepted: ${JSON.stringify(result.value)}`));

// ---------------------------------------------------------------------------------------------------------------
// (a) The reader on its own

describe("readDruidJson reads valid JSON as JSON.parse does", () => {
  const manyKeys = `{${Array.from({ length: 40 }, (_, k) => `"k${k}":${k}`).join(",")}}`;
  const corpus: [string, string][] = [
    ["scalars", `[0,-0,1,-1,0.5,-0.0,1e3,1E3,1e+3,1e-3,1E-3,true,false,null,""]`],
    ["extreme numbers", `[1e400,-1e400,1e-400,-1e-400,5e-324,1.7976931348623157e308,2.2250738585072011e-308,123456789012345678901234567890,0.1e1,100e-2,9007199254740993]`],
    ["escapes", String.raw`["\"\\\/\b\f\n\r\t","\u0000\u001f\u007F\u00e9\u00E9","\ud83d\ude00","\u2028\u2029"]`],
    ["lone surrogates from escapes", String.raw`["\ud800","\udfff","\udc00\ud800","a\ud800b",{"\ud800":1}]`],
    ["raw non-ASCII, DEL, line separators and a raw lone surrogate", `["é😀\u007f\u2028\u2029","\ud800",{"\udfff":"\udc00"}]`],
    ["whitespace everywhere", ` \t\r\n{ \t\r\n"a" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n} \t\r\n`],
    ["empty containers", `{"a":{},"b":[],"c":[{},[],[[]]],"":{"":""}}`],
    ["keys that look alike but differ", String.raw`{"type":1,"Type":2,"type ":3,"typ":4,"type\u0000":5,"\u0074yp\u0065s":6}`],
    ["__proto__ and friends as own keys", `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"hasOwnProperty":1}`],
    ["the same key in different objects", `{"type":"combining","delegates":[{"type":"http"},{"type":"http"}],"x":{"type":"http"}}`],
    ["more keys than the small-object scan", manyKeys],
    ["a long string with more escapes than one regex run takes", JSON.stringify("a\n\"\u0001é".repeat(2000))],
    ["top-level scalars", `"just a string"`],
    ["nesting at the bound (64)", `${"[".repeat(63)}{}${"]".repeat(63)}`],
  ];

  it.each(corpus)("%s", (_, text) => {
    const value = valueOf(readDruidJson(text));
    expect(sameJson(value, JSON.parse(text))).toBe(true);
  });

  it("keeps __proto__ an own property and sets no prototype", () => {
    const value = valueOf(readDruidJson(`{"__proto__":{"polluted":true},"a":{"__proto__":null}}`)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype);
  });

  it("keeps -0 and the exact doubles JSON.parse makes", () => {
    expect(Object.is(valueOf(readDruidJson("-0")), -0)).toBe(true);
    expect(valueOf(readDruidJson("[0.1, 1e400, 9007199254740993]"))).toStrictEqual([0.1, Infinity, 9007199254740992]);
  });

  it("takes a nesting bound", () => {
    expect(valueOf(readDruidJson("[[1]]", { maxDepth: 2 }))).toEqual([[1]]);
    expect(errorOf(readDruidJson("[[1]]", { maxDepth: 1 })).message).toBe("/0: nesting deeper than 1 levels");
    expect(valueOf(readDruidJson("1", { maxDepth: 0 }))).toBe(1);
    expect(() => readDruidJson("1", { maxDepth: Number.NaN })).toThrow(RangeError);
  });
});

describe("readDruidJson refuses, naming where", () => {
  // [text, message, pointer, offset]
  const refusals: [string, string, string, number][] = [
    [`{"type":"http","uris":["https://example.com/x"],"type":"inline","data":"x"}`, `/type: duplicate key "type"`, "/type", 48],
    [String.raw`{"type":"http","typ\u0065":"inline"}`, `/type: duplicate key "type"`, "/type", 15],
    [String.raw`{"\u0074ype":"http","t\u0079p\u0065":"inline"}`, `/type: duplicate key "type"`, "/type", 20],
    [`{"type":"combining","delegates":[{"type":"inline"},{"type":"local","type":"http"}]}`, `/delegates/1/type: duplicate key "type"`, "/delegates/1/type", 67],
    [`{"type":"inline","data":"a","uris":[],"data":"b"}`, `/data: duplicate key "data"`, "/data", 38],
    [`{"a/b~c":{"":1,"":2}}`, `/a~1b~0c/: duplicate key ""`, "/a~1b~0c/", 15],
    [`{"__proto__":1,"__proto__":2}`, `/__proto__: duplicate key "__proto__"`, "/__proto__", 15],
    [manyKeysWith("k3"), `/k3: duplicate key "k3"`, "/k3", manyKeysWith("k3").lastIndexOf('"k3"')],
    [String.raw`{"\ud800\udc00":1,"𐀀":2}`, `/𐀀: duplicate key "𐀀"`, "/𐀀", 18],
    [String.raw`{"\u00C9":1,"É":2}`, `/É: duplicate key "É"`, "/É", 12],
    [String.raw`{"\/":1,"/":2}`, `/~1: duplicate key "/"`, "/~1", 8],
    [String.raw`{"\\":1,"\u005c":2}`, String.raw`/\: duplicate key "\\"`, "/\\", 8],
    [String.raw`{"a\"b":1,"a\u0022b":2}`, String.raw`/a"b: duplicate key "a\"b"`, '/a"b', 10],
    [String.raw`{"\ud800":1,"\uD800":2}`, String.raw`/\ud800: duplicate key "\ud800"`, "/\ud800", 12],
    [`{"x":[{"a\\n":1,"a\\u000a":2}]}`, String.raw`/x/0/a\u000a: duplicate key "a\n"`, "/x/0/a\n", 15],
    [`${"[".repeat(65)}${"]".repeat(65)}`, `/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: nesting deeper than 64 levels`, "/0".repeat(64), 64],
    [`{"type":"inline"} {"type":"http"}`, `content after the JSON value at offset 18 (Druid's Jackson ignores it and reads only the first value; refused so both read the same document)`, "", 18],
    [`{"type":"inline"}x`, `content after the JSON value at offset 17 (Druid's Jackson ignores it and reads only the first value; refused so both read the same document)`, "", 17],
    [``, `empty document at offset 0`, "", 0],
    [` \n\t`, `empty document at offset 3`, "", 3],
    [`\ufeff{}`, `unexpected character "\ufeff", expected a value at offset 0`, "", 0],
    [`{"a":1,}`, `unexpected character "}", expected a string key at offset 7`, "", 7],
    [`[1,]`, `/1: unexpected character "]", expected a value at offset 3`, "/1", 3],
    [`{'a':1}`, `unexpected character "'", expected a string key at offset 1`, "", 1],
    [`{a:1}`, `unexpected character "a", expected a string key at offset 1`, "", 1],
    [`{"a" 1}`, `/a: unexpected character "1", expected ":" at offset 5`, "/a", 5],
    [`{"a":1 "b":2}`, `/a: unexpected character "\\"", expected "," or "}" at offset 7`, "/a", 7],
    [`{"a":[1 2]}`, `/a/0: unexpected character "2", expected "," or "]" at offset 8`, "/a/0", 8],
    [`{"a":01}`, `/a: leading zero in number "01" at offset 5`, "/a", 5],
    [`{"a":-01}`, `/a: leading zero in number "-01" at offset 5`, "/a", 5],
    [`[+1]`, `/0: unexpected character "+", expected a value at offset 1`, "/0", 1],
    [`[.5]`, `/0: unexpected character ".", expected a value at offset 1`, "/0", 1],
    [`[1.]`, `/0: invalid number "1." at offset 1`, "/0", 1],
    [`[1e]`, `/0: invalid number "1e" at offset 1`, "/0", 1],
    [`[-]`, `/0: invalid number "-" at offset 1`, "/0", 1],
    [`[0x10]`, `/0: unexpected character "x", expected "," or "]" at offset 2`, "/0", 2],
    [`[NaN]`, `/0: unexpected character "N", expected a value at offset 1`, "/0", 1],
    [`[-Infinity]`, `/0: invalid number "-Infinity" at offset 1`, "/0", 1],
    [`[tru]`, `/0: unexpected character "t", expected a value at offset 1`, "/0", 1],
    [`["a\\x"]`, `/0: invalid escape "\\\\x" in string at offset 3`, "/0", 3],
    [`["\\u12G4"]`, `/0: invalid \\u escape in string: "\\\\u12G4" at offset 2`, "/0", 2],
    [`["\\'"]`, `/0: invalid escape "\\\\'" in string at offset 2`, "/0", 2],
    [`["a\tb"]`, `/0: control character U+0009 in string (must be escaped) at offset 3`, "/0", 3],
    [`{"k\u0000":1}`, `control character U+0000 in string (must be escaped) at offset 3`, "", 3],
    [`["abc`, `/0: unterminated string at offset 1`, "/0", 1],
    [`["abc\\`, `/0: unterminated string at offset 1`, "/0", 1],
    [`{"a":[1,{"b":`, `/a/1/b: unexpected end of input, expected a value at offset 13`, "/a/1/b", 13],
    [`[1\u00a0]`, `/0: unexpected character "\u00a0", expected "," or "]" at offset 2`, "/0", 2],
    [`[1\f]`, `/0: unexpected character "\\f", expected "," or "]" at offset 2`, "/0", 2],
    [`/* c */{}`, `unexpected character "/", expected a value at offset 0`, "", 0],
    [`{"x":1}// c`, `content after the JSON value at offset 7 (Druid's Jackson ignores it and reads only the first value; refused so both read the same document)`, "", 7],
  ];

  // Duplicates, depth and trailing content are JSON Jackson reads (refused as ambiguous); the rest is not JSON.
  const ambiguous = /duplicate key|nesting deeper|content after/u;

  it.each(refusals)("%j", (text, message, pointer, offset) => {
    const kind = ambiguous.test(message) ? "ambiguous" : "invalid";
    expect(errorOf(readDruidJson(text))).toEqual({ message, pointer, offset, kind });
  });

  it("keeps messages printable and short whatever the key", () => {
    const key = `\u0000\u001b[31m\u2028\ud800${"x".repeat(1000)}`;
    const { message, pointer } = errorOf(readDruidJson(`{"a":{${JSON.stringify(key)}:1,${JSON.stringify(key)}:2}}`));
    expect(pointer).toBe(`/a/${key}`);
    expect(message).not.toMatch(/[\u0000-\u001f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])/u);
    expect(message.length).toBeLessThan(400);
  });

  it("never throws on cut or corrupted text", () => {
    const text = `{"type":"combining","delegates":[{"type":"http","uris":["https://x/\\u00e9"]},{"type":"inline","data":"a\\nb"}],"n":-1.5e-3}`;
    for (let cut = 0; cut < text.length; cut++) {
      const result = readDruidJson(text.slice(0, cut));
      expect("error" in result).toBe(true);
    }
    for (let at = 0; at < text.length; at++) {
      for (const insert of ["\u0000", "\\", '"', "}", ",", "\ud800"]) {
        const corrupted = text.slice(0, at) + insert + text.slice(at);
        const result = readDruidJson(corrupted);
        const parsed = parse(corrupted);
        // Accepted: JSON.parse's value. Refused: JSON.parse refuses too, or a key is now duplicated.
        if ("value" in result) expect(sameJson(result.value, parsed?.value)).toBe(true);
        else if (parsed !== undefined) expect(result.error.message).toMatch(/duplicate key/u);
      }
    }
  });
});

/** An object past the small-object scan, whose last key repeats one of the first. */
function manyKeysWith(duplicate: string): string {
  return `{${Array.from({ length: 20 }, (_, k) => `"k${k}":${k}`).join(",")},"${duplicate}":0}`;
}

describe("readDruidJsonBytes reads a body as Druid does", () => {
  it("decodes UTF-8, skipping a BOM as Jackson does", () => {
    const body = Buffer.from(`\ufeff{"type":"inline","data":"é😀"}`, "utf8");
    expect(valueOf(readDruidJsonBytes(body))).toEqual({ type: "inline", data: "é😀" });
  });

  it.each([
    ["an overlong 't' (C1 B4)", [0xc1, 0xb4]],
    ["a three-byte overlong 't' (E0 81 B4)", [0xe0, 0x81, 0xb4]],
    ["a UTF-8-encoded surrogate (ED A0 80)", [0xed, 0xa0, 0x80]],
    ["a code point past U+10FFFF (F4 90 80 80)", [0xf4, 0x90, 0x80, 0x80]],
    ["a lone continuation byte", [0x80]],
  ])("refuses %s", (_, bad) => {
    const body = Buffer.concat([Buffer.from(`{"`), Buffer.from(bad), Buffer.from(`ype":"http","type":"inline"}`)]);
    expect(errorOf(readDruidJsonBytes(body)).message).toMatch(/^not well-formed UTF-8/u);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Speed: linear, and within a few times JSON.parse (the figures are printed; the bound only catches a blow-up)

describe("speed", () => {
  const MiB = 1 << 20;

  function sqlBody(): string {
    const line = `SELECT "page", COUNT(*) AS "edits" FROM TABLE(EXTERN('{"type":"http","uris":["https://example.com/wiki.json"]}', '{"type":"json"}')) WHERE "channel" = '#en.wikipedia'\n`;
    let sql = "";
    while (sql.length < MiB - 1000) sql += line;
    return JSON.stringify({ http: { method: "POST", path: "/druid/v2/sql/task" }, body: { query: sql, context: { maxNumTasks: 4 }, parameters: [] } });
  }

  function taskBody(): string {
    const dimensions: unknown[] = [];
    let size = 0;
    for (let k = 0; size < MiB - 200; k++) {
      const dimension = { name: `dim_${k}`, type: k % 3 ? "string" : "long", multiValueHandling: "SORTED_ARRAY", createBitmapIndex: true, weight: k * 1.25e-3, tags: ["a", "bé", k] };
      size += JSON.stringify(dimension).length + 1;
      dimensions.push(dimension);
    }
    return JSON.stringify({ type: "index_parallel", spec: { dataSchema: { dataSource: "wiki", dimensionsSpec: { dimensions } } } });
  }

  const inputSource = JSON.stringify({
    type: "combining",
    delegates: [
      { type: "http", uris: ["https://example.com/data/wikipedia-2016-06-27-sampled.json"], httpAuthenticationUsername: "druid" },
      { type: "inline", data: '{"page":"Main","edits":1}\n{"page":"Talk","edits":2}\n' },
      { type: "s3", prefixes: ["s3://bucket/prefix/"] },
    ],
  });

  const hostile: [string, string][] = [
    ["1 MiB of escapes in one string", JSON.stringify("\n".repeat(MiB / 2))],
    ["one object with 100,000 keys", `{${Array.from({ length: 100_000 }, (_, k) => `"${k * 1024}":0`).join(",")}}`],
    ["1 MiB of 64-deep nesting", `[${Array.from({ length: MiB / 130 }, () => `${"[".repeat(63)}${"]".repeat(63)}`).join(",")}]`],
    ["1 MiB of escaped keys", `[${Array.from({ length: MiB / 40 }, (_, k) => String.raw`{"\u0074ype":${k},"t\u0079pe2":1}`).join(",")}]`],
  ];

  /**
   * Microseconds per call, the best of `iterations` (on a shared machine the least disturbed run is the closest to
   * the cost; a median there measures the neighbours), interleaving the two readers so both see the same machine.
   */
  function measure(text: string, iterations: number): { parse: number; reader: number } {
    // Warm up until both are optimized (a 1 MiB text takes few calls, each scanning few strings).
    for (let k = 0; k < Math.max(10, iterations / 4); k++) {
      JSON.parse(text);
      readDruidJson(text);
    }
    const batch = text.length < 10_000 ? 1_000 : 1;
    const best = { parse: Infinity, reader: Infinity };
    for (let k = 0; k < iterations; k++) {
      let start = process.hrtime.bigint();
      for (let b = 0; b < batch; b++) JSON.parse(text);
      best.parse = Math.min(best.parse, Number(process.hrtime.bigint() - start) / 1e3 / batch);
      start = process.hrtime.bigint();
      for (let b = 0; b < batch; b++) readDruidJson(text);
      best.reader = Math.min(best.reader, Number(process.hrtime.bigint() - start) / 1e3 / batch);
    }
    return best;
  }

  it("reads request bodies and input sources within a few times JSON.parse", () => {
    const cases: [string, string, number][] = [
      ["1 MiB SQL request body", sqlBody(), 40],
      ["1 MiB task payload (many small objects)", taskBody(), 20],
      [`${inputSource.length}-byte input source`, inputSource, 40],
      ...hostile.map(([name, text]): [string, string, number] => [name, text, 10]),
    ];
    const lines: string[] = [];
    for (const [name, text, iterations] of cases) {
      expect("value" in readDruidJson(text), name).toBe(true);
      const { parse: p, reader: r } = measure(text, iterations);
      lines.push(`  ${name} (${text.length.toLocaleString("en")} chars): JSON.parse ${p.toFixed(1)} µs, readDruidJson ${r.toFixed(1)} µs (${(r / p).toFixed(2)}x)`);
      expect(r, name).toBeLessThan(10 * p + 2_000);
    }
    console.log(`druid-json speed (µs per call, best of runs):\n${lines.join("\n")}`);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// (a') Known readings of Jackson, pinned against the oracle (they are why the reader refuses what it refuses)

describe("Jackson, as Druid configures it, against JSON.parse", () => {
  let oracle: JacksonOracle;
  beforeAll(() => {
    oracle = useOracle();
  });

  it("binds the FIRST type; JSON.parse keeps the last; the reader refuses", async () => {
    const text = `{"type":"http","uris":["https://example.com/x"],"type":"inline","data":"x"}`;
    expect(await oracle.ask(text)).toEqual({ ok: true, types: ["http"] });
    expect(jsTypes(JSON.parse(text))).toEqual(["inline"]);
    expect(errorOf(readDruidJson(text)).message).toBe(`/type: duplicate key "type"`);
  });

  it("compares keys after decoding escapes", async () => {
    for (const key of [String.raw`typ\u0065`, String.raw`\u0074ype`, String.raw`\u0074\u0079\u0070\u0065`]) {
      expect(await oracle.ask(`{"${key}":"http","type":"inline"}`)).toEqual({ ok: true, types: ["http"] });
      expect(await oracle.ask(`{"type":"inline","${key}":"http"}`)).toEqual({ ok: true, types: ["inline"] });
    }
    expect(await oracle.ask(String.raw`{"type":"h\u0074tp"}`)).toEqual({ ok: true, types: ["http"] });
  });

  it("hides a duplicate inside a combining source's delegates", async () => {
    const text = `{"type":"combining","delegates":[{"type":"inline"},{"type":"local","type":"http"}]}`;
    expect(await oracle.ask(text)).toEqual({ ok: true, types: ["combining", "inline", "local"] });
    expect(jsTypes(JSON.parse(text))).toEqual(["combining", "inline", "http"]);
    expect(errorOf(readDruidJson(text)).pointer).toBe("/delegates/1/type");
  });

  it("skips a type that is null or not a scalar and binds the next one", async () => {
    expect(await oracle.ask(`{"type":null,"type":"http"}`)).toEqual({ ok: true, types: ["http"] });
    expect(await oracle.ask(`{"type":{"a":1},"type":"http"}`)).toEqual({ ok: true, types: ["http"] });
    expect(await oracle.ask(`{"type":null}`)).toMatchObject({ ok: false, exception: "InvalidTypeIdException" });
  });

  it("ignores content after the first value (JSON.parse refuses it)", async () => {
    for (const text of [`{"type":"inline"}{"type":"http"}`, `{"type":"inline"} garbage`, `{"type":"inline"}]`, `{"type":"inline"}\u0000`]) {
      expect(await oracle.ask(text)).toEqual({ ok: true, types: ["inline"] });
      expect(parse(text)).toBeUndefined();
      expect(errorOf(readDruidJson(text)).message).toMatch(/^content after the JSON value/u);
    }
  });

  it("reads an array as a [type, object] pair: the reader accepts the JSON, msq-authz must refuse a non-object", async () => {
    const text = `["http",{"type":"inline","uris":["https://example.com/x"]}]`;
    expect(await oracle.ask(text)).toEqual({ ok: true, types: ["http"] });
    expect(await oracle.ask(`{"type":"combining","delegates":[["local",{}]]}`)).toEqual({ ok: true, types: ["combining", "local"] });
    expect(valueOf(readDruidJson(text))).toEqual(JSON.parse(text));
    expect(jsTypes(JSON.parse(text))).toBeUndefined();
  });

  it("reads null as no input source", async () => {
    expect(await oracle.ask("null")).toEqual({ ok: true, types: ["null"] });
  });

  it("refuses a BOM in a string, skips it in bytes; the readers do the same", async () => {
    const text = `\ufeff{"type":"inline"}`;
    expect(await oracle.ask(text)).toMatchObject({ ok: false, exception: "JsonParseException" });
    expect(await oracle.askBytes(Buffer.from(text, "utf8"))).toEqual({ ok: true, types: ["inline"] });
    expect("error" in readDruidJson(text)).toBe(true);
    expect(valueOf(readDruidJsonBytes(Buffer.from(text, "utf8")))).toEqual({ type: "inline" });
  });

  it("decodes overlong UTF-8 in bytes: C1 B4 spells the 't' of a first \"type\" that a replacing decoder hides", async () => {
    const body = Buffer.concat([Buffer.from(`{"`), Buffer.from([0xc1, 0xb4]), Buffer.from(`ype":"http","type":"inline"}`)]);
    expect(await oracle.askBytes(body)).toEqual({ ok: true, types: ["http"] });
    expect(jsTypes(JSON.parse(body.toString("utf8")))).toEqual(["inline"]);
    expect("error" in readDruidJsonBytes(body)).toBe(true);
  });

  it("refuses an object whose keys collide in its symbol table (JSON.parse takes it): safe, Druid refuses", async () => {
    // Jackson's CharsToNameCanonicalizer hashes with multiplier 33: "AB" and "B!" collide, so do all 2^10 mixes.
    const keys = Array.from({ length: 1024 }, (_, m) => Array.from({ length: 10 }, (_, b) => ((m >> b) & 1 ? "AB" : "B!")).join(""));
    const text = `{"type":"http",${keys.map((key) => `"${key}":1`).join(",")}}`;
    expect(await oracle.ask(text)).toMatchObject({ ok: false, exception: "IllegalStateException" });
    expect(valueOf(readDruidJson(text))).toEqual(JSON.parse(text));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// (b) The differential test

/** A small seeded generator, for layout choices (whitespace, escape spellings) made while rendering. */
function random(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Node =
  | { t: "raw"; text: string } // a number or a literal, already spelled
  | { t: "str"; value: string; escapes: number } // escapes: the share of characters spelled as escapes
  | { t: "arr"; items: Node[] }
  | { t: "obj"; members: [Node & { t: "str" }, Node][] };

const SPACES = ["", "", "", "", " ", "\n", "\t", "\r\n", " \n\t "];
const SHORT: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "/": "\\/" };

function hex4(code: number, upper: boolean): string {
  const digits = code.toString(16).padStart(4, "0");
  return `\\u${upper ? digits.toUpperCase() : digits}`;
}

function renderString(value: string, escapes: number, rnd: () => number): string {
  let out = '"';
  for (let k = 0; k < value.length; k++) {
    const ch = value[k] as string;
    const code = value.charCodeAt(k);
    const must = code < 0x20 || ch === '"' || ch === "\\";
    if (must || rnd() < escapes) out += SHORT[ch] !== undefined && rnd() < 0.5 ? SHORT[ch] : hex4(code, rnd() < 0.5);
    else out += ch;
  }
  return `${out}"`;
}

function render(node: Node, rnd: () => number): string {
  const ws = () => SPACES[Math.floor(rnd() * SPACES.length)] as string;
  switch (node.t) {
    case "raw":
      return node.text;
    case "str":
      return renderString(node.value, node.escapes, rnd);
    case "arr":
      return `[${ws()}${node.items.map((item) => render(item, rnd)).join(`${ws()},${ws()}`)}${ws()}]`;
    case "obj":
      return `{${ws()}${node.members.map(([key, value]) => `${render(key, rnd)}${ws()}:${ws()}${render(value, rnd)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  }
}

const str = (value: string, escapes = 0): Node & { t: "str" } => ({ t: "str", value, escapes });

const oddChar = fc.constantFrom('"', "\\", "/", "\u0000", "\n", "\u001f", "\u007f", "\u2028", "\ud800", "\udfff", "é", "😀", "\ufeff", " ");
const anyString = fc.tuple(fc.string({ unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), oddChar, fc.constantFrom("t", "y", "p", "e")), maxLength: 10 }), fc.constantFrom(0, 0, 0.3, 1)).map(([v, e]) => str(v, e));
const numberText = fc.oneof(
  fc.constantFrom("0", "-0", "-0.0", "0.0e0", "1E400", "-1e-400", "1e+2", "100e-2", "0.1e1", "5e-324", "1.7976931348623157e308", "2.2250738585072011e-308", "123456789012345678901234567890", "9007199254740993", "1E-7"),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.tuple(fc.integer({ min: -99_999, max: 99_999 }), fc.constantFrom("e", "E", "e+", "e-", "E-"), fc.nat({ max: 400 })).map(([m, e, x]) => `${m}${e}${x}`),
);
const scalar: fc.Arbitrary<Node> = fc.oneof(
  numberText.map((text) => ({ t: "raw", text }) as Node),
  fc.constantFrom("true", "false", "null").map((text) => ({ t: "raw", text }) as Node),
  anyString,
);
const { value: anyValue } = fc.letrec<{ value: Node }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }).map((items) => ({ t: "arr", items }) as Node),
    fc
      .uniqueArray(fc.tuple(fc.oneof(anyString, fc.constantFrom("__proto__", "type", "x").map((k) => str(k))), tie("value")), { maxLength: 3, selector: ([key]) => key.value })
      .map((members) => ({ t: "obj", members }) as Node),
  ),
}));

const typeKey = fc.oneof(
  { weight: 6, arbitrary: fc.constant(str("type")) },
  { weight: 3, arbitrary: fc.constantFrom(0.3, 1).map((e) => str("type", e)) },
  { weight: 1, arbitrary: fc.constantFrom("Type", "TYPE", "type ", " type", "typ", "types", "type\u0000", "ty\u0000pe").map((k) => str(k, 0.2)) },
);
const typeName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...KNOWN) }, { weight: 1, arbitrary: fc.constantFrom("kafka", "", "HTTP", "Inline", "http ", "combining\u0000") });
const typeValue = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(typeName, fc.constantFrom(0, 0, 0, 0.3, 1)).map(([name, e]) => str(name, e) as Node) },
  { weight: 1, arbitrary: fc.constantFrom<Node>({ t: "raw", text: "null" }, { t: "raw", text: "5" }, { t: "raw", text: "true" }, { t: "arr", items: [] }, { t: "obj", members: [] }) },
);
const extraKey = fc.oneof(fc.constantFrom("uris", "data", "baseDir", "filter", "prefixes", "__proto__", "constructor", "", "delegates", "typeX").map((k) => str(k)), anyString);

type Member = [Node & { t: "str" }, Node];

interface SourceShape {
  types: Member[];
  delegates: Member[];
  extras: Member[];
  order: number;
}

/** An input source object: 0-3 type members (duplicates, escaped spellings), delegates, other members, shuffled. */
function sourceArbitrary(depth: number): fc.Arbitrary<Node> {
  const delegatesValue: fc.Arbitrary<Node> =
    depth <= 0
      ? fc.constantFrom<Node>({ t: "arr", items: [] }, { t: "raw", text: "null" })
      : fc.oneof(
          { weight: 8, arbitrary: fc.array(sourceArbitrary(depth - 1), { minLength: 1, maxLength: 3 }).map((items) => ({ t: "arr", items }) as Node) },
          { weight: 1, arbitrary: fc.constantFrom<Node>({ t: "arr", items: [] }, { t: "raw", text: "null" }, { t: "str", value: "x", escapes: 0 }) },
          { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 2 }).map((items) => ({ t: "arr", items }) as Node) },
        );
  const shape: fc.Arbitrary<SourceShape> = fc.record({
    types: fc.oneof(
      { weight: 14, arbitrary: fc.array(fc.tuple(typeKey, typeValue), { minLength: 1, maxLength: 1 }) },
      { weight: 4, arbitrary: fc.array(fc.tuple(typeKey, typeValue), { minLength: 2, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant<Member[]>([]) },
    ),
    delegates: fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.tuple(fc.constantFrom(0, 0, 0.5).map((e) => str("delegates", e)), delegatesValue), { minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(0, 0.5).map((e) => str("delegates", e)), delegatesValue), { minLength: 2, maxLength: 2 }) },
      { weight: 3, arbitrary: fc.constant<Member[]>([]) },
    ),
    extras: fc.oneof(
      { weight: 8, arbitrary: fc.uniqueArray(fc.tuple(extraKey, anyValue), { maxLength: 4, selector: ([key]) => key.value }) },
      { weight: 1, arbitrary: fc.tuple(extraKey, anyValue, anyValue).map(([k, a, b]): Member[] => [[k, a], [str(k.value, 0.5), b]]) },
    ),
    order: fc.nat(),
  });
  return shape.map(({ types, delegates, extras, order }) => {
    const members = [...types, ...delegates, ...extras];
    // A seeded shuffle: a duplicate type member lands before, between and after the others.
    const rnd = random(order);
    for (let k = members.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [members[k], members[j]] = [members[j] as Member, members[k] as Member];
    }
    return { t: "obj", members } as Node;
  });
}

/** Combining sources nested past the reader's bound (each level is an object and an array). */
const deepSource = fc.tuple(fc.integer({ min: 28, max: 40 }), fc.constantFrom("inline", "http")).map(([levels, leaf]) => {
  let node: Node = { t: "obj", members: [[str("type"), str(leaf)]] };
  for (let k = 0; k < levels; k++) node = { t: "obj", members: [[str("type"), str("combining")], [str("delegates"), { t: "arr", items: [node] }]] };
  return node;
});

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
  { weight: 30, arbitrary: fc.constant({ name: "none", apply: (t: string) => t }) },
  { weight: 2, arbitrary: fc.constantFrom(" ", "\n", "x", "}", "]", ",", "{}", `{"type":"http"}`, "\u0000", "// c", "/* c */", "\ufeff", `"`).map((tail) => ({ name: "trailing", apply: (t: string) => t + tail })) },
  { weight: 1, arbitrary: fc.constantFrom("\ufeff", "\u00a0", "/* c */", "\f", "\u000b").map((head) => ({ name: "leading", apply: (t: string) => head + t })) },
  { weight: 2, arbitrary: fc.constantFrom(`["http",`, `["inline",`, "[").map((head) => ({ name: "wrapped", apply: (t: string) => `${head}${t}]` })) },
  { weight: 2, arbitrary: fc.nat().map((n) => ({ name: "cut", apply: (t: string) => t.slice(0, n % Math.max(t.length, 1)) })) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom(",", "}", "]", ":", '"', "'", "\\", "\u0001", "\\x", "01", "-", ".5", "NaN", "+1", "1.", "\ud800", "\u00a0", "\f", "t")).map(([n, insert]) => ({
      name: "insert",
      apply: (t: string) => {
        const at = n % (t.length + 1);
        return t.slice(0, at) + insert + t.slice(at);
      },
    })),
  },
  { weight: 1, arbitrary: fc.constant({ name: "trailing comma", apply: (t: string) => t.replace(/\}$/u, ",}") }) },
  { weight: 1, arbitrary: fc.constant({ name: "single quotes", apply: (t: string) => t.replaceAll('"type"', "'type'") }) },
);

const documents = fc
  .tuple(fc.oneof({ weight: 12, arbitrary: sourceArbitrary(2) }, { weight: 1, arbitrary: deepSource }), fc.nat(), mutation)
  .map(([node, layout, change]) => ({ text: change.apply(render(node, random(layout))), mutation: change.name }));

/** Jackson could not read the text as JSON (as opposed to binding it: unknown type id, wrong shape). */
const unreadable = (answer: Answer): boolean =>
  !answer.ok &&
  (["JsonParseException", "JsonEOFException", "StreamReadException", "StackOverflowError", "IllegalStateException"].includes(answer.exception) ||
    answer.message.includes("end-of-input"));

describe("differential: the reader against Jackson and JSON.parse", () => {
  let oracle: JacksonOracle;
  beforeAll(() => {
    oracle = useOracle();
  });

  it(`generated input-source documents (${runs})`, async () => {
    const counts = new Map<string, number>();
    const count = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
    const examples = new Map<string, string>();
    let documentsRead = 0;
    await fc.assert(
      fc.asyncProperty(documents, async ({ text, mutation: mutated }) => {
        documentsRead++;
        const reader = readDruidJson(text);
        const parsed = parse(text);
        const jackson = await oracle.ask(text);
        const jsonParseTypes = parsed === undefined ? undefined : jsTypes(parsed.value);

        count(`mutation ${mutated}`);
        count(jackson.ok ? "Jackson bound types" : `Jackson threw ${jackson.exception}`);
        if (!jackson.ok && process.env.DRUID_JSON_DEBUG) examples.set(jackson.exception, `${text} -> ${jackson.message}`);
        if ("value" in reader) {
          count("reader accepted");
          // Accepted: JSON.parse's value, a document Jackson reads too, and the same types.
          expect(parsed).toBeDefined();
          expect(sameJson(reader.value, parsed?.value), text).toBe(true);
          expect(unreadable(jackson), `Jackson could not read a text the reader accepted: ${JSON.stringify(text)} (${jackson.ok ? "" : jackson.message})`).toBe(false);
          const types = jsTypes(reader.value);
          if (types === undefined) {
            count(jackson.ok ? "reader accepted, msq-authz refuses the value, Jackson bound it (safe)" : "reader accepted, msq-authz and Jackson refuse the value");
            if (jackson.ok) examples.set("msq-authz refuses, Jackson binds", text);
          } else if (types.every((type) => KNOWN.includes(type))) {
            expect(jackson, text).toEqual({ ok: true, types });
            count("reader accepted, same types as Jackson");
          } else {
            expect(jackson, text).toMatchObject({ ok: false, exception: "InvalidTypeIdException" });
            count("reader accepted, unknown type refused by Jackson");
          }
        } else {
          const { message } = reader.error;
          count(`reader refused: ${/duplicate key|nesting deeper|content after|empty document/u.exec(message)?.[0] ?? "syntax"}`);
        }
        // The same text as a request body (UTF-8 bytes), read by Jackson's byte parser, a separate implementation.
        if (text.isWellFormed()) {
          const bytes = Buffer.from(text, "utf8");
          const body = readDruidJsonBytes(bytes);
          // Bytes may start with a BOM, which Jackson skips in bytes (and only there).
          expect(sameJson(body, text.startsWith("\ufeff") ? readDruidJson(text.slice(1)) : reader), text).toBe(true);
          if ("value" in body) {
            const fromBytes = await oracle.askBytes(bytes);
            const fromText = text.startsWith("\ufeff") ? await oracle.ask(text.slice(1)) : jackson;
            expect(fromBytes.ok ? fromBytes.types : fromBytes.exception, text).toEqual(fromText.ok ? fromText.types : fromText.exception);
            count("reader accepted, same answer from Jackson's byte parser");
          }
        }
        // Jackson and JSON.parse disagree: the reader must refuse.
        if (jackson.ok && jsonParseTypes !== undefined && jackson.types.join() !== jsonParseTypes.join()) {
          count("Jackson and JSON.parse read different types (all refused)");
          examples.set("different types", text);
          expect("error" in reader, text).toBe(true);
        }
        if (jackson.ok && parsed === undefined) {
          count("Jackson bound types where JSON.parse refuses the text (all refused)");
          examples.set("Jackson binds, JSON.parse refuses", text);
          expect("error" in reader, text).toBe(true);
        }
        if (unreadable(jackson) && parsed !== undefined) {
          count("JSON.parse read what Jackson cannot (all refused)");
          examples.set("JSON.parse reads, Jackson cannot", `${text} -> ${jackson.ok ? "" : jackson.message}`);
          expect("error" in reader, text).toBe(true);
        }
      }),
      { numRuns: runs, seed },
    );
    const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([what, n]) => `  ${what}: ${n}`);
    const shown = [...examples].map(([what, text]) => `  e.g. ${what}: ${JSON.stringify(text).slice(0, 200)}${text.includes(" -> ") ? ` ... ${text.slice(text.lastIndexOf(" -> "), text.lastIndexOf(" -> ") + 200)}` : ""}`);
    console.log(`druid-json differential: ${documentsRead} generated documents (seed ${seed})\n${lines.join("\n")}\n${shown.join("\n")}`);
    expect(documentsRead).toBeGreaterThanOrEqual(runs);
    expect(counts.get("reader refused: duplicate key") ?? 0).toBeGreaterThan(runs / 20);
    expect(counts.get("reader accepted, same types as Jackson") ?? 0).toBeGreaterThan(runs / 20);
  }, Math.max(600_000, runs * 10));
});
