// The README's "First ten minutes" is run, not just read: after `make build` (which `make test` runs first, and the
// global setup too), each ```sh block runs verbatim with bash from the repository root, must exit 0, and must print
// what the README says it prints (a ```text block after it, where "..." stands for anything, and the key lines
// below). The review snippet under "Command line" must be an excerpt
// of the file it names, so that copying it gives a review that passes.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./support.js";

const readme = readFileSync(join(root, "README.md"), "utf8");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;

interface Block {
  lang: string;
  body: string;
}

function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

const blocksOf = (text: string): Block[] => [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gmu)].map(([, lang = "", body = ""]) => ({ lang, body }));

/** Runs a block with bash in its own process group, which is killed afterwards (a server it left running too). */
function bash(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    delete env.FORCE_COLOR;
    const child = spawn("bash", ["-e", "-c", script], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`timed out after ${timeoutMs} ms:\n${script}\n${output}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code, output });
    });
  });
}

/** Every line of `expected` (blank lines aside) matches a line of `output`, in order; "..." matches anything. */
function expectLines(output: string, expected: string): void {
  const lines = output.split("\n").map((line) => line.trimEnd());
  let at = 0;
  for (const want of expected.split("\n").filter((line) => line.trim() !== "")) {
    const pattern = new RegExp(`^${want.trimEnd().split("...").map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")).join(".*")}$`, "u");
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    expect(found, `README says the output has the line\n${want}\nin this order; the output was\n${output}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

/** Key lines each block must print, by a command it runs. */
const keyLines: [string, string[]][] = [
  ["--version", [`msq-authz ${version}`]],
  ["decide --sql", ['"allow": false', '"status": 403', '"code": "forbidden"', '"name": "wiki"']],
  ["explain --sql", ["DENY  403 forbidden"]],
  ["review examples/reviews/analysts.review.yaml", ["5 passed, 0 failed"]],
  ["serve", ['"status":"ok"', '"allow":true,"status":202,"code":"ok"']],
];

describe('README "First ten minutes"', () => {
  const blocks = blocksOf(section("First ten minutes"));
  const runs = blocks.flatMap((block, i) => (block.lang === "sh" ? [{ script: block.body, expected: blocks[i + 1]?.lang === "text" ? blocks[i + 1]?.body : undefined }] : []));

  it("has the five steps: install (checked by --version), one SQL decision, explain, a review, serve", () => {
    // `make build` is the install, named in the text and not run here: it rewrites dist/ while other test files run it.
    expect(section("First ten minutes")).toContain("`make build` installs the npm packages");
    expect(runs.map(({ script }) => keyLines.find(([command]) => script.includes(command))?.[0])).toEqual(keyLines.map(([command]) => command));
  });

  it.each(runs.map((run) => [run.script.split("\n")[0] ?? "", run] as const))("%s", async (_first, { script, expected }) => {
    const started = Date.now();
    const { code, output } = await bash(script, 120_000);
    console.log(`${(Date.now() - started) / 1000} s: ${script.split("\n")[0] ?? ""}`);
    expect({ code, output }).toMatchObject({ code: 0 });
    for (const [command, lines] of keyLines) if (script.includes(command)) for (const line of lines) expect(output).toContain(line);
    if (expected !== undefined) expectLines(output, expected);
  }, 150_000);
});

describe("README snippets", () => {
  it("the review snippet is an excerpt of the file it names", () => {
    const snippet = blocksOf(section("Command line")).find((block) => block.lang === "yaml" && block.body.startsWith("# examples/reviews/"));
    const [header = "", ...lines] = (snippet?.body ?? "").trimEnd().split("\n");
    const file = /^# (examples\/reviews\/[\w.-]+\.yaml)/u.exec(header)?.[1] ?? "";
    expect(readFileSync(join(root, file), "utf8")).toContain(`\n${lines.join("\n")}\n`);
  });
});
