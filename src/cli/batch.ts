// decide --batch: JSON Lines in, one decision line out per line, in input order; in this thread, or spread over a
// decision pool's worker threads (--workers N) when one core is not enough.
import type { DecisionPoint } from "../decision-point.js";
import type { DecisionPool } from "../pool/decision-pool.js";
import { type Io, write } from "./command.js";

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
 * Deals chunks of lines to the pool's workers and writes their decisions in input order. At most two chunks per
 * worker are in flight: reading waits for writing, so memory stays bounded whatever the input's length.
 */
export async function decideLinesInPool(lines: AsyncIterable<string>, pool: DecisionPool, io: Io): Promise<void> {
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
    inFlight.set(sent, pool.decideJsonLines(chunk));
    sent += 1;
    chunk = [];
    bytes = 0;
    while (inFlight.size >= 2 * pool.size) await writeOldest();
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
    // Chunks still in flight after a failure are abandoned with the pool.
    for (const promise of inFlight.values()) promise.catch(() => undefined);
  }
}
