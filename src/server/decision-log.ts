// Decision logs in OPA's format (plugins/logs): one event per decision, written as a JSON line to a file, or batched
// and POSTed to an HTTP sink as OPA's decision-log plugin uploads them (a gzip-compressed JSON array of events, each
// request at most upload_size_limit_bytes compressed, `Content-Encoding: gzip`, `Content-Type: application/json`,
// every min..max delay, backing off on failure).
// A decision never waits on its log: recording builds and serializes the event and queues it, nothing more. What
// waits is bounded in bytes; when the bound is reached the oldest events are dropped, as OPA's size buffer drops its
// oldest chunks, and every drop is counted. One upload at a time, each with a deadline; a batch is retried a bounded
// number of times, then dropped.
import { randomUUID } from "node:crypto";
import { closeSync, createWriteStream, openSync, type WriteStream } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { asError } from "../errors.js";
import { version } from "../version.js";
import { type DecisionLogEvent, WallClock, rfc3339Nano } from "./decision-log-event.js";
import { DecisionLogError, type MaskRule, applyMasks, maskRule, maskedRoots } from "./decision-log-mask.js";

export { DecisionLogError } from "./decision-log-mask.js";

const gzip = promisify(gzipCallback);


export interface DecisionLogOptions {
  /** A file (events appended as JSON lines) or an http(s) URL (OPA's decision-log service API: the full URL). */
  sink: string;
  /** OPA mask paths to erase from each event: `/input/identity/user`, `/input/context`, `/result/reasons`. */
  mask?: string[];
  /** Events waiting to be written or uploaded, in bytes of their JSON (default 8 MiB); beyond it the oldest go. */
  bufferBytes?: number;
  /** The largest upload, gzip-compressed (OPA's upload_size_limit_bytes, default 32768). */
  uploadSizeLimitBytes?: number;
  /** Between uploads, a random wait from min to max (OPA's min/max_delay_seconds: 300 and 600 s by default). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** One upload, from connecting to the sink's answer (default 10 s). */
  uploadTimeoutMs?: number;
  /** Retries of a failed upload: an event in as many failed uploads as this plus one is dropped (default 10). */
  maxRetries?: number;
  /** Extra labels; `id` and `version` are set as OPA sets them unless given here. */
  labels?: Record<string, string>;
}

export const DECISION_LOG_DEFAULTS = {
  bufferBytes: 8 * 1024 * 1024,
  uploadSizeLimitBytes: 32_768,
  minDelayMs: 300_000,
  maxDelayMs: 600_000,
  uploadTimeoutMs: 10_000,
  maxRetries: 10,
} as const;

/** OPA's minimum wait after a failed upload, doubled for each failure in a row up to the max delay. */
const MIN_RETRY_DELAY_MS = 100;

export type DropReason = "buffer_full" | "too_large" | "upload_failed" | "write_failed";
export const DROP_REASONS: readonly DropReason[] = ["buffer_full", "too_large", "upload_failed", "write_failed"];

/** What the log reports as it goes: metrics count it, the server's logger tells operators. */
export interface DecisionLogHooks {
  recorded?(): void;
  delivered?(events: number): void;
  dropped?(reason: DropReason, events: number): void;
  uploaded?(ok: boolean): void;
  warn?(message: string): void;
}

/** One decision, as a route saw it. */
export interface DecisionRecord {
  decisionId: string;
  /** The policy path decided: `msq/authz/decision`. */
  path: string;
  input: unknown;
  result: unknown;
  /** The revision that made the decision (the decision names it). */
  revision: string;
  requestedBy?: string;
  /** From the request's arrival to its decision. */
  handlerNs?: bigint;
}

interface Sink {
  write(text: string, bytes: number): void;
  readonly bufferedBytes: number;
  close(timeoutMs: number): Promise<void>;
}

export class DecisionLog {
  private readonly rules: MaskRule[];
  private readonly copy: Set<string>;
  private readonly labels: Record<string, string>;
  private readonly clock = new WallClock();
  private readonly sink: Sink;
  private closed = false;

