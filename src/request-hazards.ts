// What the request schema cannot say, found in one walk over the request:
// - a lone UTF-16 surrogate: OPA's JSON reader (in the WASM policy) refuses "\ud83d", which JSON.stringify writes;
// - nesting deeper than MAX_DEPTH: the WASM policy's JSON reader recurses, and a deep enough value traps it.
// Either must be a 400 that names the field, not an engine failure.
import { jsonPointer } from "./json/druid-json.js";

/** The deepest nesting a request may have; Druid's own context values are a level or two deep. */
export const MAX_DEPTH = 32;

/** Where a value sits: its parent's place and its key there, the JSON pointer written only for a problem. */
interface Place {
  parent: Place | undefined;
  key: string | number;
}

function pointer(place: Place | undefined): string {
  const path: (string | number)[] = [];
  for (let at = place; at !== undefined; at = at.parent) path.push(at.key);
  return jsonPointer(path.reverse());
}

/** The first problem with the request as "<JSON pointer>: <what is wrong>", if any. */
export function requestHazard(value: unknown): string | undefined {
  const pending: [unknown, Place | undefined, number][] = [[value, undefined, 0]];
  const seen = new WeakSet<object>(); // a cycle is not JSON, but must not loop forever either
  while (pending.length > 0) {
    const [next, place, depth] = pending.pop() as [unknown, Place | undefined, number];
    if (typeof next === "string") {
      if (!next.isWellFormed()) return `${place === undefined ? "/" : pointer(place)}: not well-formed Unicode (a lone surrogate)`;
      continue;
    }
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    if (depth === MAX_DEPTH) return `${pointer(place)}: nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(next)) {
      next.forEach((item, index) => pending.push([item, { parent: place, key: index }, depth + 1]));
      continue;
    }
    for (const [key, item] of Object.entries(next)) {
      const at = { parent: place, key };
      if (!key.isWellFormed()) return `${pointer(at)}: not well-formed Unicode (a lone surrogate)`;
      pending.push([item, at, depth + 1]);
    }
  }
  return undefined;
}
