// The embedded decision point: request -> validate -> engine -> normalized decision. Every failure on the way is
// a decision with allow: false, never an exception to the caller.
import type { Enforcer } from "casbin";
import { LRUCache } from "lru-cache";
import { type PolicyBundle, loadBundle } from "./bundle/load.js";
import type { VerificationOptions } from "./bundle/verify.js";
import { readDruidJson } from "./json/druid-json.js";
import { engineError, invalidRequest, invalidSql, type Stamp } from "./decision.js";
import { BundleError, EngineError, asError } from "./errors.js";
import { cacheKey } from "./cache-key.js";
import { checkGrants } from "./grants.js";
import { CasbinGrantMatcher, createCasbinEnforcer } from "./grants/casbin.js";
import { IndexedGrants } from "./grants/indexed.js";
import type { GrantMatcher, ResourceCheck } from "./grants/matcher.js";
import { type Engine, matchedEngine, policyEngine } from "./policy/engine.js";
import { DEFAULT_PLAN_CACHE_BYTES, PlanMemo } from "./policy/plan-memo.js";
import { WasmPolicy, entrypoints } from "./policy/wasm-policy.js";
import { policyInput } from "./policy-input.js";
import { MAX_DEPTH } from "./request-hazards.js";
import { checkSettings } from "./settings.js";
import { CachedSqlAnalyzer } from "./sql/cached-analyzer.js";
import type { Decision, DecisionRequest, EngineName, PolicyDecision, ResourceAction } from "./types.js";

/** The grant matchers this package builds itself from `grants`. */
export type BuiltinEngine = "wasm" | "casbin";

export interface DecisionPointOptions {
  /** A bundle directory or .tar.gz, or a loaded bundle; defaults to the bundle this package ships. */
  bundle?: string | PolicyBundle;
  /** Verify the bundle's signature (OPA's bundle signing) before using it; an unsigned bundle is refused. */
  verification?: VerificationOptions;
  /** Druid basic-security grants; checked against the grants schema. Defaults to none (everything denied). */
  grants?: unknown;
  /** Druid settings by property name; checked against the settings schema. */
  settings?: unknown;
  /**
   * Who matches grants: "wasm" (the default), the policy itself over `grants` as its data; "casbin", a Casbin
   * enforcer built from `grants` (or `enforcer`). Decisions carry the name of the one that matched.
   */
  engine?: BuiltinEngine;
  /** A Casbin enforcer over a team's own adapter, instead of one built from `grants` (implies engine "casbin"). */
  enforcer?: Enforcer;
  /** Any other grant store: the policy asks it for roles, matches and patterns (implies its own engine name). */
  matcher?: GrantMatcher;
  /**
   * The most memory the WASM policy may grow to, in MiB (default 256). A decision that needs more is an
   * engine_error; the instance answers the next decision as before.
   */
  wasmMemoryMiB?: number;
  /** How many analyzed SQL statements to keep (default 1000). */
  sqlCacheEntries?: number;
  /**
   * How many decisions to remember, keyed by the request's JSON (default 10,000; 0 turns it off). Grants, settings
   * and bundle are fixed for a decision point, so the same request always gets the same decision. Off by default
   * with an external `enforcer` or `matcher`, whose grants can change underneath. Refusals (invalid_request, invalid_sql,
   * unsupported_sql) and engine errors are never remembered: they cost little to make again, and a client could
   * otherwise fill the cache with them.
   */
  decisionCacheEntries?: number;
  /**
   * The most the remembered decisions may hold, keys (the request text) and decisions together, counted as UTF-16
   * bytes (default 64 MiB, DEFAULT_DECISION_CACHE_BYTES). The least recently used go first.
   */
  decisionCacheBytes?: number;
  /**
   * The most the remembered answers to Druid's authorizer (druidAllow) may hold, keys and answers, in bytes
   * (default 16 MiB; 0 turns it off). Each answer depends on its message and the revision alone.
   */
  checkCacheBytes?: number;
  /**
   * The most the remembered halves of first-time decisions may hold, keys and answers, in bytes (default 16 MiB,
   * DEFAULT_PLAN_CACHE_BYTES; 0 turns it off): what a request requires whoever sends it, and who a caller is
   * (src/policy/plan-memo.ts). Kept with a caller's own `enforcer` or `matcher` too: neither half reads grants a
   * matcher holds.
   */
  planCacheBytes?: number;
}

