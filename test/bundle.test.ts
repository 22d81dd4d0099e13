import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultBundlePath, loadBundle } from "../src/bundle/load.js";
import { createDecisionPoint } from "../src/decision-point.js";
import { entrypoints } from "../src/policy/wasm-policy.js";
import { BundleError } from "../src/errors.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-bundle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyOfBundle(name: string): string {
  const dir = join(tmp, name);
  cpSync(defaultBundlePath, dir, { recursive: true });
  return dir;
}

describe("the shipped bundle", () => {
  it("names its revision and the policy's entrypoints in its manifest", async () => {
    const bundle = await loadBundle();
    expect(bundle.manifest.revision).toMatch(/^[0-9a-f]{16}$/u);
    expect(bundle.manifest.wasm?.map((w) => w.entrypoint).sort()).toEqual(
      expect.arrayContaining(Object.values(entrypoints).sort()),
    );
  });

  it("loads the same from a .tar.gz as from its directory", async () => {
    const archive = join(tmp, "bundle.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", defaultBundlePath, "."]);
    const [fromDir, fromArchive] = await Promise.all([loadBundle(), loadBundle(archive)]);
    expect(fromArchive.manifest).toEqual(fromDir.manifest);
    expect(Buffer.compare(Buffer.from(fromArchive.wasm), Buffer.from(fromDir.wasm))).toBe(0);
  });
});

describe("a broken bundle", () => {
  it("that is not a gzip archive is a BundleError", async () => {
    const path = join(tmp, "garbage.tar.gz");
    writeFileSync(path, "not a bundle");
    await expect(loadBundle(path)).rejects.toThrow(BundleError);
  });

  it("without policy.wasm is a BundleError", async () => {
    const dir = copyOfBundle("no-wasm");
    rmSync(join(dir, "policy.wasm"));
    await expect(loadBundle(dir)).rejects.toThrow(new RegExp(`cannot read bundle ${dir}: ENOENT`, "u"));
  });

  it("without a revision is a BundleError", async () => {
    const dir = copyOfBundle("no-revision");
    const manifest = JSON.parse(readFileSync(join(dir, ".manifest"), "utf8"));
    writeFileSync(join(dir, ".manifest"), JSON.stringify({ ...manifest, revision: "" }));
    await expect(loadBundle(dir)).rejects.toThrow(new BundleError(`bundle ${dir} has no revision in its .manifest`));
  });

  it("whose policy.wasm is not WebAssembly fails when the decision point is created, with the cause", async () => {
    const dir = copyOfBundle("bad-wasm");
    writeFileSync(join(dir, "policy.wasm"), "\0asm but not really");
    const failure = createDecisionPoint({ bundle: dir });
    await expect(failure).rejects.toThrow(BundleError);
    await expect(failure).rejects.toHaveProperty("cause");
  });
});
