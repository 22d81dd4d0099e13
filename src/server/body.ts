// Request bodies, read as Druid's Jackson reads them: strict JSON, and no object with a key twice (which JSON.parse
// would read as its last value and Jackson, for a polymorphic type, as its first).
import { readDruidJsonBytes } from "../json/druid-json.js";

export type Body = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * The body's bytes (undefined when there is none: `empty` is read instead), decoded as Druid's Jackson decodes them:
 * only well-formed UTF-8, so that no byte sequence spells a key to Druid that a replacing decoder would not.
 */
export function parseBody(bytes: Buffer | undefined, empty = ""): Body {
  const read = readDruidJsonBytes(bytes ?? Buffer.from(empty));
  if ("error" in read) return { ok: false, message: `request body is not JSON as Druid reads it: ${read.error.message}` };
  return { ok: true, value: read.value };
}