/** What a cache holds now, for the service's gauges. */
export interface CacheSize {
  cache: "decisions" | "sql" | "checks" | "plans";
  entries?: number;
  bytes: number;
}

export interface DecisionPoint {
  readonly engine: EngineName;
  readonly revision: string;
  /** Decides a parsed request: any value, validated here. */
  decide(request: unknown): Promise<Decision>;
  /** Decides request text: text that is not JSON, or larger than MAX_REQUEST_BYTES, is a 400 decision. */
  decideJson(text: string): Promise<Decision>;
  /**
   * Decides without a promise, for hosts that cannot await on their request path. Only the WASM engine can; with
   * the Casbin engine this answers engine_error.
   */
  decideSync(request: unknown): Decision;
  /**
   * Druid's OPA authorizer asks about one resource action (msq/druid/allow): `input` is the `input` of the message
   * Druid sends. True only when the grants allow it; a malformed message, or any failure, is false. Answers from
   * the grants the policy holds as data: with a caller's own enforcer or matcher, whose grants the policy does not
   * see, every answer is false.
   */
  druidAllow(input: unknown): Promise<{ result: boolean; revision: string }>;
  /**
   * Switches to another bundle revision: a fresh WASM instance is loaded and must answer a smoke decision before
   * it replaces the current one, atomically; remembered decisions are dropped. On any failure it throws and the
   * current revision keeps serving.
   */
  swap(bundle: PolicyBundle): Promise<void>;
  /** What each cache holds now. */
  caches(): CacheSize[];
}

/**
 * Requests larger than this (as JSON text) are refused with a 400 decision rather than decided: every byte of a
 * request is parsed again inside the WASM policy, and the limits in the request schema are chosen so that the most
 * expensive request within them and within this size decides in under 50 ms (bench/limits.mjs).
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The default number of analyzed SQL statements kept (sqlCacheEntries). */
export const DEFAULT_SQL_CACHE_ENTRIES = 1000;

/** The default number of decisions remembered (decisionCacheEntries). */
export const DEFAULT_DECISION_CACHE_ENTRIES = 10_000;

/** The decision cache's default budget (decisionCacheBytes). */
export const DEFAULT_DECISION_CACHE_BYTES = 64 * 1024 * 1024;

/** The default budget of remembered answers to Druid's authorizer (checkCacheBytes). */
export const DEFAULT_CHECK_CACHE_BYTES = 16 * 1024 * 1024;

/** Druid's messages longer than this are answered but not remembered: an LDAP context can be large. */
const MAX_REMEMBERED_CHECK = 16 * 1024;

/** Decisions that are never remembered: refusals are cheap to make again, and engine errors may not recur. */
const UNREMEMBERED: ReadonlySet<string> = new Set(["invalid_request", "invalid_sql", "unsupported_sql", "engine_error"]);

/** The options' bundle, loaded (and verified) when it is given as a path or left to the default. */
export async function resolveBundle(options: Pick<DecisionPointOptions, "bundle" | "verification">): Promise<PolicyBundle> {
  if (typeof options.bundle === "object") return options.bundle;
  return loadBundle(options.bundle, options.verification ? { verification: options.verification } : {});
}