  /** Opens the sink (a file now, so a path that cannot be written fails at start); throws DecisionLogError. */
  constructor(
    options: DecisionLogOptions,
    private readonly bundleName: string,
    private readonly hooks: DecisionLogHooks = {},
  ) {
    this.rules = (options.mask ?? []).map(maskRule);
    this.copy = maskedRoots(this.rules);
    this.labels = { id: randomUUID(), version, ...options.labels };
    const settings = { ...DECISION_LOG_DEFAULTS, ...definedOnly(options) };
    checkSettings(settings);
    this.sink = /^https?:\/\//iu.test(options.sink) ? new HttpSink(sinkUrl(options.sink), settings, hooks) : new FileSink(options.sink, settings.bufferBytes, hooks);
  }

  newDecisionId(): string {
    return randomUUID();
  }

  /** Bytes of events not yet delivered: queued, or being written or uploaded. */
  get bufferedBytes(): number {
    return this.sink.bufferedBytes;
  }

  /** Queues the decision's event and returns; never throws, never waits. */
  record(decision: DecisionRecord): void {
    if (this.closed) return;
    let text: string;
    try {
      text = JSON.stringify(this.event(decision));
    } catch (error) {
      this.hooks.warn?.(`decision log event ${decision.decisionId} could not be serialized: ${asError(error).message}`);
      return;
    }
    this.hooks.recorded?.();
    this.sink.write(text, Buffer.byteLength(text));
  }

  private event(decision: DecisionRecord): DecisionLogEvent {
    const masked: Pick<DecisionLogEvent, "input" | "result" | "erased"> = {
      ...(decision.input === undefined ? {} : { input: this.copy.has("input") ? clone(decision.input) : decision.input }),
      ...(decision.result === undefined ? {} : { result: this.copy.has("result") ? clone(decision.result) : decision.result }),
    };
    applyMasks(masked, this.rules);
    // Keys in the order OPA's EventV1 writes them.
    return {
      labels: this.labels,
      decision_id: decision.decisionId,
      bundles: { [this.bundleName]: { revision: decision.revision } },
      path: decision.path,
      ...masked,
      ...(decision.requestedBy === undefined ? {} : { requested_by: decision.requestedBy }),
      timestamp: rfc3339Nano(this.clock.nowNs()),
      ...(decision.handlerNs === undefined ? {} : { metrics: { timer_server_handler_ns: Number(decision.handlerNs) } }),
    };
  }

  /** Stops taking events and delivers what waits, for at most the upload timeout; what is left is reported. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sink.close(this.closeTimeoutMs);
  }

  private get closeTimeoutMs(): number {
    return this.sink instanceof HttpSink ? this.sink.uploadTimeoutMs : 5_000;
  }
}

type Settings = { -readonly [K in keyof typeof DECISION_LOG_DEFAULTS]: number };

function definedOnly(options: DecisionLogOptions): Partial<Settings> {
  const picked: Partial<Settings> = {};
  for (const key of Object.keys(DECISION_LOG_DEFAULTS) as (keyof Settings)[]) {
    const value = options[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

function checkSettings(settings: Settings): void {
  for (const [key, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0 || (key !== "maxRetries" && key !== "minDelayMs" && value === 0)) {
      throw new DecisionLogError(`decision log ${key} must be a positive number, not ${value}`);
    }
  }
  if (settings.maxDelayMs < settings.minDelayMs) throw new DecisionLogError("decision log max delay must be at least its min delay");
}

function sinkUrl(text: string): URL {
  try {
    return new URL(text);
  } catch (cause) {
    throw new DecisionLogError(`decision log sink '${text}' is not a URL`, { cause });
  }
}

const clone = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** JSON lines appended to a file; what the disk has not taken yet is held to the buffer bound. */
class FileSink implements Sink {
  private readonly stream: WriteStream;
  private failed: Error | undefined;

  constructor(
    path: string,
    private readonly limitBytes: number,
    private readonly hooks: DecisionLogHooks,
  ) {
    let fd: number;
    try {
      fd = openSync(path, "a");
    } catch (cause) {
      throw new DecisionLogError(`decision log file '${path}' cannot be opened for appending: ${asError(cause).message}`, { cause });
    }
    try {
      this.stream = createWriteStream(path, { fd, flags: "a" });
    } catch (cause) {
      closeSync(fd);
      throw cause;
    }
    this.stream.on("error", (error) => {
      this.failed ??= error;
      hooks.warn?.(`decision log file '${path}' failed: ${error.message}; decisions are no longer logged`);
    });
  }

