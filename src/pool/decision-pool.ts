// A decision point whose decisions are made in worker threads (pool-worker.ts), each with its own WASM instance and
// caches: an expensive decision occupies one worker while the others, and the thread that answers /health and
// /metrics, go on. Each request goes to the worker with the fewest in flight. A worker that dies is replaced, and
// what it was deciding is answered as an engine error. Swaps go to every worker: one first, the rest after it
// succeeds, and back to the previous bundle everywhere if one of the rest fails.
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { PolicyBundle } from "../bundle/load.js";
import { type Stamp, engineError, invalidRequest } from "../decision.js";
import {
  type CacheSize,
  DEFAULT_CHECK_CACHE_BYTES,
  DEFAULT_DECISION_CACHE_BYTES,
  DEFAULT_DECISION_CACHE_ENTRIES,
  DEFAULT_SQL_CACHE_ENTRIES,
  type DecisionPoint,
  type DecisionPointOptions,
  resolveBundle,
} from "../decision-point.js";
import { BundleError, EngineError, asError } from "../errors.js";
import { DEFAULT_PLAN_CACHE_BYTES } from "../policy/plan-memo.js";
import type { Decision } from "../types.js";
import type { PoolAnswer, PoolAsk, PoolReady, PoolRequest } from "./pool-worker.js";

export interface DecisionPool extends DecisionPoint {
  /** How many workers decide. */
  readonly size: number;
  /**
   * Decides each text as decideJson does, on one worker, and answers one decision JSON line each, in order (what
   * `decide --batch` writes). Unlike the other methods it rejects when the worker fails.
   */
  decideJsonLines(texts: string[]): Promise<string>;
  /** Stops every worker; what they were deciding is answered as an engine error. */
  close(): Promise<void>;
}

export interface PoolOptions {
  /**
   * Each worker's JavaScript heap ceiling, in MiB (V8's old generation; default: the process's). A worker that
   * needs more dies, what it was deciding is an engine error, and a new worker takes its place.
   */
  heapMiB?: number;
}

/**
 * A decision pool of `size` workers, each made from `options` (plain data: a bundle, grants, settings, an engine
 * name; not an enforcer or matcher, which cannot cross threads). The cache budgets are shared among the workers, so
 * the pool holds no more than one decision point would.
 */
export async function createDecisionPool(options: DecisionPointOptions, size: number, pool: PoolOptions = {}): Promise<DecisionPool> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`a decision pool needs at least one worker, not ${size}`);
  if (options.enforcer !== undefined || options.matcher !== undefined) {
    throw new TypeError("a decision pool's workers cannot share an enforcer or a matcher: give grants instead");
  }
  // Loaded (and verified) once here, then handed to every worker.
  const bundle = await resolveBundle(options);
  const share = (budget: number) => Math.ceil(budget / size);
  const each: DecisionPointOptions & { bundle: PolicyBundle } = {
    ...options,
    bundle,
    sqlCacheEntries: share(options.sqlCacheEntries ?? DEFAULT_SQL_CACHE_ENTRIES),
    decisionCacheEntries: share(options.decisionCacheEntries ?? DEFAULT_DECISION_CACHE_ENTRIES),
    decisionCacheBytes: share(options.decisionCacheBytes ?? DEFAULT_DECISION_CACHE_BYTES),
    checkCacheBytes: share(options.checkCacheBytes ?? DEFAULT_CHECK_CACHE_BYTES),
    planCacheBytes: share(options.planCacheBytes ?? DEFAULT_PLAN_CACHE_BYTES),
  };
  const limits = pool.heapMiB === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: pool.heapMiB } };
  const start = (from: DecisionPointOptions) => PoolWorker.start(from, limits);
  const workers = await Promise.all(Array.from({ length: size }, () => start(each)));
  return new Pool(workers, each, start);
}

class Pool implements DecisionPool {
  private stamp: Stamp;
  private closed = false;

  constructor(
    private readonly workers: PoolWorker[],
    /** What every worker is made from, the bundle loaded: a replacement worker takes the current one. */
    private options: DecisionPointOptions & { bundle: PolicyBundle },
    private readonly start: (options: DecisionPointOptions) => Promise<PoolWorker>,
  ) {
    this.stamp = (workers[0] as PoolWorker).stamp;
    for (const worker of workers) this.keep(worker);
  }

  get engine(): Decision["engine"] {
    return this.stamp.engine;
  }

  get revision(): string {
    return this.stamp.revision;
  }

  get size(): number {
    return this.workers.length;
  }

  async decide(request: unknown): Promise<Decision> {
    return this.decision({ op: "decide", request });
  }

  async decideJson(text: string): Promise<Decision> {
    return this.decision({ op: "decideJson", text });
  }

  async decideJsonLines(texts: string[]): Promise<string> {
    return (await this.next().ask({ op: "decideJsonLines", texts })) as string;
  }

  decideSync(): Decision {
    return engineError(new EngineError("a decision pool decides in its workers: decideSync needs a decision point of its own"), this.stamp);
  }

