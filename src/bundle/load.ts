// Reads an OPA bundle built with `opa build -t wasm`: a directory or a .tar.gz holding .manifest, policy.wasm and
// data.json (and, when signed, .signatures.json). With a verification key, the signature is checked against every
// file before anything is used.
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { BundleError } from "../errors.js";
import { type VerificationOptions, type Verified, verifyBundle } from "./verify.js";

export interface Manifest {
  revision: string;
  roots?: string[];
  wasm?: { entrypoint: string; module: string }[];
  rego_version?: number;
}

export interface PolicyBundle {
  manifest: Manifest;
  wasm: Uint8Array;
  data: Record<string, unknown>;
  source: string;
  /** Who signed it, when it was verified. */
  signature?: Verified;
}

export interface LoadOptions {
  verification?: VerificationOptions;
  /** Largest archive read (default 64 MiB). */
  maxArchiveBytes?: number;
  /** Largest total unpacked size (default 256 MiB): a small archive that inflates to gigabytes is refused. */
  maxUnpackedBytes?: number;
}

/** The bundle this package ships, built by `make bundle`. */
export const defaultBundlePath = fileURLToPath(new URL("../../bundles/msq-authz", import.meta.url));

const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

export async function loadBundle(path: string = defaultBundlePath, options: LoadOptions = {}): Promise<PolicyBundle> {
  const files = await readBundleFiles(path, options);
  const signature = options.verification ? await verifyBundle(files, options.verification, path) : undefined;
  return { ...parseBundle(files, path), ...(signature ? { signature } : {}) };
}

/** Every file of a bundle directory or archive, by its path inside the bundle. */
export async function readBundleFiles(path: string, options: LoadOptions = {}): Promise<Map<string, Buffer>> {
  try {
    return (await stat(path)).isDirectory() ? await readDirectory(path) : await readArchive(path, options);
  } catch (cause) {
    if (cause instanceof BundleError) throw cause;
    throw new BundleError(`cannot read bundle ${path}: ${(cause as Error).message}`, { cause });
  }
}

async function readDirectory(path: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = join(entry.parentPath, entry.name);
      files.set(relative(path, full), await readFile(full));
    }
  }
  if (!files.has(".manifest") || !files.has("policy.wasm")) {
    throw new BundleError(`cannot read bundle ${path}: ENOENT: no .manifest or policy.wasm`);
  }
  return files;
}

async function readArchive(path: string, options: LoadOptions): Promise<Map<string, Buffer>> {
  return unpackArchive(await readFile(path), path, options);
}

/** A bundle from archive bytes (a download, say): unpacked within the limits, verified when asked, parsed. */
export async function bundleFromArchive(archive: Buffer, source: string, options: LoadOptions = {}): Promise<PolicyBundle> {
  const files = await unpackArchive(archive, source, options);
  const signature = options.verification ? await verifyBundle(files, options.verification, source) : undefined;
  return { ...parseBundle(files, source), ...(signature ? { signature } : {}) };
}

async function unpackArchive(archive: Buffer, path: string, options: LoadOptions): Promise<Map<string, Buffer>> {
  const maxArchive = options.maxArchiveBytes ?? MAX_ARCHIVE_BYTES;
  const maxUnpacked = options.maxUnpackedBytes ?? MAX_UNPACKED_BYTES;
  if (archive.length > maxArchive) throw new BundleError(`bundle ${path} is larger than ${maxArchive} bytes`);
  let tarball: Buffer;
  try {
    // The output bound stops a small archive that unpacks to gigabytes.
    tarball = gunzipSync(archive, { maxOutputLength: maxUnpacked });
  } catch (cause) {
    throw new BundleError(`bundle ${path} is not a gzip archive within ${maxUnpacked} bytes unpacked`, { cause });
  }
  const files = new Map<string, Buffer>();
  // Every entry's name as the bundle reads it: a second entry under the same name (a tampered copy after the signed
  // one, say) would replace the first unseen, so it is refused, however it is spelled ("./x", "/x", "x/", "a//x").
  const names = new Set<string>();
  const tar = extract();
  tar.end(tarball);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    const segments = entry.header.name.split("/").filter((segment) => segment !== "" && segment !== ".");
    if (segments.includes("..")) throw new BundleError(`bundle ${path} has an entry outside the bundle: ${entry.header.name}`);
    const name = segments.join("/");
    if (names.has(name)) throw new BundleError(`bundle ${path} has two entries named ${name}`);
    names.add(name);
    if (entry.header.type === "file") files.set(name, Buffer.concat(chunks));
    else if (entry.header.type !== "directory") {
      throw new BundleError(`bundle ${path} has a ${entry.header.type ?? "special"} entry, which bundles do not hold: ${entry.header.name}`);
    }
  }
  return files;
}

function parseBundle(files: Map<string, Buffer>, source: string): PolicyBundle {
  const manifestBytes = files.get(".manifest");
  const wasm = files.get("policy.wasm");
  if (!manifestBytes || !wasm) throw new BundleError(`bundle ${source} has no .manifest or no policy.wasm`);
  let manifest: Manifest;
  let data: Record<string, unknown>;
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
    data = JSON.parse(files.get("data.json")?.toString("utf8") ?? "{}") as Record<string, unknown>;
  } catch (cause) {
    throw new BundleError(`bundle ${source} has a .manifest or data.json that is not JSON`, { cause });
  }
  if (typeof manifest.revision !== "string" || manifest.revision === "") {
    throw new BundleError(`bundle ${source} has no revision in its .manifest`);
  }
  return { manifest, wasm, data, source };
}
