// How every decision leaves the server: counted, answered, then logged. The answer is on its way before the
// decision-log event is built, and recording it only queues it (decision-log.ts), so no decision waits on its log.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Decision } from "../types.js";
import { DECISION_PATH, type ServerContext } from "./context.js";

export interface Decided {
  /** When the request arrived: process.hrtime.bigint(). */
  started: bigint;
  /** What the policy was asked, as the decision log records it. */
  input: unknown;
  /** The decision: its code is counted, its revision logged. */
  decision: Pick<Decision, "code" | "revision">;
  /** What the client is told the result is, when that is not the decision itself (default: the decision). */
  result?: unknown;
  /** The policy path decided (default msq/authz/decision). */
  path?: string;
}

/** The body sent for a decision; `decisionId` is there when decisions are logged. */
export type Shape = (result: unknown, decisionId: string | undefined) => unknown;

const bare: Shape = (result) => result;

export async function answer(context: ServerContext, request: FastifyRequest, reply: FastifyReply, decided: Decided, shape: Shape = bare): Promise<void> {
  const { decision, started } = decided;
  const handlerNs = process.hrtime.bigint() - started;
  context.metrics.observe(decision.code, Number(handlerNs) / 1e9);
  const log = context.decisionLog;
  const decisionId = log?.newDecisionId();
  const result = "result" in decided ? decided.result : decision;
  const sent = reply.send(shape(result, decisionId));
  if (log && decisionId !== undefined) {
    log.record({
      decisionId,
      path: decided.path ?? DECISION_PATH,
      input: decided.input,
      result,
      revision: decision.revision,
      requestedBy: remoteAddress(request),
      handlerNs,
    });
  }
  await sent;
}

/** The client's address as Go's RemoteAddr writes it (OPA's requested_by): host:port, an IPv6 host in brackets. */
function remoteAddress(request: FastifyRequest): string | undefined {
  const { remoteAddress: host, remotePort: port } = request.socket;
  if (host === undefined) return undefined;
  const shown = host.includes(":") ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
