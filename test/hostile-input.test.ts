// Hostile input, generated: every decision case's request, mutated (wrong types, deep nesting, long strings and
// arrays, odd Unicode and NUL, __proto__ / constructor / prototype keys, missing fields, non-objects) or its text
// truncated, sent to both engines and to `serve`. Never a throw, never an engine error, never an allow of
// something the schema refuses, always a decision in the contract, whose size follows the request's.
// `make test` runs HOSTILE_RUNS (default 4,000) per property; `make fuzz` runs 100,000.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecisionPoint, type DecisionPoint } from "../src/decision-point.js";
import { validateDecision, validateRequest } from "../src/schemas/validate.js";
import { buildServer } from "../src/server/app.js";
import type { Decision } from "../src/types.js";
import { loadCases, readJson, root } from "./support.js";

const runs = Number(process.env.HOSTILE_RUNS ?? 4_000);
const seeds = loadCases().map((c) => c.request as Record<string, unknown>);
const grants = readJson(`${root}/examples/grants.json`);
const settings = readJson(`${root}/examples/settings-hardened.json`);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every place in a value: the root, objects, arrays and strings, as paths from the root. */
function places(value: Json, path: Path = []): Path[] {
  const here = [path];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => places(item, [...path, i]))];
  if (value !== null && typeof value === "object") return [...here, ...Object.entries(value).flatMap(([k, v]) => places(v, [...path, k]))];
  return path.length === 0 || typeof value === "string" ? here : [];
}

/** A copy of `value` with the thing at `path` replaced by what `change` makes of it. */
function at(value: Json, path: Path, change: (old: Json) => Json): Json {
  if (path.length === 0) return change(value);
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, Json>;
  // defineProperty: a "__proto__" key must stay an own key, as JSON.parse makes it.
  Object.defineProperty(copy, head as string, { value: at(copy[head as string] as Json, rest, change), enumerable: true, writable: true, configurable: true });
  return copy as Json;
}

const valueAt = (r: Json, p: Path): Json => p.reduce<Json>((v, k) => (v as Record<string, Json>)[k] as Json, r);
const stringsIn = (r: Json, keys?: Set<string | number>): Path[] =>
  places(r).filter((p) => typeof valueAt(r, p) === "string" && (keys === undefined || keys.has(p.at(-1) ?? "")));
const nameKeys = new Set<string | number>(["user", "name", "target", "datasource", "id", "sql", "queryId"]);

const nest = (levels: number, inner: Json): Json => (levels === 0 ? inner : { n: nest(levels - 1, inner) });
const oddText = ["\u0000", "\u202e", "\u200d", "\ufeff", "\uffff", "\ud83d\ude00", "e\u0301", "\u0085", "%00", "../", "'\"", "\\u0000"];

/** Mutations after which the schema (or the request-hazard check) must refuse the request, whatever it was. */
const breaking: fc.Arbitrary<(request: Json) => Json>[] = [
  fc.constant((r: Json) => at(r, [], (o) => {
    if (o === null || typeof o !== "object" || Array.isArray(o)) return o; // not an object: refused as it is
    const { identity: _, ...rest } = o;
    return rest;
  })),
  fc.constantFrom<Json>([], "sql.task.submit", 42, null, true, [{}]).map((v) => () => v),
  fc.constantFrom("__proto__", "constructor", "prototype", "admin").map((key) => (r: Json) =>
    at(r, [], (o) => Object.defineProperty({ ...(o as object) }, key, { value: { allow: true }, enumerable: true }) as Json)),
  fc.tuple(fc.nat(), fc.nat({ max: 4 })).map(([n, extra]) => (r: Json) => {
    const where = places(r).filter((p) => p.length > 0);
    return at(r, where[n % where.length] ?? ["context"], (old) => nest(33 + extra, old));
  }),
  fc.tuple(fc.nat(), fc.constantFrom("\ud800", "\udfff", "a\udc00b")).map(([n, lone]) => (r: Json) => {
    const strings = stringsIn(r);
    return strings.length === 0 ? at(r, [], () => lone) : at(r, strings[n % strings.length] as Path, (old) => `${String(old)}${lone}`);
  }),
];