export async function createDecisionPoint(options: DecisionPointOptions = {}): Promise<DecisionPoint> {
  const bundle = await resolveBundle(options);
  // A bundle built with grants and settings (msq-authz bundle build) decides alone; options given here win.
  const grants = checkGrants(options.grants ?? bundle.data.grants ?? {}, options.grants ? "grants" : `bundle ${bundle.source}: data.grants`);
  const settings = checkSettings(options.settings ?? bundle.data.settings ?? {}, options.settings ? "settings" : `bundle ${bundle.source}: data.settings`);
  // A matcher the caller brings is kept across bundle swaps; one built here from grants is built again from a new
  // bundle's grants.
  const given = options.matcher ?? (options.enforcer ? new CasbinGrantMatcher(options.enforcer) : undefined);
  const build = async (next: PolicyBundle): Promise<Revision> => {
    // A point created without grants or settings takes each new bundle's own.
    const nextGrants = options.grants === undefined && next.data.grants !== undefined ? checkGrants(next.data.grants, `bundle ${next.source}: data.grants`) : grants;
    const nextSettings = options.settings === undefined && next.data.settings !== undefined ? checkSettings(next.data.settings, `bundle ${next.source}: data.settings`) : settings;
    const indexed = IndexedGrants.of(nextGrants);
    const policy = await WasmPolicy.load(next, nextGrants, nextSettings, options.wasmMemoryMiB, "host");
    const matcher = given ?? (options.engine === "casbin" ? new CasbinGrantMatcher(await createCasbinEnforcer(nextGrants)) : undefined);
    const plans = new PlanMemo(options.planCacheBytes ?? DEFAULT_PLAN_CACHE_BYTES);
    const engine = matcher ? matchedEngine(policy, matcher, plans) : policyEngine(policy, indexed, plans);
    return { engine, policy, grants: indexed, plans, stamp: { engine: engine.name, revision: policy.revision } };
  };
  const decisionCacheEntries = options.decisionCacheEntries ?? (given ? 0 : DEFAULT_DECISION_CACHE_ENTRIES);
  return new EmbeddedDecisionPoint(await build(bundle), {
    sqlCacheEntries: options.sqlCacheEntries ?? DEFAULT_SQL_CACHE_ENTRIES,
    decisionCacheEntries,
    decisionCacheBytes: options.decisionCacheBytes ?? DEFAULT_DECISION_CACHE_BYTES,
    checkCacheBytes: options.checkCacheBytes ?? DEFAULT_CHECK_CACHE_BYTES,
  }, build);
}

/** One bundle revision: the policy, its grants, how it decides, and the stamp its decisions carry. Swapped whole. */
interface Revision {
  engine: Engine;
  policy: WasmPolicy;
  /** The policy's own grants (data.grants), their patterns compiled once for this revision. */
  grants: IndexedGrants;
  /** What this revision's policy answered for requests and callers, remembered apart (either engine). */
  plans: PlanMemo;
  stamp: Stamp;
}

class EmbeddedDecisionPoint implements DecisionPoint {
  private readonly sql: CachedSqlAnalyzer;
  private readonly decisions: LRUCache<string, Decision> | undefined;
  private readonly checks: LRUCache<string, boolean> | undefined;

  constructor(
    private current: Revision,
    caches: { sqlCacheEntries: number; decisionCacheEntries: number; decisionCacheBytes: number; checkCacheBytes: number },
    private readonly build: (bundle: PolicyBundle) => Promise<Revision>,
  ) {
    this.sql = new CachedSqlAnalyzer({ entries: caches.sqlCacheEntries });
    this.decisions =
      caches.decisionCacheEntries > 0 && caches.decisionCacheBytes > 0
        ? new LRUCache<string, Decision>({
            max: caches.decisionCacheEntries,
            maxSize: caches.decisionCacheBytes,
            // V8 may hold a string in one byte per character, but not always: count two, and the decision as its JSON.
            sizeCalculation: (decision, key) => 2 * (key.length + JSON.stringify(decision).length),
          })
        : undefined;
    // Bounded by bytes alone: lru-cache allocates its arrays up front for a `max`, which for a million entries costs
    // more than a whole decision point's set-up.
    this.checks =
      caches.checkCacheBytes > 0
        ? new LRUCache<string, boolean>({ maxSize: caches.checkCacheBytes, sizeCalculation: (_, key) => 2 * key.length + 8 })
        : undefined;
  }

  caches(): CacheSize[] {
    return [
      { cache: "decisions", entries: this.decisions?.size ?? 0, bytes: this.decisions?.calculatedSize ?? 0 },
      { cache: "sql", bytes: this.sql.size },
      { cache: "checks", entries: this.checks?.size ?? 0, bytes: this.checks?.calculatedSize ?? 0 },
      { cache: "plans", ...this.current.plans.size },
    ];
  }

