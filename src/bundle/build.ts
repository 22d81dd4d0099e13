// Builds the policy into an OPA bundle with `opa build -b`, reproducibly: the same policy, grants, settings, target,
// capabilities, OPA version and signing key give the same archive, byte for byte. Signatures by RS*, HS* (and no
// signature) are deterministic; ES* and PS* sign with a random nonce or salt, so only .signatures.json differs then.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { BundleError } from "../errors.js";
import { grantPatterns } from "../grants.js";
import type { Grants, Settings } from "../types.js";
import type { SigningAlgorithm } from "./verify.js";

const packageRoot = fileURLToPath(new URL("../..", import.meta.url));
const policyRoot = join(packageRoot, "policies/rego");
const capabilitiesPath = join(packageRoot, "policies/capabilities.json");
/** Where `make tools` installs OPA in a clone; an installed package finds OPA on the PATH. */
const toolsOpa = join(packageRoot, ".tools/bin/opa");

/** The OPA the Makefile pins (OPA_VERSION): the capabilities and the committed bundle are built with it. */
export const OPA_MIN_VERSION = "1.22.2";

/**
 * The data documents the policy reads. The bundle owns them (manifest `roots`, with the Rego's top-level packages)
 * so that an OPA agent's Data API or another bundle cannot change what the policy trusts: data.grant_index, which
 * a decision point builds for itself, would otherwise let anyone who can write data grant themselves anything.
 */
export const DATA_ROOTS = ["grants", "grant_patterns", "grant_index", "settings"] as const;

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
  /** The opa binary; default: .tools/bin/opa in a clone, else `opa` on the PATH. */
  opa?: string;
}

export interface BuiltBundle {
  output: string;
  revision: string;
  /** SHA-256 of the archive written. */
  sha256: string;
}

/**
 * Wraps `opa build -b` over the policy sources: the WASM entrypoints come from METADATA, the grants and settings
 * become the bundle's data.json (so a bundle alone can decide), and signing is OPA's own. The rego target is for
 * stock OPA agents: the Rego inside a wasm bundle is compiler output (metadata stripped) that OPA cannot evaluate.
 *
 * Reproducible: OPA writes a deterministic archive (entries in a fixed order, each named from the bundle root as
 * `/data.json`, mtime 0, Go's gzip with no name or time), except that it names entries by the path it was given, so
 * it runs inside the staged bundle on `.`. The leading `/` is OPA's form (its reader finds `/policy.wasm` by that
 * name); signatures list the names without it. Everything temporary lives in one folder, removed whatever happens;
 * the output is written only once the build has succeeded.
 */
