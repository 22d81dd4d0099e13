// The CLI as a user meets it, in-process: help from the commands' own options, one-line errors with a suggestion,
// the quick --sql question, batches from stdin, explain for people, reviews that mean what they say, audit exits.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { version } from "../src/version.js";
import { cli } from "./cli-support.js";
import { root } from "./support.js";

const grants = join(root, "examples/grants.json");
const tmp = mkdtempSync(join(tmpdir(), "msq-authz-cli-commands-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

describe("help and usage", () => {
  it("prints the version, and the overview with exit 2 when no command is given", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `msq-authz ${version}\n`, stderr: "" });
    const none = await cli([]);
    expect([none.code, none.stdout.split("\n")[0]]).toEqual([2, "usage: msq-authz <command> [options]"]);
  });

  it("gives each command its own help, generated from its options, with examples", async () => {
    const viaHelp = await cli(["help", "bundle", "verify"]);
    const viaFlag = await cli(["bundle", "verify", "--help"]);
    expect(viaHelp).toEqual(viaFlag);
    expect(viaHelp.stdout.split("\n")[0]).toBe("usage: msq-authz bundle verify FILE --verification-key FILE [--signing-alg ALG] [--scope S] [--key-id K]");
    expect(viaHelp.stdout).toContain("  --verification-key FILE  verify the bundle's signature first");
    expect(viaHelp.stdout).toContain("examples:\n  msq-authz bundle verify msq-authz.tar.gz");
    expect((await cli(["help", "decide"])).stdout).not.toEqual(viaHelp.stdout);
  });

  it.each([
    [["decid"], "msq-authz: unknown command 'decid' (did you mean 'decide'?); 'msq-authz help' lists them\n"],
    [["help", "revew"], "msq-authz: unknown command 'revew' (did you mean 'review'?); 'msq-authz help' lists them\n"],
    [["decide", "--grnats", "g.json"], "msq-authz: decide does not take --grnats (did you mean --grants?); 'msq-authz help decide' lists its options\n"],
    [["decide", "--junit", "x.xml"], "msq-authz: decide does not take --junit; 'msq-authz help decide' lists its options\n"],
    [["decide", "--grants"], "msq-authz: decide: --grants needs a value\n"],
    [["bundle", "inspect"], "msq-authz: bundle inspect needs the bundle FILE\n"],
    [["serve", "--log-level", "loud"], "msq-authz: --log-level must be one of fatal, error, warn, info, debug, trace, silent, not 'loud'\n"],
    [["audit", "--grants", grants, "--fail-on", "critical"], "msq-authz: --fail-on must be high, medium or low, not 'critical'\n"],
  ])("refuses %j in one line, exit 2", async (args, stderr) => {
    expect(await cli(args)).toEqual({ code: 2, stdout: "", stderr });
  });
});

describe("decide", () => {
  it("answers a quick --sql question for --user", async () => {
    const { code, stdout } = await cli(["decide", "--sql", "SELECT * FROM wiki", "--user", "alice", "--grants", grants]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      allow: true,
      status: 202,
      required: [{ type: "DATASOURCE", name: "wiki", action: "READ" }],
      matched: [{ type: "DATASOURCE", name: "wiki", action: "READ", role: "analyst", pattern: "wiki.*" }],
    });
  });

  it("reads a batch from stdin with --batch -", async () => {
    const lines = [
      JSON.stringify({ identity: { authenticated: true, user: "alice" }, operation: "sql.task.submit", sql: "SELECT * FROM wiki" }),
      "not json",
    ];
    const { code, stdout } = await cli(["decide", "--batch", "-", "--grants", grants], { stdin: `${lines.join("\n")}\n` });
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").map((line) => (JSON.parse(line) as { status: number }).status)).toEqual([202, 400]);
  });
});

describe("explain", () => {
  const exportSql = "INSERT INTO EXTERN(s3(bucket => 'elsewhere', prefix => 'x')) AS CSV SELECT * FROM wiki";

  it("shows the decision's warnings, without colour when NO_COLOR is set", async () => {
    const settings = file("export.json", JSON.stringify({ "druid.export.storage.s3.allowedExportPaths": '["s3://exports/"]' }));
    const { code, stdout } = await cli(["explain", "--sql", exportSql, "--user", "erin", "--grants", grants, "--config", settings], {
      isTTY: true,
      env: { NO_COLOR: "1" },
    });
    expect(code).toBe(0);
    expect(stdout).not.toContain("\u001b[");
    expect(stdout).toMatch(/\nWarnings\n {2}F9 \(Export paths must lie under the configured allowed paths\): s3:\/\/elsewhere\/x is not under/u);
  });

  it("paints for a terminal, or where FORCE_COLOR asks", async () => {
    const args = ["explain", "--sql", "SELECT * FROM secret", "--user", "alice", "--grants", grants];
    expect((await cli(args, { isTTY: true })).stdout.startsWith("\u001b[1m\u001b[31mDENY")).toBe(true);
    expect((await cli(args, { isTTY: false, env: { FORCE_COLOR: "1" } })).stdout.startsWith("\u001b[1m\u001b[31mDENY")).toBe(true);
    expect((await cli(args)).stdout.startsWith("DENY  403 forbidden\n")).toBe(true);
  });
});

describe("review", () => {
  const review = (expectation: string) =>
    file("typo.review.yaml", `grants: ${JSON.stringify(grants)}\nexpectations:\n${expectation}`);

  it("does not let mistyped SQL pass as a deny", async () => {
    const { code, stdout } = await cli(["review", review("  - { as: alice, sql: 'SELEC * FROM secret', expect: deny }\n")]);
    expect(code).toBe(1);
    expect(stdout).toContain("expected deny, got deny 400 unsupported_sql, which is not a deny: name code unsupported_sql to expect it.");
  });

  it("accepts a 400 that the expectation names", async () => {
    const { code } = await cli(["review", review("  - { as: alice, sql: 'SELEC * FROM secret', expect: deny, code: unsupported_sql }\n")]);
    expect(code).toBe(0);
  });
});

describe("audit", () => {
  it("exits 1 at the --fail-on severity, and 0 below it", async () => {
    const risky = join(root, "test/fixtures/audit/risky-grants.json");
    expect((await cli(["audit", "--grants", risky, "--json"])).code).toBe(1);
    const mild = file("mild.json", JSON.stringify({ users: { a: { roles: ["r"] } }, roles: { r: { permissions: [{ resource: { name: "wiki_", type: "DATASOURCE" }, action: "READ" }] } } }));
    expect((await cli(["audit", "--grants", mild, "--json"])).code).toBe(0);
    expect((await cli(["audit", "--grants", mild, "--json", "--fail-on", "low"])).code).toBe(1);
  });
});
