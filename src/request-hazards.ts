// What the request schema cannot say, found in one walk over the request:
// - a lone UTF-16 surrogate: OPA's JSON reader (in the WASM policy) refuses "\ud83d", which JSON.stringify writes;
// - nesting deeper than MAX_DEPTH: the WASM policy's JSON reader recurses, and a deep enough value traps it.
// Either must be a 400 that names the field, not an engine failure.
import { pointerSegment } from "./json/druid-json.js";

/** The deepest nesting a request may have; Druid's own context values are a level or two deep. */
export const MAX_DEPTH = 32;

/** The first problem with the request as "<JSON pointer>: <what is wrong>", if any. */
export function requestHazard(value: unknown): string | undefined {
  const pending: [unknown, string, number][] = [[value, "", 0]];
  const seen = new WeakSet<object>(); // a cycle is not JSON, but must not loop forever either
  while (pending.length > 0) {
    const [next, path, depth] = pending.pop() as [unknown, string, number];
    if (typeof next === "string") {
      if (!next.isWellFormed()) return `${path === "" ? "/" : path}: not well-formed Unicode (a lone surrogate)`;
      continue;
    }
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    if (depth === MAX_DEPTH) return `${path}: nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(next)) {
      next.forEach((item, index) => pending.push([item, `${path}/${index}`, depth + 1]));
      continue;
    }
    for (const [key, item] of Object.entries(next)) {
      const at = `${path}/${pointerSegment(key)}`;
      if (!key.isWellFormed()) return `${at}: not well-formed Unicode (a lone surrogate)`;
      pending.push([item, at, depth + 1]);
    }
  }
  return undefined;
}
