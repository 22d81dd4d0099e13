// Signed bundles: built and signed by the real `opa build`, verified by msq-authz as OPA specifies, and every way
// a bundle can be wrong refused with its reason.
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundle } from "../src/bundle/load.js";
import type { SigningAlgorithm } from "../src/bundle/verify.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { BundleError } from "../src/errors.js";
import { type ExtraEntry, repack as repackTo } from "./repack.js";
import { root } from "./support.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-signing-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const opa = join(root, ".tools/bin/opa");

function keyPair(type: "rsa" | "ec"): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function build(name: string, algorithm: SigningAlgorithm, signingKey: string, claims?: object): string {
  const keyArg = algorithm.startsWith("HS") ? signingKey : join(tmp, `${name}.key.pem`);
  if (!algorithm.startsWith("HS")) writeFileSync(keyArg, signingKey);
  const extra: string[] = [];
  if (claims) {
    writeFileSync(join(tmp, `${name}.claims.json`), JSON.stringify(claims));
    extra.push("--claims-file", join(tmp, `${name}.claims.json`));
  }
  const out = join(tmp, `${name}.tar.gz`);
  execFileSync(opa, ["build", "-b", "-t", "wasm", "--capabilities", join(root, "policies/capabilities.json"), "--ignore", "*_test.rego",
    "--revision", name, "--signing-key", keyArg, "--signing-alg", algorithm, ...extra, "-o", out, join(root, "policies/rego")]);
  return out;
}

/** The same bundle with its files changed, packed again as tmp/<name>.tar.gz. */
const repack = (source: string, name: string, change: (files: Map<string, Buffer>) => void, extra?: ExtraEntry[]) =>
  repackTo(source, join(tmp, `${name}.tar.gz`), change, extra);

const rsa = keyPair("rsa");
const ec = keyPair("ec");
let signed: string;

beforeAll(() => {
  signed = build("rs256", "RS256", rsa.privateKey, { scope: "prod" });
}, 120_000);

describe("bundles signed by opa build", () => {
  it("verify with RS256, ES256 and HS256, and the verified bundle decides", async () => {
    const es = build("es256", "ES256", ec.privateKey);
    const hs = build("hs256", "HS256", "shared-secret-of-32-bytes-or-more!!");
    const byRsa = await loadBundle(signed, { verification: { key: rsa.publicKey, algorithm: "RS256", scope: "prod" } });
    expect(byRsa.signature).toEqual({ scope: "prod", files: expect.any(Number) });
    expect((await loadBundle(es, { verification: { key: ec.publicKey, algorithm: "ES256", keyId: "default" } })).signature?.keyId).toBe("default");
    await expect(loadBundle(es, { verification: { key: ec.publicKey, algorithm: "ES256", keyId: "other" } })).rejects.toThrow("it is signed by key 'default', not 'other'");
    expect((await loadBundle(hs, { verification: { key: "shared-secret-of-32-bytes-or-more!!", algorithm: "HS256" } })).manifest.revision).toBe("hs256");
    const point = await createDecisionPoint({ bundle: byRsa });
    expect(point.revision).toBe("rs256");
    expect((await point.decide({ identity: { authenticated: true, user: "x" }, operation: "sql.task.enabled" })).allow).toBe(true);
  }, 120_000);
});

