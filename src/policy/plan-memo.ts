// The two halves of a decision's plan, remembered within one bundle revision: what a request requires whoever sends
// it (msq/authz/shape), and who a caller is (msq/authz/caller). Many users send the same queries, and one user sends
// many: a first-time decision whose halves are both remembered costs one evaluation of the policy (finalize), not
// two. The policy says what its shape may be remembered for: the shape is evaluated on the request with the
// identity's name blanked and its groups left out, so that it cannot depend on them, and evaluated again with the
// name only where the shape says a rule reads it (`vary`: a statement's owner).
import { LRUCache } from "lru-cache";
import { cacheKey } from "../cache-key.js";
import type { Evidence, ResourceCheck } from "../grants/matcher.js";
import type { PolicyDecision } from "../types.js";

/** What msq/authz/shape answers, as far as the host reads it. */
export interface Shape {
  vary: string[];
  /** The refusal the request's own blockers make: the decision, unless the caller's identity is refused too. */
  blocked: PolicyDecision | null;
  checks: ResourceCheck[];
  listings: { type: string; action: string }[];
  /** What a task list lists (null for every other operation), its tasks as the request gives them. */
  listing: { tasks: { datasource: string }[] | null } | null;
}

/** What msq/authz/caller answers, as far as the host reads it. */
export interface Caller {
  user: string;
  roles: string[];
  blockers: unknown[];
}

/** A value the policy answered, and its JSON text, which finalize's input takes as it is. */
export interface Answered<T> {
  value: T;
  json: string;
}

/** The policy's evaluation of an entrypoint's input, given as JSON text. */
export type Evaluate<T> = (json: string) => T;

/** The default budget of remembered shapes and callers (planCacheBytes). */
export const DEFAULT_PLAN_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * A request whose identity-free text is longer than this is planned but its shape is not remembered: hashing and
 * holding a large request's shape costs more than its rare repetition by another caller saves (the decision cache
 * still remembers the whole decision).
 */
const MAX_REMEMBERED_SHAPE = 64 * 1024;

/** Marks a shape that varies with the caller's name: it is remembered under the request with the name. */
const VARIES = Symbol("varies with the caller's name");

type Entry = Answered<unknown> | typeof VARIES;

/** The identity as a shape is evaluated with: no groups, and a name (when it has one) blanked. */
interface Identity {
  user?: unknown;
  groups?: unknown;
  [field: string]: unknown;
}

export class PlanMemo {
  private readonly remembered: LRUCache<string, Entry> | undefined;

  /** `bytes`: the most keys and texts together may hold, counted as UTF-16 (0 remembers nothing). */
  constructor(bytes: number) {
    this.remembered =
      bytes > 0
        ? new LRUCache<string, Entry>({
            maxSize: bytes,
            sizeCalculation: (entry, key) => 2 * (key.length + (entry === VARIES ? 0 : entry.json.length)) + 16,
          })
        : undefined;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.remembered?.size ?? 0, bytes: this.remembered?.calculatedSize ?? 0 };
  }

  /** Who the identity's caller is, evaluated once per identity. */
  caller(identity: unknown, evaluate: Evaluate<Caller>): Answered<Caller> {
    const json = `{"identity":${JSON.stringify(identity ?? null)}}`;
    const key = `c${cacheKey(json)}`;
    const recalled = this.remembered?.get(key);
    if (recalled !== undefined && recalled !== VARIES) return recalled as Answered<Caller>;
    const caller = answered(evaluate(json));
    this.remembered?.set(key, caller);
    return caller;
  }

  /** What the request requires, evaluated once per request text without the caller (with its name, where it varies). */
  shape<R extends { identity?: Identity }>(request: R, evaluate: Evaluate<Shape>): Answered<Shape> {
    const { groups: _groups, ...named } = request.identity ?? {};
    const blank = typeof named.user === "string" ? { ...named, user: "" } : named;
    const json = JSON.stringify({ ...request, identity: blank });
    // A large request is neither hashed nor remembered.
    const memo = json.length <= MAX_REMEMBERED_SHAPE ? this.remembered : undefined;
    const key = memo && `s${cacheKey(json)}`;
    const recalled = key === undefined ? undefined : memo?.get(key);
    if (recalled === undefined) {
      const shape = answered(evaluate(json));
      if (key !== undefined) memo?.set(key, shape.value.vary.length === 0 ? shape : VARIES);
      if (shape.value.vary.length === 0) return shape;
    } else if (recalled !== VARIES) {
      return recalled as Answered<Shape>;
    }
    // A rule reads the caller's name: the shape is the request's with the name, remembered for that name alone.
    const withName = JSON.stringify({ ...request, identity: named });
    const namedKey = memo && `s${cacheKey(withName)}`;
    const own = namedKey === undefined ? undefined : memo?.get(namedKey);
    if (own !== undefined && own !== VARIES) return own as Answered<Shape>;
    const shape = answered(evaluate(withName));
    if (namedKey !== undefined) memo?.set(namedKey, shape);
    return shape;
  }
}

function answered<T>(value: T): Answered<T> {
  return { value, json: JSON.stringify(value) };
}

/** finalize's input, written from the texts already at hand. */
export function finalizeInput(shape: Answered<Shape>, caller: Answered<Caller>, evidence: Evidence): string {
  return `{"shape":${shape.json},"caller":${caller.json},"evidence":${JSON.stringify(evidence)}}`;
}
