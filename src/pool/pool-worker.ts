// One worker thread of a decision pool (decision-pool.ts): its own decision point, with its own WASM instance and
// caches, made from the options the pool was given. Each message asks one thing and gets one answer, with what the
// worker's caches hold now.
import { parentPort, workerData } from "node:worker_threads";
import type { PolicyBundle } from "../bundle/load.js";
import { type DecisionPoint, type DecisionPointOptions, createDecisionPoint } from "../decision-point.js";
import { asError } from "../errors.js";

/** What the pool asks a worker; each ask goes with an id its answer carries back. */
export type PoolAsk =
  | { op: "decide"; request: unknown }
  | { op: "decideJson"; text: string }
  | { op: "decideJsonLines"; texts: string[] }
  | { op: "druidAllow"; input: unknown }
  | { op: "swap"; bundle: PolicyBundle };

export type PoolRequest = { id: number } & PoolAsk;

export type PoolAnswer = { id: number; caches: ReturnType<DecisionPoint["caches"]> } & ({ value: unknown } | { error: string });

/** The first message a worker sends: its point is ready, or why it cannot be made. */
export type PoolReady = { ready: { engine: DecisionPoint["engine"]; revision: string } } | { failed: string };

const port = parentPort;
if (port) {
  createDecisionPoint(workerData as DecisionPointOptions).then(
    (point) => {
      port.postMessage({ ready: { engine: point.engine, revision: point.revision } } satisfies PoolReady);
      port.on("message", (message: PoolRequest) => {
        answer(point, message).then(
          (value) => port.postMessage({ id: message.id, value, caches: point.caches() } satisfies PoolAnswer),
          (error: unknown) => port.postMessage({ id: message.id, error: asError(error).message, caches: point.caches() } satisfies PoolAnswer),
        );
      });
    },
    (error: unknown) => port.postMessage({ failed: asError(error).message } satisfies PoolReady),
  );
}

async function answer(point: DecisionPoint, message: PoolRequest): Promise<unknown> {
  switch (message.op) {
    case "decide":
      return point.decide(message.request);
    case "decideJson":
      return point.decideJson(message.text);
    case "decideJsonLines": {
      let output = "";
      for (const text of message.texts) output += `${JSON.stringify(await point.decideJson(text))}\n`;
      return output;
    }
    case "druidAllow":
      return point.druidAllow(message.input);
    case "swap":
      await point.swap(message.bundle);
      return point.revision;
  }
}
