// The key a cache remembers a text by. V8 hashes a string longer than 16,383 characters by its length alone
// (String::kMaxHashCalcLength), so a Map holding many such keys of one length keeps them in one bucket and compares
// whole keys on every lookup: 2,000 distinct 100,000-character keys took 19 s to insert on this project's machine,
// and a client chooses the text of its requests. A longer text is remembered by its SHA-256 (0.8 ms a MiB) instead.
import { createHash } from "node:crypto";

const V8_HASHED_LENGTH = 16_383;

/** One key per text: "=" and the text itself, or "#" and the SHA-256 of a longer one (no short text spells it). */
export function cacheKey(text: string): string {
  return text.length < V8_HASHED_LENGTH ? `=${text}` : `#${createHash("sha256").update(text).digest("base64")}`;
}
