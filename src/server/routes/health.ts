// GET /health: the service's own status (engine, revision, the bundle source's), and, asked with ?bundles, OPA's
// health check: 200 {} once every bundle has been activated, 500 {"error": ...} naming those that have not (as
// `opa run --server` 1.22 answers; like OPA's, it looks at the first activation only, later reload failures are
// in the plain body and in /metrics).
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";

export function healthRoutes(app: FastifyInstance, context: ServerContext): void {
  const { point, bundleSource, bundleName } = context;
  app.get("/health", { config: { public: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    if (asked(query.bundles) || asked(query.bundle)) {
      // A point given a loaded bundle starts with it active; one following a source once the source has a revision.
      const waiting = bundleSource !== undefined && bundleSource.status.revision === undefined ? [bundleName] : [];
      if (waiting.length > 0) return reply.status(500).send({ error: `one or more bundles are not activated: ${waiting.join(", ")}` });
      return reply.send({});
    }
    return reply.send({
      status: "ok",
      engine: point.engine,
      revision: point.revision,
      ...(bundleSource ? { bundle: bundleSource.status } : {}),
    });
  });
}

/** A query flag as OPA reads one (getBoolParam): present without a value, or "true" in any case. */
function asked(value: string | string[] | undefined): boolean {
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 1 && values[0] === "") return true;
  return values.some((one) => one.toLowerCase() === "true");
}
