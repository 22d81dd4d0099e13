// Faults: the WASM policy running out of memory, and bundle revisions that cannot serve (a grant set that does not
// load, another policy's bundle, a truncated archive). Each is a deny or a refused revision with the reason; the
// service stays up, the last good revision keeps serving, and /metrics counts it.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followBundles } from "../src/bundle/follow.js";
import { BundleSource } from "../src/bundle/source.js";
import { buildBundle } from "../src/bundle/build.js";
import { worstCases } from "../bench/worst-cases.mjs";
import { MAX_REQUEST_BYTES, createDecisionPoint } from "../src/decision-point.js";
import { requestSchema } from "../src/schemas/validate.js";
import { buildServer } from "../src/server/app.js";
import { entrypoints } from "../src/policy/wasm-policy.js";
import type { BuiltinEngine } from "../src/decision-point.js";
import { engineErrorDecision, engines, readJson, root } from "./support.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-faults-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const grants = readJson(join(root, "examples/grants.json")) as object;
const alice = { authenticated: true, user: "alice" };
const small = { identity: alice, operation: "sql.task.submit", sql: "SELECT * FROM wiki" };
// The most expensive refusal the request limits allow (bench/worst-cases.mjs): deciding it needs more than 4 MiB of
// WASM memory, and less than 8.
const large = { ...worstCases(requestSchema, MAX_REQUEST_BYTES)[2]?.request(0), identity: alice };

const metric = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, "mu").exec(text)?.[1] ?? Number.NaN);

describe.each(engines)("a decision that runs the WASM policy out of memory (%s engine)", (engine: BuiltinEngine) => {
  it("is an engine_error naming the ceiling, never remembered; the next decision is answered as before", async () => {
    const tight = await createDecisionPoint({ grants, engine, wasmMemoryMiB: 4 });
    const roomy = await createDecisionPoint({ grants, engine });
    // Either engine asks the policy what the request needs (its shape, after the caller): the request alone
    // exhausts the ceiling there.
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await tight.decide(large)).toEqual(
        engineErrorDecision(`policy evaluation failed at ${entrypoints.shape}: out of memory at the 4 MiB ceiling (opa_malloc: failed)`, tight),
      );
      expect(await tight.decide(small)).toEqual(await roomy.decide(small));
    }
    expect((await roomy.decide(large)).code).toBe("invalid_sql");
  });
});