  async druidAllow(input: unknown): Promise<{ result: boolean; revision: string }> {
    try {
      return (await this.next().ask({ op: "druidAllow", input })) as { result: boolean; revision: string };
    } catch {
      return { result: false, revision: this.stamp.revision };
    }
  }

  async swap(bundle: PolicyBundle): Promise<void> {
    const [first, ...rest] = this.workers as [PoolWorker, ...PoolWorker[]];
    // A bundle that does not load fails here, and nothing has changed.
    const revision = (await first.ask({ op: "swap", bundle })) as string;
    const results = await Promise.allSettled(rest.map((worker) => worker.ask({ op: "swap", bundle })));
    const failed = results.find((result) => result.status === "rejected");
    if (failed) {
      await Promise.allSettled(this.workers.map((worker) => worker.ask({ op: "swap", bundle: this.options.bundle })));
      throw new BundleError(`bundle ${bundle.source}: a pool worker could not load it: ${asError(failed.reason).message}`);
    }
    this.options = { ...this.options, bundle };
    this.stamp = { engine: this.stamp.engine, revision };
  }

  caches(): CacheSize[] {
    const totals = new Map<CacheSize["cache"], CacheSize>();
    for (const { caches } of this.workers) {
      for (const { cache, entries, bytes } of caches) {
        const total = totals.get(cache) ?? { cache, bytes: 0, ...(entries === undefined ? {} : { entries: 0 }) };
        total.bytes += bytes;
        if (entries !== undefined) total.entries = (total.entries ?? 0) + entries;
        totals.set(cache, total);
      }
    }
    return [...totals.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  private async decision(ask: PoolAsk): Promise<Decision> {
    const stamp = this.stamp;
    try {
      return (await this.next().ask(ask)) as Decision;
    } catch (error) {
      // What structured cloning cannot carry (a function, a symbol) is no JSON request either.
      if (error instanceof Error && error.name === "DataCloneError") return invalidRequest([`/: not serializable as JSON: ${error.message}`], stamp);
      return engineError(asError(error), stamp);
    }
  }

  /**
   * The live worker with the fewest requests in flight: a long decision keeps only its own worker busy, and a dead
   * one (until its replacement starts) is asked only when no worker lives.
   */
  private next(): PoolWorker {
    const live = this.workers.filter((worker) => worker.alive);
    const candidates = live.length > 0 ? live : this.workers;
    let best = candidates[0] as PoolWorker;
    for (const worker of candidates) if (worker.inFlight < best.inFlight) best = worker;
    return best;
  }

  /** A worker that exits is replaced by one made from the current options and bundle. */
  private keep(worker: PoolWorker): void {
    worker.exited.then(async () => {
      if (this.closed) return;
      const index = this.workers.indexOf(worker);
      try {
        const replacement = await this.start(this.options);
        if (this.closed) return void (await replacement.stop());
        this.workers[index] = replacement;
        this.keep(replacement);
      } catch {
        // Could not start: the dead worker stays in its place and answers engine errors, which /metrics counts.
      }
    }, () => undefined);
  }
}

/** One worker thread and the requests it has been sent. */
class PoolWorker {
  caches: CacheSize[] = [];
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private dead: Error | undefined;
  readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly stamp: Stamp,
  ) {
    this.worker.on("message", (message: PoolAnswer) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (this.waiting.size === 0) this.worker.unref();
      this.caches = message.caches;
      if ("error" in message) waiter?.reject(new EngineError(message.error));
      else waiter?.resolve(message.value);
    });
    this.exited = new Promise((resolve) => {
      const fail = (error: Error) => {
        this.dead ??= error;
        for (const { reject } of this.waiting.values()) reject(error);
        this.waiting.clear();
      };
      this.worker.on("error", (error) => fail(new EngineError(`a pool worker failed: ${error.message}`, { cause: error })));
      this.worker.on("exit", (code) => {
        fail(new EngineError(`a pool worker exited (${code})`));
        resolve();
      });
    });
    // A worker keeps the process alive only while it owes an answer: an idle pool does not hold up its exit.
    this.worker.unref();
  }

  static start(options: DecisionPointOptions, limits: Pick<WorkerOptions, "resourceLimits">): Promise<PoolWorker> {
    const worker = new Worker(new URL("./pool-worker.js", import.meta.url), { workerData: options, ...limits });
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(new BundleError(`a pool worker could not start: ${error.message}`, { cause: error }));
      worker.once("error", failed);
      worker.once("message", (message: PoolReady) => {
        worker.off("error", failed);
        if ("failed" in message) {
          void worker.terminate();
          reject(new BundleError(message.failed));
        } else {
          resolve(new PoolWorker(worker, { engine: message.ready.engine, revision: message.ready.revision }));
        }
      });
    });
  }

  get inFlight(): number {
    return this.waiting.size;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  ask(ask: PoolAsk): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      try {
        this.worker.postMessage({ id, ...ask } as PoolRequest);
      } catch (error) {
        this.waiting.delete(id);
        if (this.waiting.size === 0) this.worker.unref();
        reject(asError(error));
      }
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
