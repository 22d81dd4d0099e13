// Where new bundle revisions come from: an HTTP(S) URL polled with ETag / If-None-Match (OPA's bundle service
// protocol; a 304 keeps the current revision), or a file. Polls at an interval with jitter, backs off exponentially
// on errors, and hands each new, verified bundle to whoever listens. It never swaps anything itself.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { BundleError, asError } from "../errors.js";
import { type LoadOptions, type PolicyBundle, bundleFromArchive, loadBundle } from "./load.js";

export interface BundleSourceOptions extends LoadOptions {
  /** An http(s) URL, a .tar.gz file, or a bundle directory. */
  location: string;
  /** Between polls (default 30 s), give or take 20%. */
  pollIntervalMs?: number;
  /** The longest wait after repeated failures (default 5 min). */
  maxBackoffMs?: number;
  /** Extra request headers, e.g. an authorization for the bundle server. */
  headers?: Record<string, string>;
}

export interface BundleStatus {
  location: string;
  revision?: string;
  lastSuccess?: string;
  lastError?: string;
  lastErrorAt?: string;
  failures: number;
}

export interface BundleSourceEvents {
  /** A new, verified bundle, not yet in use. */
  bundle: [PolicyBundle];
  /** The listener swapped it in. */
  activated: [PolicyBundle];
  error: [Error];
}

export class BundleSource extends EventEmitter<BundleSourceEvents> {
  private etag: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  readonly status: BundleStatus;

  constructor(private readonly options: BundleSourceOptions) {
    super();
    this.status = { location: options.location, failures: 0 };
  }

  /** Fetches once: the new bundle, or undefined when the server (or file) has nothing new. Throws BundleError. */
  async fetch(): Promise<PolicyBundle | undefined> {
    const { location } = this.options;
    if (/^https?:\/\//u.test(location)) return this.fetchUrl(location);
    if (location.endsWith(".tar.gz")) {
      const bytes = await readFile(location);
      const etag = createHash("sha256").update(bytes).digest("hex");
      if (etag === this.etag) return undefined;
      const bundle = await bundleFromArchive(bytes, location, this.options);
      this.etag = etag;
      return bundle;
    }
    return this.etag === undefined ? ((this.etag = "directory"), loadBundle(location, this.options)) : undefined;
  }

  private async fetchUrl(url: string): Promise<PolicyBundle | undefined> {
    let response: Response;
    try {
      response = await fetch(url, { headers: { ...this.options.headers, ...(this.etag ? { "if-none-match": this.etag } : {}) } });
    } catch (cause) {
      throw new BundleError(`cannot reach ${url}: ${asError(cause).message}`, { cause });
    }
    if (response.status === 304) return undefined;
    if (!response.ok) throw new BundleError(`${url} answered ${response.status}`);
    const limit = this.options.maxArchiveBytes ?? 64 * 1024 * 1024;
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > limit) throw new BundleError(`${url} offers ${declared} bytes, more than ${limit}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const bundle = await bundleFromArchive(bytes, url, this.options);
    this.etag = response.headers.get("etag") ?? undefined;
    return bundle;
  }

  /** Polls once, records the outcome, and tells listeners. Never throws. */
  async poll(): Promise<void> {
    try {
      const bundle = await this.fetch();
      this.consecutiveFailures = 0;
      this.status.lastSuccess = new Date().toISOString();
      if (bundle) this.emit("bundle", bundle);
    } catch (error) {
      this.fail(asError(error));
    }
  }

  /** Marks a revision as active (the listener validated and swapped it) or refused. */
  activated(bundle: PolicyBundle): void {
    this.status.revision = bundle.manifest.revision;
    this.emit("activated", bundle);
  }

  fail(error: Error): void {
    this.consecutiveFailures += 1;
    this.status.failures += 1;
    this.status.lastError = error.message;
    this.status.lastErrorAt = new Date().toISOString();
    this.emit("error", error);
  }

  start(): void {
    const schedule = (): void => {
      const base = this.options.pollIntervalMs ?? 30_000;
      const backoff = Math.min(this.options.maxBackoffMs ?? 300_000, base * 2 ** Math.min(this.consecutiveFailures, 10));
      const wait = backoff * (0.8 + Math.random() * 0.4);
      this.timer = setTimeout(() => void this.poll().then(schedule), wait);
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
