// GET /health: the service's own status (engine, revision, the bundle source's), and, asked with ?bundles or
// ?plugins, OPA's health check: 200 {} once every bundle has been activated, 500 {"error": ...} until then (as
// `opa run --server` 1.22 answers; like OPA's, it looks at the first activation only, later reload failures are
// in the plain body and in /metrics). Of OPA's plugins only the bundle plugin waits for anything here: decision
// logging is up from the start, as OPA's is once started.
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";

export function healthRoutes(app: FastifyInstance, context: ServerContext): void {
  const { point, bundleSource, bundleName } = context;
  app.get("/health", { config: { public: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const bundles = asked(query.bundles) || asked(query.bundle);
    const plugins = asked(query.plugins);
    // A point given a loaded bundle starts with it active; one following a source once the source has a revision.
    const activating = bundleSource !== undefined && bundleSource.status.revision === undefined;
    if (bundles && activating) return reply.status(500).send({ error: `one or more bundles are not activated: ${bundleName}` });
    // OPA's bundle plugin is not ready until every bundle is activated; ?exclude-plugin=bundle leaves it out.
    const excluded = [query["exclude-plugin"] ?? []].flat();
    if (plugins && activating && !excluded.includes("bundle")) return reply.status(500).send({ error: "one or more plugins are not up" });
    if (bundles || plugins) return reply.send({});
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
