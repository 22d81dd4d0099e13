// Interoperability with a stock OPA agent: `opa run --server` (the pinned OPA) pulls the signed bundle from our
// bundle server with signature verification, and answers exactly as the embedded decision point does for the whole
// decision-case set; both pick up a new revision; both refuse a tampered one and keep answering from the old.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followBundles } from "../src/bundle/follow.js";
import { BundleSource } from "../src/bundle/source.js";
import { buildBundle } from "../src/bundle/build.js";
import { createDecisionPoint, type DecisionPoint } from "../src/decision-point.js";
import { policyInput } from "../src/policy-input.js";
import { buildServer } from "../src/server/app.js";
import { repack } from "./repack.js";
import { loadCases, readJson, root } from "./support.js";
import { freePort } from "./ports.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-agent-"));
const served = mkdtempSync(join(tmpdir(), "msq-authz-agent-served-"));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyFile = join(tmp, "key.pem");
writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
const grants = readJson(join(root, "examples/grants.json")) as { users: Record<string, { roles: string[] }> };
// Revision 2 gives alice the ingest role: a decision that flips shows which revision answered.
const grants2 = { ...grants, users: { ...grants.users, alice: { roles: ["analyst", "ingest"] } } };
const aliceWrites = { identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", statement: { type: "INSERT", target: "wiki" } };

const until = async (what: () => Promise<boolean>, ms = 20_000): Promise<void> => {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 200))) {
    if (await what().catch(() => false)) return;
  }
  throw new Error("timed out");
};

let opa: ChildProcess;
let opaUrl: string;
let server: Awaited<ReturnType<typeof buildServer>>;
let point: DecisionPoint;
let source: BundleSource;

const publish = (name: string) => {
  copyFileSync(join(tmp, `${name}.wasm.tar.gz`), join(served, "msq-authz.tar.gz"));
  copyFileSync(join(tmp, `${name}.rego.tar.gz`), join(served, "msq-authz-opa.tar.gz"));
};
const opaDecision = async (input: unknown) =>
  ((await (await fetch(`${opaUrl}/v1/data/msq/authz/decision`, { method: "POST", body: JSON.stringify({ input }) })).json()) as { result?: Record<string, unknown> }).result;
const opaRevision = async () =>
  ((await (await fetch(`${opaUrl}/v1/data/system/bundles/msq/manifest/revision`)).json()) as { result?: string }).result;

beforeAll(async () => {
  for (const [name, data] of [["rev-1", grants], ["rev-2", grants2]] as const) {
    for (const target of ["wasm", "rego"] as const) {
      await buildBundle({ output: join(tmp, `${name}.${target}.tar.gz`), target, grants: data as never, revision: name, signingKey: keyFile, keyId: "msq" });
    }
  }
  // The tampered revision takes alice's ingest role away again under rev-2's signature: accepting it would flip her
  // decision back to a deny.
  for (const target of ["wasm", "rego"]) {
    await repack(join(tmp, `rev-2.${target}.tar.gz`), join(tmp, `tampered.${target}.tar.gz`), (files) =>
      files.set("data.json", Buffer.from(JSON.stringify({ grants, settings: {} }))),
    );
  }
  publish("rev-1");
  server = buildServer({ point: await createDecisionPoint(), bundlesDir: served, logLevel: "error" });
  const bundlesUrl = `${await server.listen({ host: "127.0.0.1", port: 0 })}/bundles`;

  const port = await freePort();
  opaUrl = `http://127.0.0.1:${port}`;
  const config = join(tmp, "opa.yaml");
  writeFileSync(
    config,
    [
      "services:",
      `  local: { url: "${bundlesUrl}" }`,
      "bundles:",
      "  msq:",
      "    service: local",
      "    resource: msq-authz-opa.tar.gz",
      "    polling: { min_delay_seconds: 1, max_delay_seconds: 1 }",
      "    signing: { keyid: msq }",
      "keys:",
      "  msq:",
      "    algorithm: RS256",
      `    key: ${JSON.stringify(publicPem)}`,
    ].join("\n"),
  );
  opa = spawn(join(root, ".tools/bin/opa"), ["run", "--server", "--addr", `127.0.0.1:${port}`, "--config-file", config, "--log-level", "error"], { stdio: "ignore" });

  source = new BundleSource({ location: `${bundlesUrl}/msq-authz.tar.gz`, verification: { key: publicPem, keyId: "msq" }, pollIntervalMs: 3_600_000 });
  point = await createDecisionPoint({ bundle: await source.fetch() });
  followBundles(point, source);
  await until(async () => (await opaRevision()) === "rev-1");
}, 180_000);

afterAll(async () => {
  opa?.kill();
  source?.stop();
  await server?.close();
  for (const dir of [tmp, served]) rmSync(dir, { recursive: true, force: true });
});

describe("a stock OPA agent and the embedded decision point, on the same signed bundle", () => {
  it("answer every decision case identically", async () => {
    const answers = { allow: 0, deny: 0 };
    for (const c of loadCases()) {
      const prepared = policyInput(c.request);
      if (!("input" in prepared)) continue;
      const { engine: _engine, revision: _revision, ...embedded } = await point.decide(c.request);
      expect({ case: c.file, decision: await opaDecision(prepared.input) }).toEqual({ case: c.file, decision: embedded });
      answers[embedded.allow ? "allow" : "deny"] += 1;
    }
    // The cases run against the bundle's grants, not their scenario's: what matters is that both sides see many of each.
    expect(answers.allow).toBeGreaterThan(20);
    expect(answers.deny).toBeGreaterThan(100);
  }, 120_000);

  it("both take a new revision", async () => {
    expect(await point.decide(aliceWrites)).toMatchObject({ allow: false, revision: "rev-1" });
    publish("rev-2");
    await source.poll();
    await until(async () => point.revision === "rev-2" && (await opaRevision()) === "rev-2");
    expect(await point.decide(aliceWrites)).toMatchObject({ allow: true, revision: "rev-2" });
    expect(await opaDecision(aliceWrites)).toMatchObject({ allow: true });
  }, 60_000);

  it("both refuse a tampered revision and keep answering from the last good one", async () => {
    publish("tampered");
    const refused = new Promise<Error>((resolve) => source.once("error", resolve));
    await source.poll();
    expect((await refused).message).toMatch(/data\.json/u);
    await new Promise((r) => setTimeout(r, 3_000)); // OPA polls every second
    expect(point.revision).toBe("rev-2");
    expect(await opaRevision()).toBe("rev-2");
    expect(await opaDecision(aliceWrites)).toMatchObject({ allow: true });
    expect(await point.decide(aliceWrites)).toMatchObject({ allow: true, revision: "rev-2" });
  }, 60_000);
});
