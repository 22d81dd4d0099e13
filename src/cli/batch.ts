// decide --batch: JSON Lines in, one decision line out per line, in input order; in this thread, or spread over
// worker threads (--workers N), each with its own decision point, when one core is not enough.
import { Worker } from "node:worker_threads";
import type { DecisionPoint, DecisionPointOptions } from "../decision-point.js";
import { type Io, UsageError, write } from "./command.js";

/** Lines go to a worker in chunks of at most this many lines or bytes, and decisions are written per chunk. */
const CHUNK_LINES = 256;
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Decides each line in turn, writing in large writes that wait for a slow reader instead of one unbounded buffer. */
export async function decideLines(lines: AsyncIterable<string>, point: DecisionPoint, io: Io): Promise<void> {
  let pending = "";
  for await (const line of lines) {
    pending += `${JSON.stringify(await point.decideJson(line))}\n`;
    if (pending.length >= 1 << 16) {
      await write(io.stdout, pending);
      pending = "";
    }
  }
  await write(io.stdout, pending);
}

/**
 * Deals chunks of lines to `count` workers in turn and writes their decisions in input order. At most two chunks
 * per worker are in flight: reading waits for writing, so memory stays bounded whatever the input's length.
 */
export async function decideLinesInWorkers(lines: AsyncIterable<string>, options: DecisionPointOptions, count: number, io: Io): Promise<void> {
  const workers = Array.from({ length: count }, () => new BatchWorker(options));
  const inFlight = new Map<number, Promise<string>>();
  let sent = 0;
  let written = 0;
  const writeOldest = async () => {
    const output = await (inFlight.get(written) as Promise<string>);
    inFlight.delete(written);
    written += 1;
    await write(io.stdout, output);
  };
  let chunk: string[] = [];
  let bytes = 0;
  const send = async () => {
    inFlight.set(sent, (workers[sent % count] as BatchWorker).decide(sent, chunk));
    sent += 1;
    chunk = [];
    bytes = 0;
    while (inFlight.size >= 2 * count) await writeOldest();
  };
  try {
    for await (const line of lines) {
      chunk.push(line);
      bytes += line.length;
      if (chunk.length >= CHUNK_LINES || bytes >= CHUNK_BYTES) await send();
    }
    if (chunk.length > 0) await send();
    while (inFlight.size > 0) await writeOldest();
  } finally {
    // Chunks still in flight after a failure are abandoned with their workers.
    for (const promise of inFlight.values()) promise.catch(() => undefined);
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** One worker thread (batch-worker.ts) and the chunks it has been sent. */
class BatchWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (output: string) => void; reject: (error: Error) => void }>();

  constructor(options: DecisionPointOptions) {
    this.worker = new Worker(new URL("./batch-worker.js", import.meta.url), { workerData: options });
    this.worker.on("message", (message: { id: number; output?: string; error?: string }) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.output !== undefined) waiter?.resolve(message.output);
      else waiter?.reject(new UsageError(message.error ?? "a batch worker failed"));
    });
    const failAll = (error: Error) => {
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    };
    this.worker.on("error", (error) => failAll(new Error(`a batch worker failed: ${error.message}`, { cause: error })));
    this.worker.on("exit", (code) => failAll(new Error(`a batch worker exited (${code})`)));
  }

  decide(id: number, lines: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, lines });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
