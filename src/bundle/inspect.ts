// What `msq-authz bundle inspect` shows of a bundle: its manifest, who signed it and each file's hash (the hash a
// signature lists for it).
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
