// msq-authz review through the real binary: the shipped examples pass, wrong expectations fail with their file
// and line, and the JUnit report is well-formed XML that CI systems read.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { root } from "./support.js";

const bin = join(root, "dist/cli/main.js");
const fixtures = join(root, "test/fixtures/reviews");
const examples = ["analysts.review.yaml", "select-results.review.yaml"].map((name) => join(root, "examples/reviews", name));

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("node", [bin, "review", ...args], { encoding: "utf8", cwd: root });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("msq-authz review", () => {
  it("passes the shipped example reviews on both engines", () => {
    const { code, stdout } = run(examples);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("10 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("fails wrong expectations, naming file, line and what was found instead, exit 1", () => {
    const file = join(fixtures, "failing.review.yaml");
    const { code, stdout } = run([file]);
    expect(code).toBe(1);
    expect(stdout).toContain("  PASS holds\n");
    expect(stdout).toContain(`  FAIL analysts can write wiki (they cannot) (${file}:10)\n`);
    expect(stdout).toContain(
      "       expected allow, got deny 403 forbidden: R3 (INSERT or REPLACE into a datasource): needs WRITE on DATASOURCE 'wiki'; user 'alice' (roles: analyst) has no matching permission",
    );
    expect(stdout).toContain(`  FAIL the wrong missing set (${file}:15)\n`);
    expect(stdout).toContain("       expected missing [READ DATASOURCE 'other'], got [READ DATASOURCE 'secret']");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 2 failed");
  });

  it("writes a JUnit report CI systems can read", () => {
    const report = join(mkdtempSync(join(tmpdir(), "msq-authz-junit-")), "review.xml");
    run([...examples, join(fixtures, "failing.review.yaml"), "--junit", report]);
    const xml = readFileSync(report, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    expect(parsed.testsuites).toMatchObject({ name: "msq-authz review", tests: "13", failures: "2" });
    const suites = parsed.testsuites.testsuite as { name: string; tests: string; failures: string; testcase: { failure?: unknown }[] }[];
    expect(suites.map((suite) => [suite.name, suite.tests, suite.failures])).toEqual([
      ["analysts and ingestion on the example grants", "5", "0"],
      ["who can read other users' SELECT results", "5", "0"],
      ["wrong expectations", "3", "2"],
    ]);
    expect(suites[2]?.testcase.filter((c) => c.failure !== undefined)).toHaveLength(2);
  });

  it("prints the whole result as JSON", () => {
    const { code, stdout } = run([examples[0] ?? "", "--json"]);
    expect(code).toBe(0);
    const [review] = JSON.parse(stdout);
    expect(review.results.map((r: { passed: boolean }) => r.passed)).toEqual([true, true, true, true, true]);
    expect(review.results[3].decision).toMatchObject({ allow: true, status: 202, engine: "wasm" });
  });

  it.each([
    ["bad-field.review.yaml", ":7: /expectations/1: missing field 'expect'"],
    ["not-yaml.review.yaml", ":4: Flow sequence in block collection"],
    ["missing.review.yaml", ": cannot read: ENOENT"],
  ])("refuses %s with its file and line, exit 2", (name, message) => {
    const file = join(fixtures, name);
    const { code, stderr } = run([file]);
    expect(code).toBe(2);
    expect(stderr.startsWith(`msq-authz: ${file}${message}`)).toBe(true);
  });
});
