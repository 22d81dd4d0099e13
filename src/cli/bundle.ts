// `msq-authz bundle build|verify|inspect`: signed OPA bundles of the policy, the way OPA builds and checks them.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readBundleFiles } from "../bundle/load.js";
import { type SigningAlgorithm, type VerificationOptions, hashFile, verifyBundle } from "../bundle/verify.js";
import { BundleError } from "../errors.js";
import { grantPatterns } from "../grants.js";
import type { Grants, Settings } from "../types.js";

const packageRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface BuildOptions {
  output: string;
  /** wasm (default): policy.wasm for msq-authz decision points; rego: the Rego sources, for stock OPA agents. */
  target?: "wasm" | "rego";
  grants?: Grants;
  settings?: Settings;
  /** The manifest's revision; default: a hash of everything the bundle is built from (contentRevision). */
  revision?: string;
  signingKey?: string;
  signingAlg?: SigningAlgorithm;
  scope?: string;
  keyId?: string;
  opa?: string;
}

/**
 * Wraps `opa build -b` over the policy sources: the WASM entrypoints come from METADATA, the grants and settings
 * become the bundle's data.json (so a bundle alone can decide), and signing is OPA's own. The rego target is for
 * stock OPA agents: the Rego inside a wasm bundle is compiler output (metadata stripped) that OPA cannot evaluate.
 */
export async function buildBundle(options: BuildOptions): Promise<void> {
  const opa = options.opa ?? [join(packageRoot, ".tools/bin/opa"), "opa"].find((candidate) => candidate === "opa" || existsSync(candidate)) ?? "opa";
  const staging = mkdtempSync(join(tmpdir(), "msq-authz-bundle-"));
  try {
    await cp(join(packageRoot, "policies/rego"), join(staging, "rego"), { recursive: true, filter: (src) => !src.endsWith("_test.rego") });
    // The grants' patterns go in with their RE2 translations (data.grant_patterns): the policy never reads a Java
    // pattern as RE2, so a stock OPA agent running the bundle decides as a decision point does.
    const grants = options.grants ?? {};
    await writeFile(join(staging, "data.json"), JSON.stringify({ grants, grant_patterns: grantPatterns(grants), settings: options.settings ?? {} }));
    const args = ["build", "-b", "-t", options.target ?? "wasm", "--capabilities", join(packageRoot, "policies/capabilities.json"), "-o", options.output];
    // A bundle always names its revision: a decision point following bundles refuses one without.
    const built = [options.target ?? "wasm", await readFile(join(packageRoot, "policies/capabilities.json"))];
    args.push("--revision", options.revision || (await contentRevision(staging, built)));
    if (options.signingKey) {
      args.push("--signing-key", options.signingKey, "--signing-alg", options.signingAlg ?? "RS256");
      const claims: Record<string, string> = {};
      if (options.scope) claims.scope = options.scope;
      if (options.keyId) claims.keyid = options.keyId;
      if (Object.keys(claims).length > 0) {
        await writeFile(`${staging}.claims.json`, JSON.stringify(claims));
        args.push("--claims-file", `${staging}.claims.json`);
      }
    }
    args.push(staging);
    try {
      await promisify(execFile)(opa, args);
    } catch (cause) {
      throw new BundleError(`opa build failed: ${((cause as { stderr?: string }).stderr ?? (cause as Error).message).trim()}`, { cause });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.claims.json`, { force: true });
  }
}

/**
 * The first 16 hex digits of a SHA-256 over how it is built (target, capabilities) and every staged file, by path
 * in byte order: the same policy, grants and settings always build the same revision, and any change another.
 */
export async function contentRevision(staging: string, built: (string | Buffer)[] = []): Promise<string> {
  const hash = createHash("sha256");
  for (const part of built) hash.update(`${part.length}\0`).update(part);
  const entries = await readdir(staging, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(staging, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const file of files) {
    const content = await readFile(join(staging, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest("hex").slice(0, 16);
}

export async function verify(path: string, options: VerificationOptions): Promise<string> {
  const verified = await verifyBundle(await readBundleFiles(path), options, path);
  return `bundle ${path} is valid: ${verified?.files ?? 0} files signed${verified?.keyId ? ` by key '${verified.keyId}'` : ""}${verified?.scope ? ` for scope '${verified.scope}'` : ""}`;
}

export async function inspect(path: string): Promise<Record<string, unknown>> {
  const files = await readBundleFiles(path);
  const manifest = JSON.parse(files.get(".manifest")?.toString("utf8") ?? "{}") as { revision?: string; roots?: string[]; wasm?: { entrypoint: string }[] };
  const signatures = files.get(".signatures.json");
  let keyId: string | undefined;
  if (signatures) {
    const [token] = (JSON.parse(signatures.toString("utf8")) as { signatures: string[] }).signatures;
    const [header, payload] = (token ?? "").split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8") || "{}") as { kid?: string; keyid?: string });
    keyId = payload?.keyid ?? header?.kid;
  }
  return {
    revision: manifest.revision,
    roots: manifest.roots,
    entrypoints: manifest.wasm?.map((w) => w.entrypoint),
    signed: signatures !== undefined,
    ...(keyId ? { keyId } : {}),
    files: [...files].map(([name, content]) => ({ name, bytes: content.length, sha256: hashFile(name, content) })),
  };
}
