// What `msq-authz bundle inspect` shows of a bundle: its manifest, who signed it and each file's hash (the hash a
// signature lists for it).
import { decodeJwt, decodeProtectedHeader } from "jose";
import { BundleError } from "../errors.js";
import { readBundleFiles } from "./load.js";
import { hashFile } from "./verify.js";

export interface BundleSummary {
  revision?: string;
  roots?: string[];
  entrypoints?: string[];
  signed: boolean;
  keyId?: string;
  files: { name: string; bytes: number; sha256: string }[];
}

export async function inspectBundle(path: string): Promise<BundleSummary> {
  const files = await readBundleFiles(path);
  // Hashed first: hashFile refuses a .manifest or .signatures.json that is not JSON, naming it.
  const hashed = [...files].map(([name, content]) => ({ name, bytes: content.length, sha256: hashFile(name, content) }));
  const manifest = JSON.parse(files.get(".manifest")?.toString("utf8") ?? "{}") as { revision?: string; roots?: string[]; wasm?: { entrypoint: string }[] };
  const signatures = files.get(".signatures.json");
  let keyId: string | undefined;
  if (signatures) {
    const [token] = (JSON.parse(signatures.toString("utf8")) as { signatures?: string[] }).signatures ?? [];
    try {
      keyId = (decodeJwt(token ?? "") as { keyid?: string }).keyid ?? decodeProtectedHeader(token ?? "").kid;
    } catch (cause) {
      throw new BundleError(`.signatures.json holds no readable signature: ${(cause as Error).message}`, { cause });
    }
  }
  return {
    revision: manifest.revision,
    roots: manifest.roots,
    entrypoints: manifest.wasm?.map((w) => w.entrypoint),
    signed: signatures !== undefined,
    ...(keyId ? { keyId } : {}),
    files: hashed,
  };
}