  private get stamp(): Stamp {
    return this.current.stamp;
  }

  get engine(): EngineName {
    return this.stamp.engine;
  }

  get revision(): string {
    return this.stamp.revision;
  }

  async druidAllow(input: unknown): Promise<{ result: boolean; revision: string }> {
    const { policy, grants, stamp } = this.current;
    let key: string | undefined;
    try {
      key = JSON.stringify(input);
    } catch {
      return { result: false, revision: stamp.revision }; // what JSON cannot hold is no message of Druid's
    }
    // Only messages short enough to remember are looked up.
    const remembering = key !== undefined && key.length <= MAX_REMEMBERED_CHECK ? cacheKey(key) : undefined;
    const remembered = remembering === undefined ? undefined : this.checks?.get(remembering);
    if (remembered !== undefined) return { result: remembered, revision: stamp.revision };
    let result: boolean;
    try {
      // msq/druid/allow, staged: the policy says which check and roles (or null: no allow), the grants match.
      const plan = policy.evaluate<{ check: ResourceCheck; roles: string[] } | null>(entrypoints.druidPlan, input, key);
      result = plan !== null && grants.match(plan.roles, plan.check) !== null;
    } catch {
      return { result: false, revision: stamp.revision }; // fails closed, and is asked again next time
    }
    if (remembering !== undefined && this.current.stamp === stamp) this.checks?.set(remembering, result);
    return { result, revision: stamp.revision };
  }

  async swap(bundle: PolicyBundle): Promise<void> {
    const next = await this.build(bundle);
    const smoke = next.engine.decide({ identity: { authenticated: true, user: "msq-authz-smoke" }, operation: "sql.task.enabled" });
    try {
      normalize(await smoke, next.stamp);
    } catch (cause) {
      throw new BundleError(`bundle ${bundle.source} fails its smoke decision: ${asError(cause).message}`, { cause });
    }
    // One assignment, in one tick: a decision uses either the old revision or the new one, whole.
    this.current = next;
    this.decisions?.clear();
    this.checks?.clear();
  }

  async decide(request: unknown): Promise<Decision> {
    const serialized = serialize(request);
    if ("refused" in serialized) return invalidRequest([serialized.refused], this.stamp);
    return this.decideKeyed(request, cacheKey(serialized.key));
  }

  /** Decides a request whose cache key (cacheKey of its JSON text) is known. */
  private async decideKeyed(request: unknown, key: string): Promise<Decision> {
    // The engine and its revision are taken together, once: a swap while this decision waits does not mix them.
    const { engine, stamp } = this.current;
    return this.recalled(key) ?? this.remember(key, await this.evaluate(request, engine, stamp), stamp);
  }

  decideSync(request: unknown): Decision {
    const serialized = serialize(request);
    if ("refused" in serialized) return invalidRequest([serialized.refused], this.stamp);
    const { engine, stamp } = this.current;
    const key = cacheKey(serialized.key);
    return this.recalled(key) ?? this.remember(key, this.evaluateSync(request, engine, stamp), stamp);
  }

  private async evaluate(request: unknown, engine: Engine, stamp: Stamp): Promise<Decision> {
    const checked = this.check(request, stamp);
    if ("refused" in checked) return checked.refused;
    try {
      return normalize(await engine.decide(checked.request), stamp);
    } catch (thrown) {
      return engineError(asError(thrown), stamp);
    }
  }

  private evaluateSync(request: unknown, engine: Engine, stamp: Stamp): Decision {
    const checked = this.check(request, stamp);
    if ("refused" in checked) return checked.refused;
    try {
      if (!engine.decideSync) throw new EngineError(`the ${stamp.engine} engine has no synchronous path; use decide()`);
      return normalize(engine.decideSync(checked.request), stamp);
    } catch (thrown) {
      return engineError(asError(thrown), stamp);
    }
  }

  private recalled(key: string): Decision | undefined {
    return this.decisions?.get(key);
  }

