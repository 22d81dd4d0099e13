// The npm package as a user gets it: `npm pack`, installed into an empty directory with no network, and the
// installed CLI run from there: --version, bundle build (with and without OPA on the PATH), decide on both engines,
// review, and serve over HTTP. Everything the CLI reads at run time must be in the tarball.
//
// The install: `npm install --offline <tarball>` cannot resolve here, because `npm ci` fills the npm cache with
// tarballs but not with the registry metadata that resolving a range needs (ENOTCACHED). So the directory gets the
// lockfile npm would write: the package itself from the tarball, and its runtime dependencies exactly as this
// repository's package-lock.json pins them (its entries that are not dev-only). `npm ci --offline` then takes every
// dependency from the cache by its integrity hash, and needs no network.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPA_MIN_VERSION } from "../src/bundle/build.js";
import { root } from "./support.js";

const tmp = mkdtempSync(join(tmpdir(), "msq-authz-package-"));
const app = join(tmp, "app");
const grants = join(root, "examples/grants.json");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
// The PATH without any OPA on it, and with the one `make tools` installs.
const pathWithoutOpa = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "" && !existsSync(join(dir, "opa"))).join(delimiter);
const pathWithOpa = [join(root, ".tools/bin"), pathWithoutOpa].join(delimiter);

let packed: { filename: string; files: { path: string }[] };

interface LockEntry {
  dev?: boolean;
  version?: string;
  license?: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

const started = Date.now();

beforeAll(() => {
  // dist/ is fresh: the slow project's global setup builds it; --ignore-scripts keeps prepack from rebuilding it
  // under the other test files that run it.
  [packed] = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: root, encoding: "utf8" })) as [typeof packed];
  const tarball = join(tmp, packed.filename);
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const self = lock.packages[""] as LockEntry;
  const spec = `file:../${packed.filename}`;
  const packages: Record<string, unknown> = {
    "": { name: "app", dependencies: { "msq-authz": spec } },
    "node_modules/msq-authz": {
      version: self.version,
      resolved: spec,
      integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
      license: self.license,
      dependencies: self.dependencies,
      bin: self.bin,
      engines: self.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev) packages[path] = entry;
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, dependencies: { "msq-authz": spec } }, null, 2));
  writeFileSync(join(app, "package-lock.json"), JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages }, null, 2));
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund"], { cwd: app, stdio: "pipe" });
  console.log(`packed ${packed.filename} (${packed.files.length} files) and installed it offline in ${(Date.now() - started) / 1000} s`);
}, 120_000);

afterAll(() => {
  console.log(`the package test took ${(Date.now() - started) / 1000} s`);
  rmSync(tmp, { recursive: true, force: true });
});

/** `npx msq-authz ARGS` in the directory the package is installed in, offline. */
function npx(args: string[], path = pathWithOpa): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("npx", ["msq-authz", ...args], { cwd: app, encoding: "utf8", env: { ...process.env, PATH: path, npm_config_offline: "true", NO_COLOR: "1" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the npm package", () => {
  it("holds what the CLI reads at run time, and no tests", () => {
    const files = packed.files.map((file) => file.path);
    for (const needed of [
      "dist/cli/main.js",
      "dist/bundle/build.js",
      "dist/schemas/request.schema.json",
      "bundles/msq-authz/policy.wasm",
      "bundles/msq-authz/.manifest",
      "policies/capabilities.json",
      "policies/casbin/msq_rbac_model.conf",
      "policies/rego/msq/authz/authz.rego",
      "LICENSE",
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((file) => file.endsWith("_test.rego") || /^(src|test|bench|scripts|examples)\//u.test(file))).toEqual([]);
  });

  it("installs a working CLI", () => {
    expect(npx(["--version"])).toEqual({ code: 0, stdout: `msq-authz ${version}\n`, stderr: "" });
  });

  it("decides with the bundle it ships, on both engines", () => {
    const shipped = (JSON.parse(readFileSync(join(app, "node_modules/msq-authz/bundles/msq-authz/.manifest"), "utf8")) as { revision: string }).revision;
    for (const engine of ["wasm", "casbin"]) {
      const { code, stdout } = npx(["decide", "--sql", "SELECT * FROM wikipedia", "--user", "alice", "--grants", grants, "--engine", engine]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ allow: true, status: 202, engine, revision: shipped });
    }
  });

  it("runs a review", () => {
    const { code, stdout } = npx(["review", join(root, "examples/reviews/analysts.review.yaml")]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\n5 passed, 0 failed\n$/u);
  });

  it("builds a bundle with the OPA on the PATH, and decides with it", () => {
    const output = join(tmp, "built.tar.gz");
    expect(npx(["bundle", "build", "--output", output, "--grants", grants])).toEqual({ code: 0, stdout: `built ${output}\n`, stderr: "" });
    const { code, stdout } = npx(["decide", "--bundle", output, "--sql", "INSERT INTO wiki SELECT * FROM wikipedia PARTITIONED BY DAY", "--user", "bob"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ allow: true, status: 202 });
  });

  it("says in one line what bundle build needs when there is no OPA", () => {
    expect(spawnSync("sh", ["-c", "command -v opa"], { env: { PATH: pathWithoutOpa } }).status).not.toBe(0);
    expect(npx(["bundle", "build", "--output", join(tmp, "never.tar.gz")], pathWithoutOpa)).toEqual({
      code: 2,
      stdout: "",
      stderr: `msq-authz: bundle build needs OPA >= ${OPA_MIN_VERSION} on PATH (or .tools/bin/opa); \`make tools\` installs it\n`,
    });
    expect(existsSync(join(tmp, "never.tar.gz"))).toBe(false);
  });

  it("serves decisions over HTTP", async () => {
    // Its own process group: npx does not pass signals on to the server it starts, so the group is killed.
    const server: ChildProcess = spawn("npx", ["msq-authz", "serve", "--port", "0", "--grants", grants], {
      cwd: app,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, npm_config_offline: "true" },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = "";
        server.stderr?.on("data", (chunk: Buffer) => {
          stderr += chunk.toString("utf8");
          const listening = /serving decisions at (http:\/\/\S+)/u.exec(stderr);
          if (listening?.[1]) resolve(listening[1]);
        });
        server.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: "ok", engine: "wasm" });
      const request = { identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", sql: "INSERT INTO wiki SELECT * FROM wikipedia PARTITIONED BY DAY" };
      const response = await fetch(`${url}/v1/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
      expect(await response.json()).toMatchObject({ allow: false, status: 403, missing: [{ type: "DATASOURCE", name: "wiki", action: "WRITE" }] });
    } finally {
      try {
        if (server.pid !== undefined) process.kill(-server.pid, "SIGTERM");
      } catch {
        // it has exited already
      }
    }
  });
});
