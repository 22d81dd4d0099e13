// Bundle distribution: a bundle server with ETags, a decision point following it, verified swaps that lose no
// decision, and a bad revision refused while the last good one keeps serving.
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followBundles } from "../src/bundle/follow.js";
import { loadBundle } from "../src/bundle/load.js";
import { BundleSource } from "../src/bundle/source.js";
import { buildBundle } from "../src/bundle/build.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { buildServer } from "../src/server/app.js";
import { readJson, root } from "./support.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-distribution-"));
const served = mkdtempSync(join(tmpdir(), "msq-authz-served-"));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyFile = join(tmp, "key.pem");
writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
const verification = { key: publicKey.export({ type: "spki", format: "pem" }).toString(), algorithm: "RS256" as const };
const grants = readJson(join(root, "examples/grants.json")) as object;
const request = { identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", sql: "SELECT * FROM wiki" };

const revision = (name: string) => join(tmp, `${name}.tar.gz`);
const publish = (name: string) => copyFileSync(revision(name), join(served, "msq-authz.tar.gz"));

let server: Awaited<ReturnType<typeof startBundleServer>>;

async function startBundleServer() {
  const app = buildServer({ point: await createDecisionPoint(), bundlesDir: served, logLevel: "error" });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, url, bundleUrl: `${url}/bundles/msq-authz.tar.gz` };
}

beforeAll(async () => {
  for (const name of ["rev-1", "rev-2"]) {
    await buildBundle({ output: revision(name), grants: grants as never, revision: name, signingKey: keyFile, signingAlg: "RS256" });
  }
  const tampered = readFileSync(revision("rev-2"));
  tampered.writeUInt8(tampered.readUInt8(tampered.length - 40) ^ 0x01, tampered.length - 40);
  writeFileSync(revision("tampered"), tampered);
  publish("rev-1");
  server = await startBundleServer();
}, 120_000);

afterAll(async () => {
  await server.app.close();
  for (const dir of [tmp, served]) rmSync(dir, { recursive: true, force: true });
});

describe("the bundle server", () => {
  it("serves a bundle with an ETag, and 304 when it has not changed", async () => {
    const first = await fetch(server.bundleUrl);
    expect(first.status).toBe(200);
    // Read to the end: a body left unread holds its connection busy, and closing the server would wait for it.
    expect((await first.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/u);
    expect((await fetch(server.bundleUrl, { headers: { "if-none-match": etag } })).status).toBe(304);
  });

  it("serves nothing outside its directory", async () => {
    expect((await fetch(`${server.url}/bundles/..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${server.url}/bundles/nothing.tar.gz`)).status).toBe(404);
  });
});

describe("a decision point following the bundle server", () => {
  it("takes a new revision, refuses a tampered one and keeps serving the last good one", async () => {
    publish("rev-1");
    const source = new BundleSource({ location: server.bundleUrl, verification, pollIntervalMs: 3_600_000 });
    const first = await source.fetch();
    expect(first?.manifest.revision).toBe("rev-1");
    const point = await createDecisionPoint({ bundle: first });
    followBundles(point, source);
    try {
      await source.poll();
      expect(point.revision).toBe("rev-1"); // 304: nothing new

      publish("rev-2");
      const activated = new Promise((resolve) => source.once("activated", resolve));
      await source.poll();
      await activated;
      expect(point.revision).toBe("rev-2");
      expect(await point.decide(request)).toMatchObject({ allow: true, revision: "rev-2" });

      publish("tampered");
      const refused = new Promise<Error>((resolve) => source.once("error", resolve));
      await source.poll();
      expect((await refused).message).toMatch(/is not a gzip archive|does not match its signed hash|is refused/u);
      expect(point.revision).toBe("rev-2");
      expect(source.status).toMatchObject({ revision: "rev-2", failures: 1, lastError: expect.any(String) });
      expect(await point.decide(request)).toMatchObject({ allow: true, revision: "rev-2" });
    } finally {
      source.stop();
    }
  }, 60_000);

  it("loses no decision while it swaps: every decision names the revision that made it", async () => {
    const [one, two] = await Promise.all([loadBundle(revision("rev-1"), { verification }), loadBundle(revision("rev-2"), { verification })]);
    const point = await createDecisionPoint({ bundle: one, decisionCacheEntries: 0 });
    const decisions: Promise<{ code: string; revision: string }>[] = [];
    const swaps: Promise<void>[] = [];
    for (let i = 0; i < 2_000; i++) {
      decisions.push(point.decide({ ...request, context: { sqlQueryId: `q${i}` } }));
      if (i % 200 === 0) swaps.push(point.swap(i % 400 === 0 ? two : one));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(swaps);
    const results = await Promise.all(decisions);
    expect(results.filter((d) => d.code !== "ok")).toEqual([]);
    expect(new Set(results.map((d) => d.revision))).toEqual(new Set(["rev-1", "rev-2"]));
  }, 60_000);
});

describe("msq-authz serve --bundle URL", () => {
  it("follows the bundle server and reports the active revision in /health", async () => {
    publish("rev-1");
    const publicFile = join(tmp, "public.pem");
    writeFileSync(publicFile, verification.key);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn("node", [join(root, "dist/cli/main.js"), "serve", "--bundle", server.bundleUrl, "--verification-key", publicFile,
      "--poll-interval", "1", "--port", String(port)], { stdio: "ignore" });
    const health = async () => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { revision: string; bundle: { revision: string } };
    try {
      for (let i = 0; i < 100; i++) {
        try {
          if ((await health()).revision === "rev-1") break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect((await health()).revision).toBe("rev-1");
      publish("rev-2");
      for (let i = 0; i < 50 && (await health()).revision !== "rev-2"; i++) await new Promise((r) => setTimeout(r, 200));
      expect(await health()).toMatchObject({ revision: "rev-2", bundle: { revision: "rev-2", failures: 0 } });
    } finally {
      // Wait for it to exit: a serve still polling would hold the bundle server's connections open.
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }, 60_000);
});
