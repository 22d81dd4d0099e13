// Reads an OPA bundle built with `opa build -t wasm`: a directory or a .tar.gz holding .manifest, policy.wasm and
// data.json. Verification of signed bundles is the bundle-distribution layer's job; this only reads.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { BundleError } from "../errors.js";

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
}

/** The bundle this package ships, built by `make bundle`. */
export const defaultBundlePath = fileURLToPath(new URL("../../bundles/msq-authz", import.meta.url));

const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

export async function loadBundle(path: string = defaultBundlePath): Promise<PolicyBundle> {
  let files: Map<string, Buffer>;
  try {
    files = (await stat(path)).isDirectory() ? await readDirectory(path) : await readArchive(path);
  } catch (cause) {
    if (cause instanceof BundleError) throw cause;
    throw new BundleError(`cannot read bundle ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseBundle(files, path);
}

async function readDirectory(path: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of [".manifest", "policy.wasm", "data.json"]) {
    files.set(name, await readFile(join(path, name)));
  }
  return files;
}

async function readArchive(path: string): Promise<Map<string, Buffer>> {
  const archive = await readFile(path);
  if (archive.length > MAX_ARCHIVE_BYTES) throw new BundleError(`bundle ${path} is larger than ${MAX_ARCHIVE_BYTES} bytes`);
  let tarball: Buffer;
  try {
    // The output bound stops a small archive that unpacks to gigabytes.
    tarball = gunzipSync(archive, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (cause) {
    throw new BundleError(`bundle ${path} is not a gzip archive within ${MAX_UNPACKED_BYTES} bytes unpacked`, { cause });
  }
  const files = new Map<string, Buffer>();
  const tar = extract();
  tar.end(tarball);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    if (entry.header.type === "file") files.set(entry.header.name.replace(/^(\.?\/)+/u, ""), Buffer.concat(chunks));
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
