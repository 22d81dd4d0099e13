// GET /metrics: Prometheus text (../metrics.ts says what is counted).
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";

export function metricsRoutes(app: FastifyInstance, { metrics }: ServerContext): void {
  app.get("/metrics", async (_request, reply) => {
    await reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
