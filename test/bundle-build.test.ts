// Reproducible bundles: `bundle build` twice on the same inputs writes the same bytes (wasm and rego, unsigned and
// signed), the archive names files from the bundle root with fixed order, times and modes, its manifest names the
// real roots (which OPA accepts, signature and all), and nothing temporary is left behind, even when OPA fails.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATA_ROOTS, OPA_MIN_VERSION, type BuildOptions, buildBundle } from "../src/bundle/build.js";
import { loadBundle, readBundleFiles } from "../src/bundle/load.js";
import { BundleError } from "../src/errors.js";
import { readJson, root } from "./support.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-bundle-build-test-"));
// Builds stage under os.tmpdir(), which follows TMPDIR: a private one shows whatever a build leaves behind.
const buildTmp = join(tmp, "tmpdir");
const savedTmpdir = process.env.TMPDIR;
const opa = join(root, ".tools/bin/opa");
const grants = readJson(join(root, "examples/grants.json")) as BuildOptions["grants"];
const settings = readJson(join(root, "examples/settings.json")) as BuildOptions["settings"];

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = (key: { export(options: { type: "pkcs8" | "spki"; format: "pem" }): string | Buffer }, type: "pkcs8" | "spki") => key.export({ type, format: "pem" }).toString();
const rsaKey = join(tmp, "rsa.pem");
const ecKey = join(tmp, "ec.pem");
writeFileSync(rsaKey, pem(rsa.privateKey, "pkcs8"));
writeFileSync(ecKey, pem(ec.privateKey, "pkcs8"));
writeFileSync(join(tmp, "rsa.pub.pem"), pem(rsa.publicKey, "spki"));

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
let builds = 0;
/** Builds to a fresh file in tmp and returns its path. */
async function build(options: Omit<BuildOptions, "output">): Promise<string> {
  const output = join(tmp, `build-${(builds += 1)}.tar.gz`);
  await buildBundle({ grants, settings, ...options, output });
  return output;
}

interface Entry {
  name: string;
  mode?: number;
  mtime?: Date;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  type?: string | null;
}
async function entriesOf(path: string): Promise<Entry[]> {
  const tar = extract();
  tar.end(gunzipSync(readFileSync(path)));
  const entries: Entry[] = [];
  for await (const entry of tar) {
    entry.resume();
    const { name, mode, mtime, uid, gid, uname, gname, type } = entry.header;
    entries.push({ name, mode, mtime, uid, gid, uname, gname, type });
  }
  return entries;
}

beforeAll(() => {
  execFileSync("mkdir", ["-p", buildTmp]);
  process.env.TMPDIR = buildTmp;
});

afterAll(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(tmp, { recursive: true, force: true });
});

describe("bundle build is reproducible", () => {
  it.each([
    ["wasm", "unsigned", {}],
    ["rego", "unsigned", {}],
    ["wasm", "signed RS256", { signingKey: rsaKey, signingAlg: "RS256", keyId: "release", scope: "prod" }],
    ["rego", "signed RS256", { signingKey: rsaKey, signingAlg: "RS256" }],
    ["wasm", "signed HS256", { signingKey: "a-shared-secret-of-32-bytes-or-more", signingAlg: "HS256" }],
  ] as const)("%s, %s: two builds of the same inputs are the same bytes", async (target, _signing, signing) => {
    const first = await build({ target, ...signing });
    const second = await build({ target, ...signing });
    console.log(`${target} ${_signing}: ${sha256(first)} ${sha256(second)}`);
    expect(sha256(second)).toBe(sha256(first));
  });

  it("ES256 signs with a random nonce: every file but .signatures.json is the same, and both signatures verify", async () => {
    const [first, second] = [await build({ signingKey: ecKey, signingAlg: "ES256" }), await build({ signingKey: ecKey, signingAlg: "ES256" })];
    const [a, b] = [await readBundleFiles(first), await readBundleFiles(second)];
    expect(a.get(".signatures.json")).not.toEqual(b.get(".signatures.json"));
    a.delete(".signatures.json");
    b.delete(".signatures.json");
    expect(b).toEqual(a);
    const verification = { key: pem(ec.publicKey, "spki"), algorithm: "ES256" as const };
    for (const bundle of [first, second]) expect((await loadBundle(bundle, { verification })).signature?.files).toBe(a.size);
  });

  it("names the content in its revision: another grant set is another revision, an explicit one is kept", async () => {
    const revisionOf = async (path: string) => (JSON.parse((await readBundleFiles(path)).get(".manifest")?.toString("utf8") ?? "{}") as { revision?: string }).revision;
    const base = await revisionOf(await build({}));
    expect(base).toMatch(/^[0-9a-f]{16}$/u);
    expect(await revisionOf(await build({ grants: { users: { alice: { roles: ["admin"] } } } }))).not.toBe(base);
    expect(await revisionOf(await build({ target: "rego" }))).not.toBe(base);
    expect(await revisionOf(await build({ revision: "2026-11-21.1" }))).toBe("2026-11-21.1");
  });
});