  /** Decisions are frozen, so a remembered one cannot be changed by the caller it was handed to. */
  private remember(key: string, decision: Decision, stamp: Stamp): Decision {
    const frozen = deepFreeze(decision);
    // A decision made by a revision that was swapped out meanwhile is answered, but not remembered.
    if (!UNREMEMBERED.has(decision.code) && stamp === this.stamp) this.decisions?.set(key, frozen);
    return frozen;
  }

  /** Validates the request and turns raw SQL into the statement the policy reads. */
  private check(request: unknown, stamp: Stamp): { request: DecisionRequest } | { refused: Decision } {
    const prepared = policyInput(request, this.sql);
    if ("invalidRequest" in prepared) return { refused: invalidRequest(prepared.invalidRequest, stamp) };
    if ("invalidSql" in prepared) return { refused: invalidSql(prepared.invalidSql, stamp) };
    return { request: prepared.input };
  }

  async decideJson(text: string): Promise<Decision> {
    if (Buffer.byteLength(text, "utf8") > MAX_REQUEST_BYTES) {
      return invalidRequest([`/: the request is larger than ${MAX_REQUEST_BYTES} bytes`], this.stamp);
    }
    const key = cacheKey(text);
    const recalled = this.recalled(key);
    if (recalled) return recalled;
    // Read as Druid's Jackson reads request bodies: a key twice in an object is refused, not last-wins.
    const read = readDruidJson(text);
    if ("error" in read) return invalidRequest([`/: not JSON as Druid reads it: ${read.error.message}`], this.stamp);
    // Remembered by its text only: the same request sent as text again is answered without parsing it. What the
    // reader accepts is no deeper than 64 levels, so nothing in it is beyond JSON.stringify (serialize).
    return this.decideKeyed(read.value, key);
  }
}

/**
 * The request's JSON text, the key decisions are remembered by, or why JSON cannot hold it: a cycle, a BigInt, or
 * nesting so deep that JSON.stringify runs out of stack (shallower excess nesting is named by requestHazard).
 */
function serialize(request: unknown): { key: string } | { refused: string } {
  let key: string;
  try {
    key = JSON.stringify(request) ?? "undefined";
  } catch (error) {
    return { refused: error instanceof RangeError ? `/: nested deeper than ${MAX_DEPTH} levels` : `/: not serializable as JSON: ${asError(error).message.split("\n")[0]}` };
  }
  // A parsed request is held to the size a request text is: the policy's work grows with every byte of its input.
  if (key.length > MAX_REQUEST_BYTES || Buffer.byteLength(key, "utf8") > MAX_REQUEST_BYTES) {
    return { refused: `/: the request is larger than ${MAX_REQUEST_BYTES} bytes` };
  }
  return { key };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * The policy's answer in the contract's shape. That the policy answers within the decision schema is proven by the
 * tests (every case, generated and hostile requests); here only what is not a decision at all is an engine error.
 */
function normalize(decision: PolicyDecision, stamp: Stamp): Decision {
  if (typeof decision !== "object" || decision === null || typeof decision.allow !== "boolean" || !Array.isArray(decision.reasons)) {
    throw new EngineError(`the engine answered something that is not a decision: ${JSON.stringify(decision)?.slice(0, 200)}`);
  }
  return inContractOrder(decision, stamp);
}

// The policy's JSON comes back with keys in its own order; print decisions in the contract's order.
function inContractOrder(decision: PolicyDecision, stamp: Stamp): Decision {
  const action = (ra: ResourceAction): ResourceAction => ({ type: ra.type, name: ra.name, action: ra.action });
  return {
    allow: decision.allow,
    status: decision.status,
    code: decision.code,
    required: decision.required?.map(action),
    missing: decision.missing?.map(action),
    matched: decision.matched?.map((m) => ({ ...action(m), role: m.role, pattern: m.pattern })),
    reasons: decision.reasons,
    ...(decision.warnings === undefined ? {} : { warnings: decision.warnings }),
    ...(decision.filter === undefined ? {} : { filter: decision.filter }),
    ...stamp,
  };
}
