// POST /v1/druid: a Druid HTTP request, as a gateway sees it, decided as the Druid endpoint it names (the mapping is
// ../druid-http.ts). What cannot be mapped is a refusal decision, logged like any other; the log's input is the
// request the mapping made, or the body as sent when it made none.
import type { FastifyInstance } from "fastify";
import { refusal } from "../../decision.js";
import type { Decision } from "../../types.js";
import { answer } from "../answer.js";
import { parseBody } from "../body.js";
import { type ServerContext, stampOf } from "../context.js";
import { type DruidHttpRequest, mapDruidRequest } from "../druid-http.js";

export function druidHttpRoutes(app: FastifyInstance, context: ServerContext): void {
  const { point } = context;
  const decide = async (sent: unknown): Promise<{ input: unknown; decision: Decision }> => {
    const druid = sent as Partial<DruidHttpRequest> | null;
    // Read when a refusal is made: the point may have swapped to another revision since the server started.
    const refuse = (status: Decision["status"], code: Decision["code"], reason: string) => ({
      input: sent,
      decision: refusal(status, code, [`INPUT (Request shape): ${reason}`], stampOf(point)),
    });
    if (typeof druid?.http?.method !== "string" || typeof druid.http.path !== "string") return refuse(400, "invalid_request", "/http: needs method and path");
    const mapped = mapDruidRequest(druid as DruidHttpRequest);
    if ("invalid" in mapped) return refuse(400, "invalid_request", mapped.invalid);
    if ("unknown" in mapped) return refuse(404, "not_found", `Druid has no endpoint ${mapped.unknown}`);
    return { input: mapped.request, decision: await point.decide(mapped.request) };
  };

  app.post("/v1/druid", async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(request.body as Buffer | undefined);
    if (!body.ok) return reply.status(400).send({ code: "invalid_request", message: body.message });
    await answer(context, request, reply, { started, ...(await decide(body.value)) });
  });
}
