// HTTP load at a steady rate, open loop: request j is due at start + j/rate, whatever the answers before it did, and
// its latency counts from the timer tick (every millisecond) that found it due, including any wait for a free
// connection (so a stall is not hidden by the requests it held back); from its exact due time too, which adds the
// timer's lateness. autocannon's own
// rate limit (overallRate, connectionRate) sends each connection's quota for the second as fast as it can at the
// start of each second (node_modules/autocannon/lib/httpClient.js, _doRequest and rateInterval): at 70% of the
// maximum the server is saturated for 0.7 s of every second, so its p99 is the saturated p99.
//
// The client is as light as autocannon's: prebuilt HTTP/1.1 requests written to keep-alive sockets, answers read by
// their Content-Length, so that on a 2-core machine the load generator does not take the server's core.
import net from "node:net";
import { quantile } from "./measure.mjs";

/** One keep-alive connection, one request at a time. */
class Connection {
  constructor(host, port, onAnswer) {
    this.busy = false;
    this.pending = Buffer.alloc(0);
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      const headerEnd = this.pending.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const head = this.pending.subarray(0, headerEnd).toString("latin1");
      const length = Number(/\r\ncontent-length:\s*(\d+)/iu.exec(head)?.[1] ?? 0);
      if (this.pending.length < headerEnd + 4 + length) return;
      this.pending = Buffer.alloc(0);
      this.busy = false;
      onAnswer(this, Number(head.slice(9, 12)));
    });
    this.socket.on("error", (error) => onAnswer(this, 0, error));
  }

  send(request) {
    this.busy = true;
    this.socket.write(request);
  }
}

/**
 * POSTs `bodies` in turn to `url` at `rate` per second for `seconds`, over `connections` keep-alive connections
 * (requests due while all are busy wait their turn, and their wait counts). Latencies in ms: from the tick that
 * found each request due; from its exact due time; from when it was written.
 */
export async function pacedLoad({ url, bodies, rate, seconds, connections = 16 }) {
  const target = new URL(url);
  const requests = bodies.map((body) => {
    const bytes = Buffer.from(body);
    const head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, "latin1"), bytes]);
  });
  const total = Math.max(1, Math.round(rate * seconds));
  const fromQueued = [];
  const fromDue = [];
  const fromSent = [];
  const byWindow = []; // latencies from due, by the second the request was due in
  const queue = []; // requests waiting for a connection: { index, due, queued }
  const inFlight = new Map(); // connection -> { due, queued, written }
  let sent = 0;
  let done = 0;
  let errors = 0;
  let non2xx = 0;
  let finished;
  let started;
  const allDone = new Promise((resolve) => {
    finished = resolve;
  });
  const pump = () => {
    for (const connection of pool) {
      if (queue.length === 0) return;
      if (connection.busy) continue;
      const { index, due, queued } = queue.shift();
      inFlight.set(connection, { due, queued, written: performance.now() });
      connection.send(requests[index % requests.length]);
    }
  };
  const onAnswer = (connection, status, error) => {
    const request = inFlight.get(connection);
    inFlight.delete(connection);
    if (request === undefined) return;
    if (error) errors += 1;
    else {
      const now = performance.now();
      fromQueued.push(now - request.queued);
      fromDue.push(now - request.due);
      fromSent.push(now - request.written);
      const window = Math.floor((request.due - started) / 1000);
      (byWindow[window] ??= []).push(now - request.queued);
      if (status < 200 || status > 299) non2xx += 1;
    }
    done += 1;
    if (done === total) finished();
    else pump();
  };
  const pool = Array.from({ length: connections }, () => new Connection(target.hostname, target.port, onAnswer));
  await Promise.all(pool.map((c) => new Promise((resolve, reject) => c.socket.once("connect", resolve).once("error", reject))));
  started = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - started) / 1000) * rate));
    for (; sent < due; sent++) queue.push({ index: sent, due: started + (sent * 1000) / rate, queued: now });
    if (sent >= total) clearInterval(timer);
    pump();
  }, 1);
  await allDone;
  const elapsed = (performance.now() - started) / 1000;
  for (const connection of pool) connection.socket.destroy();
  for (const latencies of [fromQueued, fromDue, fromSent]) latencies.sort((a, b) => a - b);
  return {
    targetPerSec: rate,
    achievedPerSec: done / elapsed,
    requests: done,
    connections,
    errors,
    non2xx,
    p50ms: quantile(fromQueued, 0.5),
    p99ms: quantile(fromQueued, 0.99),
    p999ms: quantile(fromQueued, 0.999),
    maxMs: fromQueued.at(-1),
    p99FromDueMs: quantile(fromDue, 0.99),
    p99FromSentMs: quantile(fromSent, 0.99),
    // One stall (a GC, a neighbour on the CPU) shows as one bad second here, load that cannot be kept up as all.
    p99BySecondMs: byWindow.map((w) => quantile(w.sort((a, b) => a - b), 0.99)),
  };
}
