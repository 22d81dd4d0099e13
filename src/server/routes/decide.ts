// POST /v1/decide: the request in, the decision out.
import type { FastifyInstance } from "fastify";
import { answer } from "../answer.js";
import { parseBody } from "../body.js";
import type { ServerContext } from "../context.js";

export function decideRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post("/v1/decide", async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(request.body as Buffer | undefined);
    if (!body.ok) return reply.status(400).send({ code: "invalid_request", message: body.message });
    await answer(context, request, reply, { started, input: body.value, decision: await context.point.decide(body.value) });
  });
}