/** Mutations that may or may not leave the request valid: the answer must then be the same from both engines. */
const neutral = fc.oneof(
  // Odd text in the names a request carries: mostly still valid, so these reach the policy.
  {
    weight: 4,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...oddText)).map(([n, text]) => (r: Json) => {
      const names = stringsIn(r, nameKeys);
      return names.length === 0 ? r : at(r, names[n % names.length] as Path, (old) => `${String(old)}${text}`);
    }),
  },
  // Any JSON as a context value, which the schema leaves open.
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom("sqlQueryId", "maxNumTasks", "x", "__proto__"), fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map(
      ([key, v]) => (r: Json) =>
        r !== null && typeof r === "object" && !Array.isArray(r)
          ? at(r, ["context"], (old) => Object.defineProperty({ ...(old as object) }, key, { value: v, enumerable: true }) as Json)
          : r,
    ),
  },
  // Anything anywhere: a value of another type, a string or an array past its limit, a prototype key.
  fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map(([n, v]) => (r: Json) => {
    const where = places(r);
    return at(r, where[n % where.length] as Path, () => v);
  }),
  fc.tuple(fc.nat(), fc.constantFrom(1_025, 70_000)).map(([n, length]) => (r: Json) => {
    const where = places(r);
    return at(r, where[n % where.length] as Path, () => "x".repeat(length));
  }),
  fc.tuple(fc.nat(), fc.constantFrom(1_001, 20_000)).map(([n, length]) => (r: Json) => {
    const where = places(r);
    return at(r, where[n % where.length] as Path, () => Array.from({ length }, (_, i) => ({ type: "DATASOURCE", name: `d${i}` })));
  }),
  fc.tuple(fc.nat(), fc.constantFrom("__proto__", "constructor", "prototype")).map(([n, key]) => (r: Json) => {
    const objects = places(r).filter((p) => {
      const v = valueAt(r, p);
      return v !== null && typeof v === "object" && !Array.isArray(v);
    });
    const where = objects[n % Math.max(objects.length, 1)];
    return where === undefined ? r : at(r, where, (o) => Object.defineProperty({ ...(o as object) }, key, { value: { polluted: true }, enumerable: true }) as Json);
  }),
);

const seed = fc.nat({ max: seeds.length - 1 }).map((i) => seeds[i] as Json);
const hostile = fc.oneof(
  // The breaking mutation comes last: a later one could undo it (replace the too-deep value, say).
  fc.tuple(seed, fc.oneof(...breaking), fc.array(neutral, { maxLength: 2 })).map(([r, b, ns]) => ({ breaks: true, request: b(ns.reduce((v, m) => m(v), r)) })),
  fc.tuple(seed, fc.array(neutral, { minLength: 1, maxLength: 3 })).map(([r, ns]) => ({ breaks: false, request: ns.reduce((v, m) => m(v), r) })),
);

/** What every answer to hostile input must be, whatever the input. */
function expectContained(decision: Decision, requestText: string): void {
  expect(validateDecision(decision), JSON.stringify(validateDecision.errors)).toBe(true);
  expect(decision.code).not.toBe("engine_error");
  // The answer grows with the request, never beyond it: every name it quotes came from the request.
  expect(JSON.stringify(decision).length).toBeLessThanOrEqual(3 * requestText.length + 16_384);
}

let wasm: DecisionPoint;
let casbin: DecisionPoint;
const tally = { requests: 0, refused: 0, decided: 0, texts: 0, bodies: 0, worstMs: 0 };

beforeAll(async () => {
  [wasm, casbin] = await Promise.all([
    createDecisionPoint({ grants, settings, decisionCacheEntries: 0 }),
    createDecisionPoint({ grants, settings, engine: "casbin", decisionCacheEntries: 0 }),
  ]);
});

