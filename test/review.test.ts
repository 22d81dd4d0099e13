// msq-authz review through the real binary: the shipped examples pass, wrong expectations fail with their file
// and line, and the JUnit report is well-formed XML that CI systems read.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { cli } from "./cli-support.js";
import { root } from "./support.js";

const fixtures = join(root, "test/fixtures/reviews");
const examples = ["analysts.review.yaml", "select-results.review.yaml"].map((name) => join(root, "examples/reviews", name));

const run = (args: string[]) => cli(["review", ...args]);

describe("msq-authz review", () => {
  it("passes the shipped example reviews on both engines", async () => {
    const { code, stdout } = await run(examples);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("10 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("fails wrong expectations, naming file, line and what was found instead, exit 1", async () => {
    const file = join(fixtures, "failing.review.yaml");
    const { code, stdout } = await run([file]);
    expect(code).toBe(1);
    expect(stdout).toContain("  PASS holds  [sql.task.submit]\n");
    expect(stdout).toContain(`  FAIL analysts can write wiki (they cannot)  [sql.task.submit] (${file}:10)\n`);
    expect(stdout).toContain(
      "       expected allow, got deny 403 forbidden: R3 (INSERT or REPLACE into a datasource): needs WRITE on DATASOURCE 'wiki'; user 'alice' (roles: analyst) has no matching permission",
    );
    expect(stdout).toContain(`  FAIL the wrong missing set  [sql.task.submit] (${file}:15)\n`);
    expect(stdout).toContain("       expected missing [READ DATASOURCE 'other'], got [READ DATASOURCE 'secret']");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 2 failed");
  });

  it("writes a JUnit report CI systems can read", async () => {
    const report = join(mkdtempSync(join(tmpdir(), "msq-authz-junit-")), "review.xml");
    await run([...examples, join(fixtures, "failing.review.yaml"), "--junit", report]);
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
    rmSync(dirname(report), { recursive: true, force: true });
  });

  it("prints the whole result as JSON", async () => {
    const { code, stdout } = await run([examples[0] ?? "", "--json"]);
    expect(code).toBe(0);
    const [review] = JSON.parse(stdout);
    expect(review.results.map((r: { passed: boolean }) => r.passed)).toEqual([true, true, true, true, true]);
    expect(review.results[3].decision).toMatchObject({ allow: true, status: 202, engine: "wasm" });
  });

  it.each([
    ["bad-field.review.yaml", ":7: /expectations/1: missing field 'expect'"],
    ["not-yaml.review.yaml", ":4: Flow sequence in block collection"],
    ["missing.review.yaml", ": cannot read: ENOENT"],
  ])("refuses %s with its file and line, exit 2", async (name, message) => {
    const file = join(fixtures, name);
    const { code, stderr } = await run([file]);
    expect(code).toBe(2);
    expect(stderr.startsWith(`msq-authz: ${file}${message}`)).toBe(true);
  });
});
