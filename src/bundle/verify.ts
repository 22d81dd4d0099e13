// Bundle signature verification as OPA specifies it ("Bundle signing"): .signatures.json holds one JWS whose payload
// lists every file of the bundle with its hash. JSON files (.json, .manifest) are hashed in canonical form (keys
// sorted, no whitespace, as OPA's bundle/hash.go walks them); everything else byte for byte. The file list must match
// the bundle exactly. Unlike OPA without a pinned key id, an unsigned bundle is refused when a key is configured.
import { createHash } from "node:crypto";
import { type JWTPayload, compactVerify, decodeProtectedHeader, importSPKI } from "jose";
import { BundleError } from "../errors.js";

/** The JWS algorithms OPA signs bundles with: RS, PS and ES with a key pair, HS with a shared secret. */
export const SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512"] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface VerificationOptions {
  /** A public key (PEM) for RS/PS/ES algorithms, or the shared secret for HS algorithms. */
  key: string;
  algorithm?: SigningAlgorithm;
  /** The key id the signature must name (header kid or payload keyid). */
  keyId?: string;
  /** The scope the signature must carry. */
  scope?: string;
  /** Refuse an unsigned bundle (default true). */
  requireSignature?: boolean;
}

export interface Verified {
  keyId?: string;
  scope?: string;
  files: number;
}

interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

const SIGNATURES = ".signatures.json";

export async function verifyBundle(files: Map<string, Buffer>, options: VerificationOptions, source: string): Promise<Verified | undefined> {
  const refuse = (reason: string, cause?: unknown): never => {
    throw new BundleError(`bundle ${source} is refused: ${reason}`, cause === undefined ? undefined : { cause });
  };
  const signatures = files.get(SIGNATURES);
  if (!signatures) {
    if (options.requireSignature === false) return undefined;
    return refuse("it is not signed (no .signatures.json)");
  }
  let tokens: unknown;
  try {
    tokens = (JSON.parse(signatures.toString("utf8")) as { signatures?: unknown }).signatures;
  } catch (cause) {
    return refuse(".signatures.json is not JSON", cause);
  }
  if (!Array.isArray(tokens) || tokens.length !== 1 || typeof tokens[0] !== "string") {
    return refuse(".signatures.json must hold exactly one signature");
  }
  const token = tokens[0];
  let header: { alg?: string; kid?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    return refuse(`its signature has no readable header: ${(cause as Error).message}`, cause);
  }
  // The algorithm is the one the signature names, and it must suit the key: a PEM public key takes only RS, PS and
  // ES algorithms and a shared secret only HS (so that a public key is never used as an HMAC secret); a pinned
  // --signing-alg must be the very one.
  const algorithm = header.alg ?? "";
  const pem = options.key.includes("-----BEGIN");
  if (options.algorithm !== undefined && algorithm !== options.algorithm) {
    return refuse(`it is signed with ${algorithm || "no algorithm"}, not the pinned ${options.algorithm}`);
  }
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm) || algorithm.startsWith("HS") === pem) {
    return refuse(`it is signed with ${algorithm || "no algorithm"}, which the ${pem ? "public key" : "shared secret"} given cannot verify`);
  }
  let payload: JWTPayload & { files?: SignedFile[]; keyid?: string; scope?: string };
  const kid = header.kid;
  try {
    const key = algorithm.startsWith("HS") ? new TextEncoder().encode(options.key) : await importSPKI(options.key, algorithm);
    const { payload: bytes } = await compactVerify(token, key, { algorithms: [algorithm] });
    payload = JSON.parse(new TextDecoder().decode(bytes)) as typeof payload;
  } catch (cause) {
    return refuse(`the signature does not verify with the ${algorithm} key: ${(cause as Error).message}`, cause);
  }
  const keyId = payload.keyid ?? kid;
  if (options.keyId !== undefined && keyId !== options.keyId) {
    return refuse(`${keyId === undefined ? "its signature names no key id" : `it is signed by key '${keyId}'`}, not '${options.keyId}'`);
  }
  if (options.scope !== undefined && payload.scope !== options.scope) {
    return refuse(`its scope is '${String(payload.scope)}', not '${options.scope}'`);
  }
  const entries: unknown = payload.files ?? [];
  if (!Array.isArray(entries) || !entries.every(isSignedFile)) return refuse("the signature's file list is not a list of {name, hash, algorithm}");
  const listed = new Map<string, SignedFile>();
  for (const file of entries) {
    // Archive names are read without a leading "./" or "/" (load.ts): a name listed twice, in any spelling, is refused.
    const name = file.name.replace(/^(\.?\/)+/u, "");
    if (listed.has(name)) return refuse(`${name} is listed twice in the signature`);
    listed.set(name, file);
  }
  for (const [name, signed] of listed) {
    const content = files.get(name);
    if (!content) return refuse(`${name} is listed in the signature but missing`);
    if (signed.algorithm !== "SHA-256") return refuse(`${name} is hashed with ${signed.algorithm}; only SHA-256 is accepted`);
    let hash: string;
    try {
      hash = hashFile(name, content);
    } catch (cause) {
      return refuse((cause as Error).message, cause);
    }
    if (hash !== signed.hash) return refuse(`${name} does not match its signed hash`);
  }
  for (const name of files.keys()) {
    if (name !== SIGNATURES && !listed.has(name)) return refuse(`${name} is in the bundle but not in the signature`);
  }
  return { ...(keyId ? { keyId } : {}), ...(payload.scope ? { scope: payload.scope } : {}), files: listed.size };
}

const isSignedFile = (file: unknown): file is SignedFile =>
  typeof file === "object" &&
  file !== null &&
  typeof (file as SignedFile).name === "string" &&
  typeof (file as SignedFile).hash === "string" &&
  typeof (file as SignedFile).algorithm === "string";

/** Deeper JSON than this in a bundle file is refused: canonicalJson recurses once per level. */
const MAX_JSON_DEPTH = 1000;

/**
 * OPA's file digest: canonical JSON for .json and .manifest files, the raw bytes for everything else. A JSON file
 * that is not JSON, or nests deeper than MAX_JSON_DEPTH, is a BundleError naming the file.
 */
export function hashFile(name: string, content: Buffer): string {
  const hash = createHash("sha256");
  if (name.endsWith(".json") || name.endsWith(".manifest")) {
    let value: unknown;
    try {
      value = JSON.parse(content.toString("utf8")) as unknown;
    } catch (cause) {
      throw new BundleError(`${name} is not JSON: ${(cause as Error).message}`, { cause });
    }
    hash.update(canonicalJson(value, name, 0));
  } else {
    hash.update(content);
  }
  return hash.digest("hex");
}

/** Keys sorted (by UTF-8 bytes, as Go sorts), no whitespace, and Go's escapes for U+2028 and U+2029. */
function canonicalJson(value: unknown, name: string, depth: number): string {
  if (typeof value !== "object" || value === null) return primitive(value);
  if (depth === MAX_JSON_DEPTH) throw new BundleError(`${name} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, name, depth + 1)).join(",")}]`;
  const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((key) => `${primitive(key)}:${canonicalJson((value as Record<string, unknown>)[key], name, depth + 1)}`).join(",")}}`;
}

const primitive = (value: unknown): string => JSON.stringify(value).replace(/\u2028/gu, "\\u2028").replace(/\u2029/gu, "\\u2029");
