// The lines of a JSON Lines input, split as node:readline splits them (at \n, \r\n or a lone \r; a last line without
// a break counts), with each line held to a bound: readline would buffer a line of any length before anything
// could refuse it. A line longer than `maxBytes` comes out cut to just over `maxBytes` (UTF-8), so that deciding it
// answers what the whole line gets: a 400 for a request over the size limit.
import { StringDecoder } from "node:string_decoder";

export async function* boundedLines(input: NodeJS.ReadableStream, maxBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let line = "";
  let bytes = 0;
  let afterCr = false;
  const take = (piece: string): void => {
    if (bytes > maxBytes) return; // already over: the rest of the line is read and dropped
    line += piece;
    bytes += Buffer.byteLength(piece, "utf8");
  };
  const split = function* (text: string): Generator<string> {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      // The \n of a \r\n split across two reads ends nothing: its \r already ended the line.
      if (ch === 10 && afterCr && i === start) {
        afterCr = false;
        start = i + 1;
        continue;
      }
      take(text.slice(start, i));
      yield line;
      line = "";
      bytes = 0;
      afterCr = ch === 13;
      if (afterCr && text.charCodeAt(i + 1) === 10) {
        afterCr = false;
        i += 1;
      }
      start = i + 1;
    }
    if (start < text.length) {
      afterCr = false;
      take(text.slice(start));
    }
  };
  for await (const chunk of input) {
    yield* split(typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer));
  }
  yield* split(decoder.end());
  if (line !== "" || bytes > 0) yield line;
}