describe("the archive", () => {
  let wasm: string;
  let rego: string;
  beforeAll(async () => {
    wasm = await build({ signingKey: rsaKey });
    rego = await build({ target: "rego", signingKey: rsaKey });
  });

  it("names each file from the bundle root as OPA does (/data.json), never a build folder, with mtime 0", async () => {
    for (const [bundle, last] of [[wasm, "/policy.wasm"], [rego, "/msq/storage/storage.rego"]] as const) {
      const entries = await entriesOf(bundle);
      const names = entries.map((entry) => entry.name);
      expect(names.slice(0, 2)).toEqual(["/data.json", "/msq/authz/authz.rego"]);
      expect(names.slice(-3)).toEqual([last, "/.signatures.json", "/.manifest"]);
      for (const entry of entries) {
        expect(entry).toEqual({ name: entry.name, mode: 0o600, mtime: new Date(0), uid: 0, gid: 0, uname: "", gname: "", type: "file" });
        expect(entry.name).toMatch(/^\/(\.manifest|\.signatures\.json|data\.json|policy\.wasm|msq\/[a-z_/]+\.rego)$/u);
      }
      expect(names.some((name) => name.endsWith("_test.rego"))).toBe(false);
    }
    // gzip: no file name, no time.
    const header = readFileSync(wasm).subarray(0, 10);
    expect([header[3], header.readUInt32LE(4)]).toEqual([0, 0]);
  });

  it("names the real roots: the Rego's top-level packages and the data documents the policy reads", async () => {
    const roots = ["grant_index", "grant_patterns", "grants", "msq", "settings"];
    expect((await loadBundle(wasm)).manifest.roots).toEqual(roots);
    expect(JSON.parse((await readBundleFiles(rego)).get(".manifest")?.toString("utf8") ?? "{}")).toMatchObject({ roots });
    // Every data document the Rego reads (outside comments) is under a root, so no other writer can change it.
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego")) {
          const code = readFileSync(path, "utf8").replace(/#.*$/gmu, "");
          for (const [, name] of code.matchAll(/\bdata\.([A-Za-z_][A-Za-z0-9_]*)/gu)) read.add(name as string);
        }
      }
    };
    walk(join(root, "policies/rego"));
    expect([...read].filter((name) => !roots.includes(name))).toEqual([]);
    expect([...DATA_ROOTS].every((name) => roots.includes(name))).toBe(true);
  });

  it("is accepted by OPA: its signature verifies and its roots admit data.json at the root", () => {
    for (const bundle of [wasm, rego]) {
      // `opa build --bundle` on a signed archive verifies it before building from it.
      execFileSync(opa, ["build", "--bundle", bundle, "--verification-key", join(tmp, "rsa.pub.pem"), "-o", join(tmp, "verified.tar.gz")]);
      expect(execFileSync(opa, ["inspect", "--format", "json", bundle]).toString()).toContain('"grant_patterns"');
    }
    // The rego target decides in OPA's Go evaluator from the bundle alone.
    const input = join(tmp, "input.json");
    writeFileSync(input, JSON.stringify({ identity: { authenticated: true, user: "alice" }, operation: "sql.query", statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "wikipedia" }] } }));
    const result = JSON.parse(execFileSync(opa, ["eval", "--format", "json", "--bundle", rego, "--input", input, "data.msq.authz.decision.allow"]).toString()) as { result: { expressions: { value: unknown }[] }[] };
    expect(result.result[0]?.expressions[0]?.value).toBe(true);
  });
});

describe("bundle build from the command line", () => {
  it("reads a signing key named relative to the working directory (OPA itself runs inside the staged bundle)", async () => {
    const output = join(tmp, "relative-key.tar.gz");
    const result = spawnSync("node", [join(root, "dist/cli/main.js"), "bundle", "build", "--output", "relative-key.tar.gz", "--signing-key", "rsa.pem"], { cwd: tmp, encoding: "utf8" });
    expect({ code: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: "built relative-key.tar.gz\n", stderr: "" });
    const verification = { key: pem(rsa.publicKey, "spki"), algorithm: "RS256" as const };
    expect((await loadBundle(output, { verification })).signature?.keyId).toBe("default");
  });
});

describe("bundle build fails plainly", () => {
  it("without OPA, or with an OPA older than the pinned one, says what it needs in one line", async () => {
    const needs = `bundle build needs OPA >= ${OPA_MIN_VERSION} on PATH (or .tools/bin/opa)`;
    await expect(build({ opa: join(tmp, "no-such-opa") })).rejects.toThrow(new BundleError(`${needs}; \`make tools\` installs it`));
    const old = join(tmp, "old-opa");
    writeFileSync(old, "#!/bin/sh\necho 'Version: 0.70.0'\n");
    chmodSync(old, 0o755);
    await expect(build({ opa: old })).rejects.toThrow(new BundleError(`${needs}, not OPA 0.70.0 (${old}); \`make tools\` installs it`));
  });

  it("pins the OPA the Makefile installs", () => {
    expect(readFileSync(join(root, "Makefile"), "utf8")).toMatch(new RegExp(`^OPA_VERSION \\?= v${OPA_MIN_VERSION.replaceAll(".", "\\.")}$`, "mu"));
  });

  it("writes no output and leaves nothing in the temporary folder when OPA fails", async () => {
    const output = join(tmp, "never.tar.gz");
    const failure = buildBundle({ output, signingKey: join(tmp, "no-such-key.pem") });
    // OPA reads a --signing-key that is not a file as the key itself.
    await expect(failure).rejects.toThrow(/^opa build failed: failed to parse PEM block containing the key$/u);
    expect(existsSync(output)).toBe(false);
  });

  it("leaves nothing behind in the temporary folder, after every build above", () => {
    expect(readdirSync(buildTmp)).toEqual([]);
  });
});