describe("a bundle is refused", () => {
  const verification = () => ({ key: rsa.publicKey, algorithm: "RS256" as const });
  const refused = async (path: string, reason: string | RegExp, options: object = { verification: verification() }) => {
    const failure = loadBundle(path, options);
    await expect(failure).rejects.toThrow(BundleError);
    await expect(failure).rejects.toThrow(reason);
  };

  it.each([
    ["data.json is not JSON", (files: Map<string, Buffer>) => files.set("data.json", Buffer.from("{")), "data.json is not JSON"],
    ["data.json is nested very deeply", (files: Map<string, Buffer>) => files.set("data.json", Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)), "data.json is nested deeper than 1000 levels"],
  ])("with its reason, never a throw, when %s", async (name, change, reason) => {
    await refused(await repack(signed, name.replaceAll(" ", "-"), change), reason);
  });

  it.each(["./data.json", "data.json/", "/data.json"])("when a second entry is named %s", async (duplicate) => {
    await refused(await repack(signed, `duplicate-${duplicate.replaceAll("/", "_")}`, () => undefined, [{ name: duplicate }]), "has two entries named data.json");
  });

  it("when a file was tampered with", async () => {
    const path = await repack(signed, "tampered", (files) => {
      const wasm = Buffer.from(files.get("policy.wasm") ?? Buffer.alloc(0));
      wasm.writeUInt8((wasm.readUInt8(wasm.length - 1) ^ 0xff) & 0xff, wasm.length - 1);
      files.set("policy.wasm", wasm);
    });
    await refused(path, "policy.wasm does not match its signed hash");
  });

  it("when data.json says something else, however it is formatted", async () => {
    const path = await repack(signed, "data", (files) => files.set("data.json", Buffer.from('{"grants": {"users": {"mallory": {"roles": ["admin"]}}}}')));
    await refused(path, "data.json does not match its signed hash");
    const reformatted = await repack(signed, "reformatted", (files) => files.set("data.json", Buffer.from(`${JSON.stringify(JSON.parse(String(files.get("data.json"))), null, 4)}\n`)));
    expect((await loadBundle(reformatted, { verification: verification() })).manifest.revision).toBe("rs256");
  });

  it("when it holds a file the signature does not list", async () => {
    await refused(await repack(signed, "extra", (files) => files.set("extra.rego", Buffer.from("package extra"))), "extra.rego is in the bundle but not in the signature");
  });

  it("when a signed file is missing", async () => {
    await refused(await repack(signed, "missing", (files) => files.delete("data.json")), "data.json is listed in the signature but missing");
  });

  it("when it is signed with another key", async () => {
    await refused(signed, /the signature does not verify with the RS256 key/u, { verification: { key: keyPair("rsa").publicKey, algorithm: "RS256" } });
  });

  it("when its scope or key id is not the one required", async () => {
    await refused(signed, "its scope is 'prod', not 'staging'", { verification: { ...verification(), scope: "staging" } });
    await refused(signed, "its signature names no key id, not 'release-2026'", { verification: { ...verification(), keyId: "release-2026" } });
  });

  it("when it is unsigned and a signature is required (the default)", async () => {
    await refused(join(root, "bundles/msq-authz"), "it is not signed (no .signatures.json)");
    expect((await loadBundle(join(root, "bundles/msq-authz"), { verification: { ...verification(), requireSignature: false } })).signature).toBeUndefined();
  });

  it("when the archive is corrupt, too large, or unpacks too large", async () => {
    const corrupt = join(tmp, "corrupt.tar.gz");
    writeFileSync(corrupt, readFileSync(signed).subarray(0, 1000));
    await refused(corrupt, "is not a gzip archive");
    await refused(signed, "is larger than 1000 bytes", { maxArchiveBytes: 1000 });
    await refused(signed, "is not a gzip archive within 10000 bytes unpacked", { maxUnpackedBytes: 10_000 });
  });

  it("when an entry points outside the bundle or is a link", async () => {
    await refused(await repack(signed, "traversal", () => undefined, [{ name: "../../etc/evil.rego" }]), "has an entry outside the bundle: ../../etc/evil.rego");
    await refused(await repack(signed, "symlink", () => undefined, [{ name: "link.rego", type: "symlink", linkname: "/etc/passwd" }]), "has a symlink entry");
  });
});

describe("msq-authz bundle build | verify | inspect", () => {
  const bin = join(root, "dist/cli/main.js");
  const run = (args: string[], input?: string) => spawnSync("node", [bin, ...args], { encoding: "utf8", cwd: root, ...(input ? { input } : {}) });
  const keyFile = join(tmp, "cli.key.pem");
  const publicFile = join(tmp, "cli.pub.pem");
  const output = join(tmp, "cli-bundle.tar.gz");

  beforeAll(() => {
    writeFileSync(keyFile, rsa.privateKey);
    writeFileSync(publicFile, rsa.publicKey);
    const built = run(["bundle", "build", "--output", output, "--grants", join(root, "examples/grants.json"), "--revision", "cli-1", "--signing-key", keyFile, "--scope", "prod", "--key-id", "release"]);
    expect(built.stderr).toBe("");
  }, 120_000);

  it("builds a signed bundle that verify accepts (exit 0) and a wrong scope refuses (exit 1)", () => {
    const ok = run(["bundle", "verify", output, "--verification-key", publicFile, "--scope", "prod", "--key-id", "release"]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^bundle .* is valid: \d+ files signed by key 'release' for scope 'prod'\n$/u);
    const wrong = run(["bundle", "verify", output, "--verification-key", publicFile, "--scope", "dev"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain("is refused: its scope is 'prod', not 'dev'");
  });

  it("inspects the manifest, revision, signature key id, and each file's hash", () => {
    const inspected = JSON.parse(run(["bundle", "inspect", output]).stdout);
    expect(inspected).toMatchObject({ revision: "cli-1", signed: true, keyId: "release" });
    expect(inspected.entrypoints).toEqual(expect.arrayContaining(["msq/authz/decision", "msq/authz/required", "msq/authz/finalize"]));
    expect(inspected.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining([".manifest", "policy.wasm", "data.json", ".signatures.json"]));
  });

  it("decides from the bundle alone once its signature verifies", () => {
    const request = JSON.stringify({ identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", sql: "SELECT * FROM wiki" });
    const decided = run(["decide", "--bundle", output, "--verification-key", publicFile, "--scope", "prod"], request);
    expect(decided.status).toBe(0);
    expect(JSON.parse(decided.stdout)).toMatchObject({ allow: true, revision: "cli-1", matched: [{ role: "analyst", pattern: "wiki.*" }] });
    const refused = run(["decide", "--bundle", output, "--verification-key", join(tmp, "es256.key.pem")], request);
    expect(refused.status).toBe(2);
  });
});