afterAll(() => {
  // The figures the README's "Security and reliability" section quotes.
  console.log(
    `hostile input: ${tally.requests} mutated requests (${tally.refused} refused as 400, ${tally.decided} decided alike by both engines), ` +
      `${tally.texts} cut or garbage texts, ${tally.bodies} HTTP bodies; 0 throws, 0 engine errors, 0 allows of a refused request; ` +
      `slowest pair of decisions ${tally.worstMs.toFixed(0)} ms`,
  );
});

describe("hostile requests", () => {
  it("are refused when the schema refuses them, decided alike by both engines otherwise, and never break out", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async ({ breaks, request }) => {
        const text = JSON.stringify(request);
        const started = performance.now();
        const [fromWasm, fromCasbin] = await Promise.all([wasm.decideJson(text), casbin.decideJson(text)]);
        tally.worstMs = Math.max(tally.worstMs, performance.now() - started);
        tally.requests += 1;
        expectContained(fromWasm, text);
        expectContained(fromCasbin, text);
        const { engine: _w, ...wasmAnswer } = fromWasm;
        const { engine: _c, ...casbinAnswer } = fromCasbin;
        expect(casbinAnswer).toEqual(wasmAnswer);
        const refused = breaks || !validateRequest(JSON.parse(text));
        if (refused) {
          expect({ allow: fromWasm.allow, status: fromWasm.status }).toEqual({ allow: false, status: 400 });
          tally.refused += 1;
        } else {
          tally.decided += 1;
        }
      }),
      { numRuns: runs, seed: 20261121 },
    );
  }, 600_000);

  it("are refused whole when their text is cut short, or is not JSON at all", async () => {
    const notJson = (text: string): boolean => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    };
    const cut = fc.tuple(seed, fc.nat()).map(([r, n]) => {
      const text = JSON.stringify(r);
      return text.slice(0, n % text.length);
    });
    const garbage = fc.oneof(cut, fc.string({ unit: "binary", maxLength: 200 })).filter(notJson);
    await fc.assert(
      fc.asyncProperty(garbage, async (text) => {
        const decision = await wasm.decideJson(text);
        tally.texts += 1;
        expectContained(decision, text);
        expect(decision).toMatchObject({ allow: false, status: 400, code: "invalid_request", reasons: [expect.stringMatching(/^INPUT \(Request shape\): \/: not JSON as Druid reads it: /u)] });
      }),
      { numRuns: runs, seed: 20261121 },
    );
  }, 600_000);
});

describe("hostile bodies sent to serve", () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = buildServer({ point: wasm, logLevel: "error" });
    url = await app.listen({ host: "127.0.0.1", port: 0 });
    close = () => app.close();
  });
  afterAll(() => close());

  it("are answered 200 with a decision, 400 or 413, never a 5xx, and the service keeps answering", async () => {
    const body = fc.oneof(
      hostile.map(({ request }) => Buffer.from(JSON.stringify({ input: request }))),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b]), Buffer.from('{"input": {"identity": "\\ud800"}}'), Buffer.alloc(1024 * 1024 + 1, 0x20)),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("/v1/data/msq/authz/decision", "/v1/decide", "/v1/druid"), async (bytes, path) => {
        const response = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: bytes });
        tally.bodies += 1;
        expect([200, 400, 413]).toContain(response.status);
        const answer = (await response.json()) as { result?: Decision; code?: string; allow?: boolean };
        const decision = path === "/v1/data/msq/authz/decision" ? answer.result : answer;
        if (response.status === 200 && decision !== undefined && "allow" in decision) {
          expect(decision.code).not.toBe("engine_error");
        } else {
          expect(answer.code).toMatch(/^(invalid_request|invalid_parameter|request_too_large)$/u);
        }
      }),
      { numRuns: Math.ceil(runs / 4), seed: 20261121 },
    );
    expect((await fetch(`${url}/health`)).status).toBe(200);
  }, 600_000);
});
