// EXTERN's first argument is the input source as JSON; authorization reads only its type (druid-semantics §1.3).
// It is read as Druid's Jackson reads it: a document two JSON readers could read differently (a duplicate key,
// content after the value) is refused rather than guessed at.
import { readDruidJson } from "../json/druid-json.js";
import { SqlAnalysisError } from "./errors.js";

const MAX_NESTING = 32;

/** The input source's types: its own, and for a combining source its delegates' too. */
export function inputSourceTypes(json: string): string[] {
  const read = readDruidJson(json, { maxDepth: MAX_NESTING + 2 });
  if ("error" in read) {
    const { kind, message } = read.error;
    // Not JSON at all: Druid refuses it too. Readable but ambiguous: Druid would run it, so no claim is made.
    throw kind === "invalid"
      ? new SqlAnalysisError("invalid_sql", `EXTERN's input source is not JSON: ${message}`)
      : new SqlAnalysisError("unsupported_sql", `msq-authz does not read EXTERN's input source: ${message}`);
  }
  return inputSourceTypesOf(read.value);
}

/** The types of an input source already read (a task payload's ioConfig.inputSource). */
export function inputSourceTypesOf(spec: unknown): string[] {
  return [...new Set(typesOf(spec, 0))];
}

function typesOf(spec: unknown, depth: number): string[] {
  if (depth > MAX_NESTING) throw new SqlAnalysisError("unsupported_sql", "msq-authz does not read an input source that nests this deeply");
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    // Jackson also binds the array form ["http", {...}]: not an error Druid would answer.
    throw new SqlAnalysisError("unsupported_sql", "msq-authz reads an input source only as a JSON object with a type");
  }
  const { type, delegates } = spec as { type?: unknown; delegates?: unknown };
  if (typeof type !== "string" || type === "") {
    throw new SqlAnalysisError("invalid_sql", "the input source has no type");
  }
  if (type !== "combining") return [type];
  if (!Array.isArray(delegates) || delegates.length === 0) {
    throw new SqlAnalysisError("invalid_sql", "a combining input source needs its delegates");
  }
  return [type, ...delegates.flatMap((delegate) => typesOf(delegate, depth + 1))];
}
