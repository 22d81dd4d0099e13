// GET /bundles/<name>: a bundle server for other decision points and for OPA agents (OPA's bundle service protocol:
// an ETag, and 304 while If-None-Match still holds).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

export function bundleRoutes(app: FastifyInstance, dir: string): void {
  app.get("/bundles/:name", async (request, reply) => {
    const { name } = request.params as { name: string };
    // Plain file names only: nothing outside the directory can be asked for.
    if (!/^[\w.-]+\.tar\.gz$/u.test(name)) return reply.status(404).send({ code: "not_found", message: `no bundle ${name}` });
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name));
    } catch {
      return reply.status(404).send({ code: "not_found", message: `no bundle ${name}` });
    }
    const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
    void reply.header("etag", etag).header("cache-control", "no-cache");
    if (request.headers["if-none-match"] === etag) return reply.status(304).send();
    return reply.header("content-type", "application/gzip").send(bytes);
  });
}