  get bufferedBytes(): number {
    return this.stream.writableLength;
  }

  write(text: string, bytes: number): void {
    if (this.failed || this.stream.destroyed) return void this.hooks.dropped?.("write_failed", 1);
    if (this.stream.writableLength + bytes + 1 > this.limitBytes) return void this.hooks.dropped?.("buffer_full", 1);
    this.stream.write(`${text}\n`, (error) => {
      if (error) this.hooks.dropped?.("write_failed", 1);
      else this.hooks.delivered?.(1);
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.stream.destroyed) return;
    const done = new Promise<void>((resolve) => {
      this.stream.once("close", resolve);
      this.stream.end();
    });
    await withDeadline(done, timeoutMs, () => this.stream.destroy());
  }
}

interface Pending {
  text: string;
  bytes: number;
  /** Failed uploads this event has been part of. */
  failures: number;
}

/**
 * OPA's decision-log service API: batches of events, gzip-compressed JSON arrays each at most the upload size limit,
 * POSTed one at a time. Events wait in a FIFO bounded in bytes (a batch being compressed or uploaded still counts).
 */
class HttpSink implements Sink {
  private queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlightBytes = 0;
  /** The uncompressed size a batch aims at, adjusted to how well events compress (as OPA's encoder adapts). */
  private target: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failuresInARow = 0;
  /** Closing: no more uploads are scheduled. */
  private stopped = false;
  /** Closed past its deadline: no more uploads start. */
  private gaveUp = false;
  private abort: (() => void) | undefined;

  constructor(
    private readonly url: URL,
    private readonly settings: Settings,
    private readonly hooks: DecisionLogHooks,
  ) {
    this.target = settings.uploadSizeLimitBytes;
    this.schedule(this.nextDelay());
  }

  get uploadTimeoutMs(): number {
    return this.settings.uploadTimeoutMs;
  }

  get bufferedBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  private get length(): number {
    return this.queue.length - this.head;
  }

  write(text: string, bytes: number): void {
    const limit = this.settings.bufferBytes;
    // The oldest events go first, as OPA's size buffer drops its oldest chunks.
    while (this.bufferedBytes + bytes > limit && this.length > 0) {
      const oldest = this.queue[this.head] as Pending;
      this.queue[this.head] = undefined as never;
      this.head += 1;
      this.queuedBytes -= oldest.bytes;
      this.hooks.dropped?.("buffer_full", 1);
    }
    if (this.bufferedBytes + bytes > limit) return void this.hooks.dropped?.("buffer_full", 1);
    this.queue.push({ text, bytes, failures: 0 });
    this.queuedBytes += bytes;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private take(count: number): Pending[] {
    const taken = this.queue.slice(this.head, this.head + count);
    this.head += taken.length;
    for (const event of taken) this.queuedBytes -= event.bytes;
    return taken;
  }

  /** Puts events back at the front, in order. */
  private putBack(events: Pending[]): void {
    if (events.length === 0) return;
    if (this.head >= events.length) {
      this.head -= events.length;
      events.forEach((event, i) => (this.queue[this.head + i] = event));
    } else {
      this.queue = [...events, ...this.queue.slice(this.head)];
      this.head = 0;
    }
    for (const event of events) this.queuedBytes += event.bytes;
  }

  private nextDelay(): number {
    const { minDelayMs, maxDelayMs } = this.settings;
    if (this.failuresInARow === 0) return minDelayMs + Math.random() * (maxDelayMs - minDelayMs);
    const backoff = MIN_RETRY_DELAY_MS * 2 ** Math.min(this.failuresInARow - 1, 30) * (0.8 + Math.random() * 0.4);
    return Math.min(Math.max(maxDelayMs, MIN_RETRY_DELAY_MS), backoff);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .catch((error: unknown) => this.hooks.warn?.(`decision log upload failed: ${asError(error).message}`))
        .then(() => {
          this.running = undefined;
          this.schedule(this.nextDelay());
        });
    }, delayMs);
    // The log never keeps the process alive on its own: the server does while it serves.
    this.timer.unref();
  }

