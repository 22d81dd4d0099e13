// Mask rules for decision-log events, as OPA's decision-log plugin applies its `erase` rules (plugins/logs/mask.go):
// a slash-separated path rooted at /input or /result (or /nd_builtin_cache, which msq-authz never writes); a path
// that is not there erases nothing and is not reported; whatever was erased is listed in the event's `erased`, in
// rule order. Array elements are removed by index, and a rule of just /input drops the whole input. Segments are
// JSON-pointer segments (RFC 6901: `~1` is "/", `~0` is "~"), so a key holding a slash can be named too.
import { MsqAuthzError } from "../errors.js";
import type { DecisionLogEvent } from "./decision-log-event.js";

/** A decision-log setting that cannot work: a mask OPA would refuse, a sink that cannot be opened. */
export class DecisionLogError extends MsqAuthzError {}

const roots = ["input", "result", "nd_builtin_cache"] as const;
type Root = (typeof roots)[number];

export interface MaskRule {
  /** As given: what `erased` reports. */
  readonly path: string;
  readonly root: Root;
  readonly keys: readonly string[];
}

/** Parses a mask path, refusing what OPA's newMaskRule refuses, with its words. */
export function maskRule(path: string): MaskRule {
  if (path.length === 0) throw new DecisionLogError("decision log mask must be non-empty");
  if (!path.startsWith("/")) throw new DecisionLogError(`decision log mask must be slash-prefixed: '${path}'`);
  const [first = "", ...rest] = path.slice(1).split("/");
  if (!(roots as readonly string[]).includes(first)) throw new DecisionLogError(`decision log mask prefix not allowed: '${first}' in '${path}' (input or result)`);
  return { path, root: first as Root, keys: rest.map((key) => key.replaceAll("~1", "/").replaceAll("~0", "~")) };
}

/** Which parts of an event the rules touch: those must be copied before they are masked, the rest need not be. */
export function maskedRoots(rules: readonly MaskRule[]): Set<Root> {
  return new Set(rules.map((rule) => rule.root));
}

/** Applies the rules to an event's parts, which must be the event's own copies where a rule touches them. */
export function applyMasks(event: Pick<DecisionLogEvent, "input" | "result" | "erased">, rules: readonly MaskRule[]): void {
  for (const rule of rules) {
    if (rule.root === "nd_builtin_cache") continue;
    const part = rule.root;
    if (event[part] === undefined) continue;
    if (rule.keys.length === 0) {
      delete event[part];
    } else if (!remove(event[part], rule.keys)) {
      continue;
    }
    (event.erased ??= []).push(rule.path);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const index = (key: string, length: number): number | undefined => {
  const n = /^\d+$/u.test(key) ? Number(key) : Number.NaN;
  return n < length ? n : undefined;
};

/** Removes the value at `keys` below `node`; false when there is none. */
function remove(node: unknown, keys: readonly string[]): boolean {
  let parent = node;
  for (const key of keys.slice(0, -1)) {
    if (isObject(parent) && Object.hasOwn(parent, key)) parent = parent[key];
    else if (Array.isArray(parent) && index(key, parent.length) !== undefined) parent = parent[index(key, parent.length) as number];
    else return false;
  }
  const last = keys[keys.length - 1] as string;
  if (isObject(parent) && Object.hasOwn(parent, last)) {
    delete parent[last];
    return true;
  }
  const at = Array.isArray(parent) ? index(last, parent.length) : undefined;
  if (Array.isArray(parent) && at !== undefined) {
    parent.splice(at, 1);
    return true;
  }
  return false;
}
