// Two kinds of "no": an outcome (deny, invalid request) is a Decision value; a broken bundle, engine or input file
// is one of these errors, always with the underlying cause attached.

export class MsqAuthzError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bundle that cannot be read, or does not hold a usable policy. */
export class BundleError extends MsqAuthzError {}

/** A policy engine that failed while loading or evaluating. */
export class EngineError extends MsqAuthzError {}

/** Grants or settings that do not satisfy their schema, or a file that cannot be read. */
export class ConfigError extends MsqAuthzError {}

/** opa-wasm throws bare strings; never let one escape without a type and a message. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  return new Error(`non-error thrown: ${JSON.stringify(thrown)}`);
}