describe("msq-authz serve when the policy runs out of memory", () => {
  it("answers the 500 decision, stays up, answers the next request, and counts it", async () => {
    const app = buildServer({ point: await createDecisionPoint({ grants, wasmMemoryMiB: 4 }), logLevel: "error" });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const decide = async (request: unknown) =>
        (await (await fetch(`${url}/v1/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) })).json()) as { code: string };
      expect(await decide(large)).toMatchObject({ allow: false, status: 500, code: "engine_error" });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(await decide(small)).toMatchObject({ allow: true, code: "ok" });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metric(metrics, 'msq_authz_decisions_total\\{code="engine_error",engine="wasm"\\}')).toBe(1);
      expect(metric(metrics, 'msq_authz_decisions_total\\{code="ok",engine="wasm"\\}')).toBe(1);
    } finally {
      await app.close();
    }
  });

  it("through the CLI: --max-memory sets the ceiling, and a ceiling too small to mean anything is a usage error", () => {
    const cli = join(root, "dist/cli/main.js");
    const decision = JSON.parse(
      execFileSync("node", [cli, "decide", "--grants", join(root, "examples/grants.json"), "--max-memory", "4"], { input: JSON.stringify(large) }).toString(),
    ) as { code: string; reasons: string[] };
    expect(decision).toMatchObject({ code: "engine_error", reasons: [expect.stringContaining("out of memory at the 4 MiB ceiling")] });
    expect(() => execFileSync("node", [cli, "decide", "--max-memory", "1"], { input: JSON.stringify(small), stdio: "pipe" })).toThrow(
      /--max-memory must be a whole number of MiB, 2 or more, not '1'/u,
    );
  });
});

describe("bundle revisions that cannot serve", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = join(tmp, "key.pem");
  const served = mkdtempSync(join(tmpdir(), "msq-authz-faults-served-"));
  const revision = (name: string) => join(tmp, `${name}.tar.gz`);
  const publish = (name: string) => copyFileSync(revision(name), join(served, "msq-authz.tar.gz"));
  let server: ReturnType<typeof buildServer>;
  let bundleServer: ReturnType<typeof buildServer>;
  let source: BundleSource;
  let url: string;

  beforeAll(async () => {
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    for (const name of ["good", "good-2"]) await buildBundle({ output: revision(name), grants: grants as never, revision: name, signingKey: keyFile });
    // Signed, so only loading can refuse them.
    const badPattern = { roles: { analyst: { permissions: [{ resource: { name: "wiki(", type: "DATASOURCE" }, action: "READ" }] } } };
    await buildBundle({ output: revision("bad-grants"), grants: badPattern as never, revision: "bad-grants", signingKey: keyFile });
    const other = join(tmp, "other");
    execFileSync("mkdir", ["-p", other]);
    writeFileSync(join(other, "other.rego"), "package other\n\nallow := true\n");
    execFileSync(join(root, ".tools/bin/opa"), ["build", "-b", "-t", "wasm", "-e", "other/allow", "--revision", "other-policy", "--signing-key", keyFile, "-o", revision("other-policy"), other]);
    const whole = readFileSync(revision("good"));
    writeFileSync(revision("truncated"), whole.subarray(0, Math.floor(whole.length / 2)));

    publish("good");
    bundleServer = buildServer({ point: await createDecisionPoint(), bundlesDir: served, logLevel: "error" });
    const bundleUrl = `${await bundleServer.listen({ host: "127.0.0.1", port: 0 })}/bundles/msq-authz.tar.gz`;
    source = new BundleSource({ location: bundleUrl, verification: { key: publicKey.export({ type: "spki", format: "pem" }).toString() }, pollIntervalMs: 3_600_000 });
    const point = await createDecisionPoint({ bundle: await source.fetch() });
    followBundles(point, source);
    server = buildServer({ point, bundleSource: source, logLevel: "error" });
    url = await server.listen({ host: "127.0.0.1", port: 0 });
  }, 120_000);

  afterAll(async () => {
    source.stop();
    await Promise.all([server.close(), bundleServer.close()]);
    rmSync(served, { recursive: true, force: true });
  });

  it.each([
    ["a grant set that does not load", "bad-grants", "data.grants: /roles/analyst/permissions/0/resource/name: resource name regex does not compile (wiki()"],
    ["another policy's bundle", "other-policy", `lacks the entrypoints ${Object.values(entrypoints).join(", ")}`],
    ["a truncated archive", "truncated", "is not a gzip archive"],
  ])("%s is refused; the last good revision keeps serving and /metrics counts it", async (_, name, reason) => {
    const failuresBefore = source.status.failures;
    publish(name);
    const refused = new Promise<Error>((resolve) => source.once("error", resolve));
    await source.poll();
    expect((await refused).message).toContain(reason);
    const health = (await (await fetch(`${url}/health`)).json()) as { revision: string; bundle: { failures: number; lastError: string } };
    expect(health).toMatchObject({ revision: "good", bundle: { revision: "good", failures: failuresBefore + 1 } });
    const decision = await (await fetch(`${url}/v1/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(small) })).json();
    expect(decision).toMatchObject({ allow: true, code: "ok", revision: "good" });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metric(metrics, "msq_authz_bundle_reload_failures_total")).toBe(failuresBefore + 1);
    publish("good");
  });

  it("then takes the next good revision, and every answer names it, refusals included", async () => {
    publish("good-2");
    const activated = new Promise((resolve) => source.once("activated", resolve));
    await source.poll();
    await activated;
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as { revision: string };
    expect(await post("/v1/decide", small)).toMatchObject({ code: "ok", revision: "good-2" });
    expect(await post("/v1/druid", { http: { method: "GET", path: "/nowhere" }, identity: alice })).toMatchObject({ code: "not_found", revision: "good-2" });
  });
});
