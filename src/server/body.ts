// Request bodies, read as Druid's Jackson reads them: strict JSON, and no object with a key twice (which JSON.parse
// would read as its last value and Jackson, for a polymorphic type, as its first).
import { readDruidJson } from "../json/druid-json.js";

export type Body = { ok: true; value: unknown } | { ok: false; message: string };

export function parseBody(text: string): Body {
  const read = readDruidJson(text);
  if ("error" in read) return { ok: false, message: `request body is not JSON as Druid reads it: ${read.error.message}` };
  return { ok: true, value: read.value };
}
