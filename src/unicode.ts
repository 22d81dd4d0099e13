// OPA's JSON reader (in the WASM policy) refuses a lone UTF-16 surrogate, which JSON.stringify writes as "\ud83d":
// such a request must be a 400 that names the field, not an engine failure.

/** The JSON pointer of the first string (value or key) that is not well-formed Unicode, if any. */
export function illFormedString(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, ""]];
  const seen = new WeakSet<object>(); // a cycle is not JSON, but must not loop forever either
  while (pending.length > 0) {
    const [next, path] = pending.pop() as [unknown, string];
    if (typeof next === "object" && next !== null) {
      if (seen.has(next)) continue;
      seen.add(next);
    }
    if (typeof next === "string") {
      if (!next.isWellFormed()) return path === "" ? "/" : path;
    } else if (Array.isArray(next)) {
      next.forEach((item, index) => pending.push([item, `${path}/${index}`]));
    } else if (typeof next === "object" && next !== null) {
      for (const [key, item] of Object.entries(next)) {
        const at = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
        if (!key.isWellFormed()) return at;
        pending.push([item, at]);
      }
    }
  }
  return undefined;
}
