// The real binary, spawned once per command as a user runs it: its exit codes and streams. Everything else about
// the commands is tested in-process (test/cli*.test.ts); serve's own tests spawn it too (test/serve.test.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { root } from "./support.js";

const bin = join(root, "dist/cli/main.js");
const examples = join(root, "examples");
const grants = join(examples, "grants.json");
const tmp = mkdtempSync(join(tmpdir(), "msq-authz-binary-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("node", [bin, ...args], { input, encoding: "utf8", cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the msq-authz binary", () => {
  it.each([
    ["decide", ["decide", "--sql", "SELECT * FROM wiki", "--user", "alice", "--grants", grants], 0, /"allow": true/u],
    ["explain", ["explain", "--request", join(examples, "explain-request.json"), "--grants", grants], 0, /^DENY {2}403 forbidden\n/u],
    ["review", ["review", join(examples, "reviews/analysts.review.yaml")], 0, /\d+ passed, 0 failed\n$/u],
    ["audit", ["audit", "--grants", join(root, "test/fixtures/audit/clean-grants.json")], 0, /^msq-authz audit: /u],
    ["import", ["import", join(root, "test/fixtures/import/users-full-simplified.json")], 0, /"grants"/u],
    ["s3-check", ["s3-check", "--druid-properties", join(examples, "storage/durable-storage.properties"), "--emit-policy"], 0, /"Statement"/u],
    ["bundle inspect", ["bundle", "inspect", join(root, "bundles/msq-authz")], 0, /"revision"/u],
    ["bundle verify", ["bundle", "verify", join(root, "bundles/msq-authz"), "--verification-key", grants], 1, /is not signed/u],
  ])("runs %s", (_, args, code, stdout) => {
    const result = run(args as string[]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: "" });
    expect(result.stdout).toMatch(stdout);
  });

  it("builds a bundle with OPA", () => {
    const output = join(tmp, "built.tar.gz");
    expect(run(["bundle", "build", "--output", output, "--grants", grants])).toEqual({ code: 0, stdout: `built ${output}\n`, stderr: "" });
  });

  it("decides a batch on worker threads exactly as in one thread: every line, in input order", () => {
    // The examples' requests (a line that is not JSON among them) 300 times over, each time with its own query id.
    const lines = readFileSync(join(examples, "requests.jsonl"), "utf8").trim().split("\n");
    const withId = (line: string, i: number): string => {
      if (!line.startsWith("{")) return line;
      const request = JSON.parse(line) as { context?: object };
      return JSON.stringify({ ...request, context: { ...request.context, sqlQueryId: `q${i}` } });
    };
    const batch = Array.from({ length: 300 }, (_, i) => lines.map((line) => withId(line, i))).flat();
    const file = join(tmp, "batch.jsonl");
    writeFileSync(file, `${batch.join("\n")}\n`);
    const args = ["decide", "--batch", file, "--grants", grants, "--config", join(examples, "settings.json")];
    const one = run(args);
    const two = run([...args, "--workers", "2"]);
    expect(one.stdout.split("\n").length).toBe(batch.length + 1);
    expect(two).toEqual(one);
  }, 60_000);

  it("reports bad usage in one line on stderr with exit 2", () => {
    expect(run(["decide", "--frobnicate"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "msq-authz: decide does not take --frobnicate; 'msq-authz help decide' lists its options\n",
    });
  });
});
