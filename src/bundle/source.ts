// Where new bundle revisions come from: an HTTP(S) URL polled with ETag / If-None-Match (OPA's bundle service
// protocol; a 304 keeps the current revision), or a file. Polls at an interval with jitter, backs off exponentially
// on errors, and hands each new, verified bundle to whoever listens. It never swaps anything itself.
// A download is read as a stream, held to the archive limit while it arrives, and bounded in time: a bundle
// server that stalls, trickles or sends too much is a failed poll, never a hung one or an exhausted heap.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
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
  /** How long a download may take, each step and in all (DEFAULT_DOWNLOAD_TIMEOUTS). */
  timeouts?: Partial<DownloadTimeouts>;
}

export interface DownloadTimeouts {
  /** To open the connection (TCP). */
  connectMs: number;
  /** From connected to the response's status and headers. */
  headersMs: number;
  /** Between two pieces of the body: a server that stops sending. */
  idleMs: number;
  /** For the whole download: a server that trickles. */
  totalMs: number;
}

const DEFAULT_DOWNLOAD_TIMEOUTS: DownloadTimeouts = { connectMs: 10_000, headersMs: 10_000, idleMs: 10_000, totalMs: 120_000 };

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
    const response = await download(url, {
      headers: { ...this.options.headers, ...(this.etag ? { "if-none-match": this.etag } : {}) },
      maxBytes: this.options.maxArchiveBytes ?? 64 * 1024 * 1024,
      timeouts: { ...DEFAULT_DOWNLOAD_TIMEOUTS, ...this.options.timeouts },
    });
    if (response.body === undefined) return undefined;
    const bundle = await bundleFromArchive(response.body, url, this.options);
    this.etag = response.etag;
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
    // An EventEmitter throws an "error" that nobody listens for, which would end the polling; the status above
    // records the failure whether anyone listens or not.
    if (this.listenerCount("error") > 0) this.emit("error", error);
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

interface Downloaded {
  /** Undefined for a 304: nothing new. */
  body?: Buffer;
  etag?: string;
}

/**
 * GETs `url` into memory, refusing it (BundleError) as soon as it is larger than `maxBytes` or slower than the
 * timeouts allow. A fresh connection each time (no agent), so the connect timeout always means what it says.
 */
function download(url: string, options: { headers: Record<string, string>; maxBytes: number; timeouts: DownloadTimeouts }): Promise<Downloaded> {
  const { maxBytes, timeouts } = options;
  return new Promise((resolve, reject) => {
    let step: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(step);
      clearTimeout(whole);
      outcome();
    };
    const fail = (reason: string, cause?: unknown): void =>
      finish(() => {
        request.destroy();
        reject(new BundleError(`bundle download from ${url} failed: ${reason}`, cause === undefined ? undefined : { cause }));
      });
    const within = (ms: number, what: string): void => {
      clearTimeout(step);
      step = setTimeout(() => fail(`${what} within ${ms} ms`), ms);
    };
    const whole = setTimeout(() => fail(`not complete within ${timeouts.totalMs} ms`), timeouts.totalMs);
    let request: ReturnType<typeof httpRequest>;
    try {
      request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, { headers: options.headers, agent: false });
    } catch (cause) {
      clearTimeout(whole);
      reject(new BundleError(`cannot reach ${url}: ${asError(cause).message}`, { cause }));
      return;
    }
    within(timeouts.connectMs, "no connection");
    request.once("socket", (socket) => {
      if (socket.connecting) socket.once("connect", () => within(timeouts.headersMs, "no answer"));
      else within(timeouts.headersMs, "no answer");
    });
    request.once("error", (cause) => fail(`cannot reach it: ${asError(cause).message}`, cause));
    request.once("response", (response) => {
      const status = response.statusCode ?? 0;
      if (status === 304) {
        response.resume();
        finish(() => resolve({}));
        return;
      }
      if (status < 200 || status > 299) return fail(`it answered ${status}`);
      const declared = Number(response.headers["content-length"] ?? 0);
      if (declared > maxBytes) return fail(`it offers ${declared} bytes, more than ${maxBytes}`);
      const chunks: Buffer[] = [];
      let received = 0;
      within(timeouts.idleMs, "no data");
      response.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) return fail(`it sent more than ${maxBytes} bytes`);
        chunks.push(chunk);
        within(timeouts.idleMs, "no data");
      });
      response.once("error", (cause) => fail(`the download broke off: ${asError(cause).message}`, cause));
      response.once("aborted", () => fail("the server closed the connection mid-body"));
      response.once("end", () => {
        const etag = response.headers.etag;
        finish(() => resolve({ body: Buffer.concat(chunks, received), ...(etag === undefined ? {} : { etag }) }));
      });
    });
    request.end();
  });
}
