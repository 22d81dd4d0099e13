// Druid's own OPA authorizer (druid-opa-authorizer) asks a stock OPA agent: `opa run --server` (the pinned OPA) holding
// the signed rego bundle that `bundle build --target rego --grants ... --signing-key` builds answers
// POST /v1/data/msq/druid/allow with Druid's exact message bodies (test/cases/druid-authorizer/messages.json) as the
// grants say; the WASM policy the decision point runs gives the same answers, and whole-query decisions take the same
// LDAP group roles.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle } from "../src/bundle/build.js";
import { loadBundle } from "../src/bundle/load.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { checkGrants, grantPatterns } from "../src/grants.js";
import { buildServer, type ServerOptions } from "../src/server/app.js";
import { checkSettings } from "../src/settings.js";
import { pointFor, readJson, root } from "./support.js";
import { freePort } from "./ports.js";

const cases = join(root, "test/cases/druid-authorizer");
const grants = checkGrants(readJson(join(cases, "grants.json")));
const settings = checkSettings(readJson(join(cases, "settings.json")));
const { messages, texts } = readJson(join(cases, "messages.json")) as {
  messages: { name: string; body: unknown; result: boolean }[];
  texts: { name: string; text: string; result: false }[];
};

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-druid-"));
let opa: ChildProcess | undefined;
let opaUrl = "";

/** What Druid's OpaAuthorizer does: POST the body to opaUri, Content-Type application/json, no Authorization. */
const ask = async (text: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${opaUrl}/v1/data/msq/druid/allow`, { method: "POST", headers: { "content-type": "application/json" }, body: text });
  return { status: response.status, body: await response.json().catch(() => undefined) };
};

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(join(tmp, "key.pem"), privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  writeFileSync(join(tmp, "public.pem"), publicKey.export({ type: "spki", format: "pem" }).toString());
  const bundle = join(tmp, "msq-authz-opa.tar.gz");
  await buildBundle({ output: bundle, target: "rego", grants, settings, signingKey: join(tmp, "key.pem"), keyId: "msq" });
  const port = await freePort();
  opaUrl = `http://127.0.0.1:${port}`;
  // The agent verifies the bundle's signature before it activates it.
  opa = spawn(
    join(root, ".tools/bin/opa"),
    ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--verification-key", join(tmp, "public.pem"), "--verification-key-id", "msq", "--bundle", bundle],
    { stdio: "ignore" },
  );
  for (const started = Date.now(); Date.now() - started < 30_000; await new Promise((r) => setTimeout(r, 200))) {
    const healthy = await fetch(`${opaUrl}/health?bundles`).then((r) => r.ok, () => false);
    if (healthy) return;
  }
  throw new Error("the OPA agent did not become healthy");
}, 120_000);