  /** Uploads everything queued, one batch at a time, until the queue is empty or an upload fails. */
  private async drain(): Promise<void> {
    while (this.length > 0 && !this.gaveUp) {
      const batch = await this.nextBatch();
      if (batch === undefined) continue;
      if (this.gaveUp) {
        this.inFlightBytes = 0;
        this.putBack(batch.events);
        return;
      }
      try {
        await this.post(batch.body);
        this.failuresInARow = 0;
        this.hooks.uploaded?.(true);
        this.hooks.delivered?.(batch.events.length);
      } catch (error) {
        this.failuresInARow += 1;
        this.hooks.uploaded?.(false);
        this.hooks.warn?.(`decision log upload to ${this.url.origin}${this.url.pathname} failed: ${asError(error).message}`);
        const retry = batch.events.filter((event) => ++event.failures <= this.settings.maxRetries);
        const given = batch.events.length - retry.length;
        if (given > 0) this.hooks.dropped?.("upload_failed", given);
        this.putBack(retry);
        return;
      } finally {
        this.inFlightBytes = 0;
      }
    }
  }

  /**
   * The next batch from the front of the queue, gzip-compressed within the upload size limit: the batch aims at an
   * uncompressed size, is halved while it compresses too large, and the aim grows when batches come out small. An
   * event too large to upload alone is dropped, as OPA's encoder drops it.
   */
  private async nextBatch(): Promise<{ events: Pending[]; body: Buffer } | undefined> {
    const limit = this.settings.uploadSizeLimitBytes;
    let count = 0;
    let size = 1;
    while (count < this.length) {
      const next = this.queue[this.head + count] as Pending;
      if (count > 0 && size + next.bytes + 1 > this.target) break;
      size += next.bytes + 1;
      count += 1;
    }
    const cut = count < this.length;
    let events = this.take(count);
    this.inFlightBytes = events.reduce((sum, event) => sum + event.bytes, 0);
    for (;;) {
      const body = await gzip(`[${events.map((event) => event.text).join(",")}]`);
      if (body.length <= limit) {
        if (cut && body.length < 0.9 * limit) this.target *= 2;
        return { events, body };
      }
      if (events.length === 1) {
        this.hooks.dropped?.("too_large", 1);
        this.hooks.warn?.(`decision log event over the upload size limit (${body.length} > ${limit} bytes compressed) dropped`);
        this.inFlightBytes = 0;
        return undefined;
      }
      this.target = Math.max(limit, Math.floor(this.target / 2));
      const half = Math.ceil(events.length / 2);
      const rest = events.slice(half);
      events = events.slice(0, half);
      this.inFlightBytes -= rest.reduce((sum, event) => sum + event.bytes, 0);
      this.putBack(rest);
    }
  }

  /** One POST, settled within the upload timeout; a 2xx is success, anything else a failure. */
  private post(body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const send = this.url.protocol === "https:" ? httpsRequest : httpRequest;
      const request = send(this.url, {
        method: "POST",
        // A fresh connection per upload: nothing lingers between uploads, or after close.
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": body.length,
          "user-agent": `msq-authz/${version}`,
        },
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.settings.uploadTimeoutMs} ms`)), this.settings.uploadTimeoutMs);
      this.abort = () => request.destroy(new Error("the decision log was closed"));
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.abort = undefined;
        if (error) reject(error);
        else resolve();
      };
      request.once("error", settle);
      request.once("response", (response) => {
        response.resume();
        response.once("error", settle);
        response.once("close", () => {
          if (!response.complete) settle(new Error("the sink closed the connection before its answer ended"));
        });
        response.once("end", () => {
          const status = response.statusCode ?? 0;
          settle(status >= 200 && status < 300 ? undefined : new Error(`the sink answered ${status}`));
        });
      });
      request.end(body);
    });
  }

  async close(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const finish = async (): Promise<void> => {
      await this.running;
      this.failuresInARow = 0;
      await this.drain();
    };
    await withDeadline(finish(), timeoutMs, () => {
      this.gaveUp = true;
      this.abort?.();
    });
    if (this.bufferedBytes > 0) this.hooks.warn?.(`decision log closed with ${this.length} events not uploaded`);
  }
}

/** Waits for `work` at most `ms`; past it, `giveUp` is called and the wait ends. */
async function withDeadline(work: Promise<void>, ms: number, giveUp: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      giveUp();
      resolve();
    }, ms);
  });
  try {
    await Promise.race([work.catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
