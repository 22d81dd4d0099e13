// EXTERN's first argument is the input source as JSON; authorization reads only its type (druid-semantics §1.3).
import { SqlAnalysisError } from "./errors.js";

const MAX_NESTING = 32;

/** The input source's types: its own, and for a combining source its delegates' too. */
export function inputSourceTypes(json: string): string[] {
  let spec: unknown;
  try {
    spec = JSON.parse(json);
  } catch (error) {
    throw new SqlAnalysisError("invalid_sql", `EXTERN's input source is not JSON: ${(error as Error).message}`);
  }
  return [...new Set(typesOf(spec, 0))];
}

function typesOf(spec: unknown, depth: number): string[] {
  if (depth > MAX_NESTING) throw new SqlAnalysisError("invalid_sql", "EXTERN's input source nests too deeply");
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new SqlAnalysisError("invalid_sql", "EXTERN's input source must be a JSON object");
  }
  const { type, delegates } = spec as { type?: unknown; delegates?: unknown };
  if (typeof type !== "string" || type === "") {
    throw new SqlAnalysisError("invalid_sql", "EXTERN's input source has no type");
  }
  if (type !== "combining") return [type];
  if (!Array.isArray(delegates) || delegates.length === 0) {
    throw new SqlAnalysisError("invalid_sql", "a combining input source needs its delegates");
  }
  return [type, ...delegates.flatMap((delegate) => typesOf(delegate, depth + 1))];
}