afterAll(() => {
  opa?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

describe("a stock OPA agent holding the signed rego bundle, asked as Druid asks", () => {
  it("has Druid's messages of every kind", () => {
    expect(messages.filter((m) => m.result).length).toBeGreaterThan(15);
    expect(messages.filter((m) => !m.result).length).toBeGreaterThan(25);
  });

  // Druid allows only on HTTP 200 with "result": true (a JSON boolean), and ignores other fields (OPA warns about a
  // body without "input"); false is a deny, and so is anything else.
  it.each(messages.map((m) => [m.name, m] as const))("%s", async (_, m) => {
    const { status, body } = await ask(JSON.stringify(m.body));
    expect({ status, result: (body as { result?: unknown } | undefined)?.result }).toEqual({ status: 200, result: m.result });
  });

  it.each(texts.map((t) => [t.name, t] as const))("%s is no allow", async (_, t) => {
    const { status, body } = await ask(t.text);
    expect(status === 200 && (body as { result?: unknown } | undefined)?.result === true).toBe(t.result);
  });
});

describe("the WASM policy the decision point runs", () => {
  it("answers every message as the OPA agent does", async () => {
    const policy = await loadPolicy((await loadBundle()).wasm);
    policy.setData({ grants, grant_patterns: grantPatterns(grants), settings });
    const answers = messages.map((m) => {
      const input = (m.body as { input?: unknown }).input;
      const [first] = policy.evaluate(input, "msq/druid/allow") as { result: unknown }[];
      return { name: m.name, result: first?.result };
    });
    expect(answers).toEqual(messages.map((m) => ({ name: m.name, result: m.result })));
  });
});

describe("msq-authz serve, asked as Druid asks", () => {
  const servers: FastifyInstance[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  /** A serve on loopback (in-process), and Druid's POST to it. */
  async function serveWith(options: Partial<ServerOptions> = {}) {
    const point = await createDecisionPoint({ grants, settings });
    const app = buildServer({ point, logLevel: "error", ...options });
    servers.push(app);
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const post = async (text: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${url}/v1/data/msq/druid/allow`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: text });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    return { point, post, url };
  }

  it("answers every message with HTTP 200, the result the grants give and a decision id, as the OPA agent does", async () => {
    const { post } = await serveWith();
    for (const m of messages) {
      const { status, body } = await post(JSON.stringify(m.body));
      expect({ name: m.name, status, body }).toEqual({ name: m.name, status: 200, body: { decision_id: expect.stringMatching(/^[0-9a-f-]{36}$/u), result: m.result } });
      expect(await ask(JSON.stringify(m.body))).toMatchObject({ body: { result: m.result } });
    }
    for (const t of texts) expect(await post(t.text)).toEqual({ status: 200, body: { decision_id: expect.any(String), result: false } });
  });

  it("remembers each check's answer within a revision, and answers a repeated message as the first time", async () => {
    const { point, post } = await serveWith();
    const [first] = messages;
    const entries = () => point.caches().find((cache) => cache.cache === "checks")?.entries;
    expect(entries()).toBe(0);
    const once = await post(JSON.stringify(first?.body));
    expect(entries()).toBe(1);
    expect((await post(JSON.stringify(first?.body))).body.result).toBe(once.body.result);
    expect(entries()).toBe(1);
  });

  it("needs the token like every route, unless serve is told to let Druid in without one", async () => {
    const allowed = JSON.stringify(messages.find((m) => m.result)?.body);
    const locked = await serveWith({ token: "s3cret" });
    expect((await locked.post(allowed)).status).toBe(401);
    expect(await locked.post(allowed, { authorization: "Bearer s3cret" })).toMatchObject({ status: 200, body: { result: true } });
    const open = await serveWith({ token: "s3cret", druidWithoutToken: true });
    expect(await open.post(allowed)).toMatchObject({ status: 200, body: { result: true } });
    // Only that route: the others still need the token.
    expect((await fetch(`${open.url}/v1/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
  });
});

describe("whole-query decisions take the same LDAP group roles (identity.groups)", () => {
  const lara = (groups: string[]) => ({
    identity: { authenticated: true, user: "lara", groups },
    operation: "sql.task.submit",
    statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "sales_q1" }] },
  });
  const read = { type: "DATASOURCE", name: "sales_q1", action: "READ" };

  it("allows what the groups' roles grant", async () => {
    const point = await pointFor("wasm", grants, settings);
    expect(await point.decide(lara(["CN=Sales, OU=Groups, DC=example, DC=com"]))).toMatchObject({
      allow: true,
      status: 202,
      matched: [{ ...read, role: "sales_reader", pattern: "sales_.*" }],
    });
    expect(await point.decide(lara(["cn=sales,ou=people,dc=example,dc=com"]))).toMatchObject({ allow: false, status: 403, missing: [read] });
  });

  it("denies every check, and says why, where Druid's role provider would fail on the groups", async () => {
    const point = await pointFor("wasm", grants, settings);
    expect((await point.decide(lara(["cn=sales,ou=groups,dc=example,dc=com", "cn=x,dc=#zz"]))).reasons).toEqual([
      "F8 (Roles from LDAP groups): user 'lara': Druid's LDAP role provider fails on \"cn=x,dc=#zz\" (a #hex value that is not hex pairs), so every permission check fails",
      "R2 (SELECT from a datasource): needs READ on DATASOURCE 'sales_q1'; user 'lara' (no roles) has no matching permission",
    ]);
  });

  it("is refused by the Casbin engine, whose store maps users to roles, not groups", async () => {
    const point = await pointFor("casbin", grants, settings);
    expect(await point.decide(lara(["cn=sales,ou=groups,dc=example,dc=com"]))).toMatchObject({
      allow: false,
      status: 400,
      code: "invalid_request",
      reasons: [
        "INPUT (Request shape): identity.groups needs the grants the policy holds (engine wasm): a grant matcher's store maps users to roles, not LDAP groups",
      ],
    });
    expect(await point.decide(lara([]))).toMatchObject({ allow: false, status: 403, engine: "casbin" });
  });

  it("refuses more groups, or longer group names, than a decision's time budget allows", async () => {
    const point = await pointFor("wasm", grants, settings);
    const tooMany = Array.from({ length: 51 }, (_, i) => `cn=g${i},ou=groups,dc=example,dc=com`);
    expect(await point.decide(lara(tooMany))).toMatchObject({ status: 400, code: "invalid_request" });
    const tooDeep = Array.from({ length: 17 }, (_, i) => `ou=o${i}`).join(",");
    expect(await point.decide(lara([tooDeep]))).toMatchObject({ status: 400, code: "invalid_request" });
  });
});
