// Cache keys for client text: V8 hashes a string longer than 16,383 characters by its length alone, so a cache
// keyed by such texts would compare whole keys on every lookup. Long texts are keyed by their SHA-256.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cacheKey } from "../src/cache-key.js";

describe("cacheKey", () => {
  it("keeps a short text as itself, and keys a long one by a short digest", () => {
    expect(cacheKey("SELECT 1")).toBe("=SELECT 1");
    const long = "v".repeat(1024 * 1024);
    expect(cacheKey(long)).toMatch(/^#[A-Za-z0-9+/]{43}=$/u);
    expect(cacheKey(`${long.slice(1)}w`)).not.toBe(cacheKey(long));
  });

  it("gives two texts one key only when they are the same text, either side of the length V8 hashes", () => {
    const text = fc.tuple(fc.integer({ min: 16_370, max: 16_400 }), fc.string({ maxLength: 4 })).map(([length, tail]) => "x".repeat(length - tail.length) + tail);
    fc.assert(fc.property(text, text, (a, b) => (cacheKey(a) === cacheKey(b)) === (a === b)), { seed: 16_383 });
    const digest = cacheKey("y".repeat(20_000)).slice(1);
    expect(cacheKey(`#${digest}`)).not.toBe(cacheKey("y".repeat(20_000)));
  });
});
