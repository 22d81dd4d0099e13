// decide --batch reads its lines with boundedLines: split as node:readline splits them, whatever the read
// boundaries, and with an over-long line cut to just over the limit instead of held whole.
import { Readable } from "node:stream";
import { createInterface } from "node:readline";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundedLines } from "../src/cli/lines.js";

const collect = async (lines: AsyncIterable<string>): Promise<string[]> => {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
};

/** The text as a stream of Buffers cut at the given byte offsets (UTF-8 characters may be split across them). */
const chunked = (text: string, cuts: number[]): Readable => {
  const bytes = Buffer.from(text, "utf8");
  const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces = [0, ...at, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : (ends[i - 1] as number), end));
  return Readable.from(pieces.filter((piece) => piece.length > 0));
};

describe("boundedLines", () => {
  it("splits every input as readline does, at any read boundaries", async () => {
    const text = fc.array(fc.oneof(fc.constantFrom("\n", "\r", "\r\n", "{}", " ", "é", "😀"), fc.string({ maxLength: 6 })), { maxLength: 30 }).map((parts) => parts.join(""));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(200), { maxLength: 8 }), async (input, cuts) => {
        const expected = await collect(createInterface({ input: Readable.from([input]), crlfDelay: Infinity }));
        expect(await collect(boundedLines(chunked(input, cuts), 1 << 20))).toEqual(expected);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("cuts a line over the limit to just over it, and reads on", async () => {
    const long = "x".repeat(10_000);
    const lines = await collect(boundedLines(chunked(`a\n${long}\nb`, [1, 500, 5000]), 1000));
    expect(lines[0]).toBe("a");
    expect(Buffer.byteLength(lines[1] as string)).toBeGreaterThan(1000);
    expect((lines[1] as string).length).toBeLessThan(long.length);
    expect(lines[2]).toBe("b");
  });
});
