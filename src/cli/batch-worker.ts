// A worker thread of decide --batch --workers N: its own decision point, made from the options the main thread
// read; each chunk of lines comes back as their decision lines, in order.
import { parentPort, workerData } from "node:worker_threads";
import type { DecisionPointOptions } from "../decision-point.js";
import { createPoint } from "./inputs.js";

const point = createPoint(workerData as DecisionPointOptions);
// A point that cannot be made fails every chunk with the reason, once each, rather than an unhandled rejection.
point.catch(() => undefined);

parentPort?.on("message", async ({ id, lines }: { id: number; lines: string[] }) => {
  try {
    const decider = await point;
    let output = "";
    for (const line of lines) output += `${JSON.stringify(await decider.decideJson(line))}\n`;
    parentPort?.postMessage({ id, output });
  } catch (error) {
    parentPort?.postMessage({ id, error: (error as Error).message });
  }
});