export async function buildBundle(options: BuildOptions): Promise<BuiltBundle> {
  const target = options.target ?? "wasm";
  const opa = await findOpa(options.opa);
  const work = await mkdtemp(join(tmpdir(), "msq-authz-bundle-"));
  try {
    const root = join(work, "bundle");
    await mkdir(root);
    await cp(policyRoot, root, { recursive: true, filter: (src) => !src.endsWith("_test.rego") });
    // The grants' patterns go in with their RE2 translations (data.grant_patterns): the policy never reads a Java
    // pattern as RE2, so a stock OPA agent running the bundle decides as a decision point does.
    const grants = options.grants ?? {};
    await writeFile(join(root, "data.json"), JSON.stringify({ grants, grant_patterns: grantPatterns(grants), settings: options.settings ?? {} }));
    // `opa build -b` keeps the staged manifest's roots and sets the revision itself.
    await writeFile(join(root, ".manifest"), JSON.stringify({ roots: await rootsOf(root) }));
    const capabilities = await readFile(capabilitiesPath);
    // A bundle always names its revision: a decision point following bundles refuses one without.
    const revision = options.revision || (await contentRevision(root, [target, capabilities, `opa ${opa.version}`]));
    const built = join(work, "opa-build.tar.gz");
    const args = ["build", "-b", "-t", target, "--capabilities", capabilitiesPath, "--revision", revision, "-o", built];
    if (options.signingKey) {
      // OPA runs inside the staged bundle: a key file named relative to here must be named absolutely. A value that is
      // no file is an HS secret, or OPA's own error.
      const keyFile = resolve(options.signingKey);
      args.push("--signing-key", existsSync(keyFile) ? keyFile : options.signingKey, "--signing-alg", options.signingAlg ?? "RS256");
      const claims: Record<string, string> = {};
      if (options.scope) claims.scope = options.scope;
      if (options.keyId) claims.keyid = options.keyId;
      if (Object.keys(claims).length > 0) {
        await writeFile(join(work, "claims.json"), JSON.stringify(claims));
        args.push("--claims-file", join(work, "claims.json"));
      }
    }
    args.push(".");
    await run(opa.path, args, root).catch((cause: unknown) => {
      throw new BundleError(`opa build failed: ${failureOf(cause)}`, { cause });
    });
    const archive = await readFile(built);
    try {
      await writeFile(options.output, archive);
    } catch (cause) {
      throw new BundleError(`cannot write ${options.output}: ${(cause as Error).message}`, { cause });
    }
    return { output: options.output, revision, sha256: createHash("sha256").update(archive).digest("hex") };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The first 16 hex digits of a SHA-256 over how it is built (target, capabilities, OPA version) and every staged
 * file, by path in byte order: the same policy, grants and settings always build the same revision, and any change
 * another.
 */
async function contentRevision(staging: string, built: (string | Buffer)[] = []): Promise<string> {
  const hash = createHash("sha256");
  for (const part of built) hash.update(`${part.length}\0`).update(part);
  for (const file of await filesOf(staging)) {
    const content = await readFile(join(staging, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest("hex").slice(0, 16);
}

interface Opa {
  path: string;
  version: string;
}

const opaNeeded = (found?: string) =>
  `bundle build needs OPA >= ${OPA_MIN_VERSION} on PATH (or .tools/bin/opa)${found ? `, not ${found}` : ""}; \`make tools\` installs it`;

/** The OPA to build with, and its version; a missing or older OPA is a BundleError saying what is needed. */
async function findOpa(explicit?: string): Promise<Opa> {
  const path = explicit ?? (existsSync(toolsOpa) ? toolsOpa : "opa");
  let output: string;
  try {
    output = (await run(path, ["version"])).stdout;
  } catch (cause) {
    throw new BundleError(opaNeeded(), { cause });
  }
  const version = /^Version:\s*v?(\d+)\.(\d+)\.(\d+)/mu.exec(output);
  if (!version) throw new BundleError(opaNeeded(`an OPA whose version cannot be read (${path})`));
  const found = version.slice(1, 4).map(Number);
  const needed = OPA_MIN_VERSION.split(".").map(Number);
  const order = found.map((part, i) => part - (needed[i] ?? 0)).find((difference) => difference !== 0) ?? 0;
  if (order < 0) throw new BundleError(opaNeeded(`OPA ${found.join(".")} (${path})`));
  return { path, version: found.join(".") };
}

/** How long an `opa` run may take: a build of the largest grant sets takes seconds; a hung one fails, not waits. */
const OPA_TIMEOUT_MS = 10 * 60 * 1000;

function run(file: string, args: string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 16 * 1024 * 1024, timeout: OPA_TIMEOUT_MS, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** OPA's own words (it writes errors to stdout), on one line, with its paths named as they are in the package. */
function failureOf(cause: unknown): string {
  const { stdout = "", stderr = "", message } = cause as { stdout?: string; stderr?: string; message: string };
  const text = `${stderr}\n${stdout}`.trim() || message;
  return text
    .split("\n")
    .map((line) => line.trim().replace(/^error: /u, ""))
    .filter((line) => line !== "")
    .map((line) => line.replace(/^(?:\.\/)?(msq\/\S+\.rego)/u, "policies/rego/$1"))
    .reduce((joined, line) => (joined === "" ? line : `${joined}${joined.endsWith(":") ? " " : "; "}${line}`), "");
}

/** The manifest's roots: the top-level packages the Rego declares and the data documents the policy reads. */
async function rootsOf(root: string): Promise<string[]> {
  const roots = new Set<string>(DATA_ROOTS);
  for (const file of await filesOf(root)) {
    if (!file.endsWith(".rego")) continue;
    const declared = /^package\s+([A-Za-z_][A-Za-z0-9_]*)/mu.exec(await readFile(join(root, file), "utf8"));
    if (declared?.[1]) roots.add(declared[1]);
  }
  return [...roots].sort(byBytes);
}

async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort(byBytes);
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
