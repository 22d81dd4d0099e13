// Druid's own OPA authorizer (druid-opa-authorizer): for every resource action it checks, Druid POSTs
// {"input": {authenticationResult, action, resource}} to its opaUri and allows only on HTTP 200 with
// {"result": true}. Every message gets that 200: a malformed body or message is {"result": false}, never an error
// status, which Druid would count as a deny anyway but log as a failure. Druid sends no Authorization header: with
// --token this route is open only when serve is asked (--druid-without-token), for a loopback sidecar.
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { answer } from "../answer.js";
import { parseBody } from "../body.js";
import type { ServerContext } from "../context.js";
import { dataResponse } from "./opa-data.js";

const DRUID_ALLOW_PATH = "msq/druid/allow";

export function druidAuthorizerRoutes(app: FastifyInstance, context: ServerContext, open: boolean): void {
  app.post(`/v1/data/${DRUID_ALLOW_PATH}`, { config: { public: open } }, async (request, reply) => {
    const started = process.hrtime.bigint();
    const body = parseBody(request.body as Buffer | undefined);
    const input = body.ok ? (body.value as { input?: unknown } | null)?.input : undefined;
    const { result, revision } = body.ok ? await context.point.druidAllow(input) : { result: false, revision: context.point.revision };
    // The answer names its decision (OPA writes decision_id only when it logs decisions; Druid ignores it either way).
    const shape = (value: unknown, decisionId: string | undefined) => dataResponse(value, decisionId ?? randomUUID());
    await answer(context, request, reply, { started, input, result, decision: { code: result ? "ok" : "forbidden", revision }, path: DRUID_ALLOW_PATH }, shape);
  });
}
