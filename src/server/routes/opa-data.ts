// OPA's Data API: POST /v1/data/<path> with {"input": ...} in, {"result": ...} out, so OPA clients work unchanged.
// When decisions are logged the answer also carries the event's decision_id, first, as OPA writes it.
// Other policy paths are other Data API routes: Druid's OPA authorizer is druid-authorizer.ts.
import type { FastifyInstance } from "fastify";
import { answer } from "../answer.js";
import { parseBody } from "../body.js";
import { DECISION_PATH, type ServerContext } from "../context.js";

/** OPA's DataResponseV1: `decision_id` (only when decisions are logged), then `result`. */
export function dataResponse(result: unknown, decisionId: string | undefined): { decision_id?: string; result: unknown } {
  return decisionId === undefined ? { result } : { decision_id: decisionId, result };
}

export function opaDataRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post(`/v1/data/${DECISION_PATH}`, async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(request.body as Buffer | undefined, "{}");
    if (!body.ok) return reply.status(400).send({ code: "invalid_parameter", message: body.message });
    const input = (body.value as { input?: unknown } | null)?.input;
    await answer(context, request, reply, { started, input, decision: await context.point.decide(input) }, dataResponse);
  });
}
