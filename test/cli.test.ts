// The CLI's commands in-process, with the files and streams a user gives them (test/cli-binary.test.ts spawns the
// real binary once per command).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./cli-support.js";
import { pointFor, readJson, root } from "./support.js";

const examples = join(root, "examples");
const grants = join(examples, "grants.json");
const tmp = mkdtempSync(join(tmpdir(), "msq-authz-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[], stdin?: string) => cli(args, stdin === undefined ? {} : { stdin });

function file(name: string, content: string): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

const aliceInsert = JSON.stringify({
  identity: { authenticated: true, user: "alice" },
  operation: "sql.task.submit",
  statement: { type: "INSERT", target: "wiki", external: ["http"] },
});

describe("msq-authz decide", () => {
  it("prints one decision for --request and exits 0 whatever it says", async () => {
    const { code, stdout, stderr } = await run(["decide", "--request", file("insert.json", aliceInsert), "--grants", grants]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const decision = JSON.parse(stdout);
    expect(decision).toMatchObject({
      allow: false,
      status: 403,
      code: "forbidden",
      missing: [
        { type: "DATASOURCE", name: "wiki", action: "WRITE" },
        { type: "EXTERNAL", name: "EXTERNAL", action: "READ" },
      ],
      engine: "wasm",
    });
    expect(decision.revision).toMatch(/^[0-9a-f]{16}$/u);
  });

  it("reads the request from stdin", async () => {
    const { code, stdout } = await run(["decide", "--grants", grants, "--engine", "casbin"], aliceInsert);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ allow: false, status: 403, engine: "casbin" });
  });

  it("answers a batch line by line, in order, with a 400 for each bad line and never aborting", async () => {
    const lines = [aliceInsert, "not json", "[1]", "", '{"identity":{"authenticated":true,"user":"bob"},"operation":"sql.task.enabled"}'];
    const { code, stdout } = await run(["decide", "--batch", file("batch.jsonl", `${lines.join("\n")}\n`), "--grants", grants]);
    expect(code).toBe(0);
    const decisions = stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(decisions.map((d) => [d.status, d.code])).toEqual([
      [403, "forbidden"],
      [400, "invalid_request"],
      [400, "invalid_request"],
      [400, "invalid_request"],
      [200, "ok"],
    ]);
  });

  it("gives both engines the same decisions on the example batch", async () => {
    const batch = join(examples, "requests.jsonl");
    const answers: unknown[][] = [];
    for (const engine of ["wasm", "casbin"]) {
      const { stdout } = await run(["decide", "--batch", batch, "--grants", grants, "--config", join(examples, "settings.json"), "--engine", engine]);
      answers.push(stdout.trimEnd().split("\n").map((line) => ({ ...JSON.parse(line), engine: undefined })));
    }
    expect(answers[0]).toHaveLength(21);
    expect(answers[1]).toEqual(answers[0]);
  });

  it("reads Druid settings from a runtime.properties file", async () => {
    const properties = file(
      "runtime.properties",
      "druid.auth.enableInputSourceSecurity=true\ndruid.host=localhost\ndruid.extensions.loadList=[\"druid-s3-extensions\"]\n",
    );
    const { code, stdout } = await run(["decide", "--request", file("insert2.json", aliceInsert), "--grants", grants, "--druid-properties", properties]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).required).toEqual([
      { type: "DATASOURCE", name: "wiki", action: "WRITE" },
      { type: "EXTERNAL", name: "http", action: "READ" },
    ]);
  });

  it.each([
    [["decide", "--request", "/nonexistent.json"], /^msq-authz: --request: cannot read '\/nonexistent.json'/u],
    [["decide", "--grants", "/nonexistent.json"], /^msq-authz: --grants: cannot read/u],
    [["decide", "--batch", "/nonexistent.jsonl"], /^msq-authz: --batch: cannot read/u],
    [["decide", "--engine", "cedar"], /^msq-authz: --engine must be wasm or casbin, not 'cedar'/u],
    [["decide", "--frobnicate"], /^msq-authz: decide does not take --frobnicate/u],
    [["launch"], /^msq-authz: unknown command 'launch'/u],
    [["explain", "--batch", "x.jsonl"], /^msq-authz: explain does not take --batch/u],
    [["decide", "--bundle", "/nonexistent"], /^msq-authz: cannot read bundle \/nonexistent/u],
  ])("exits 2 with one line on stderr for %j", async (args, message) => {
    const { code, stdout, stderr } = await run(args, aliceInsert);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("exits 2 when the grants do not satisfy their schema, naming the field", async () => {
    const bad = file("bad-grants.json", JSON.stringify({ roles: { r: { permissions: [{ resource: { name: "x", type: "DATASOURCE" }, action: "DELETE" }] } } }));
    const { code, stderr } = await run(["decide", "--grants", bad], aliceInsert);
    expect(code).toBe(2);
    expect(stderr).toBe(`msq-authz: ${bad}: /roles/r/permissions/0/action: must match pattern "^([Rr][Ee][Aa][Dd]|[Ww][Rr][Ii][Tt][Ee])$"\n`);
  });

  it("exits 2 for a grant pattern that does not compile, as Druid refuses it", async () => {
    const bad = file("bad-regex.json", JSON.stringify({ roles: { r: { permissions: [{ resource: { name: "wiki(", type: "DATASOURCE" }, action: "READ" }] } } }));
    const { code, stderr } = await run(["decide", "--grants", bad], aliceInsert);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `msq-authz: ${bad}: /roles/r/permissions/0/resource/name: resource name regex does not compile (wiki(): ` +
        "Java's Pattern.compile refuses it (unclosed group), as Druid does\n",
    );
  });
});

describe("msq-authz explain", () => {
  it("says what was required, what matched, what is missing and the smallest grant", async () => {
    const { code, stdout } = await run(["explain", "--request", join(examples, "explain-request.json"), "--grants", grants]);
    expect(code).toBe(0);
    expect(stdout.startsWith("DENY  403 forbidden\nsql.task.submit by user 'alice'  (engine wasm, revision ")).toBe(true);
    expect(stdout).toContain("  missing  WRITE on DATASOURCE 'wiki'");
    expect(stdout).toContain("  granted  READ on DATASOURCE 'wikipedia'  role 'analyst', pattern 'wiki.*'");
    expect(stdout).toContain("  missing  READ on EXTERNAL 'EXTERNAL'");
    expect(stdout).toContain(
      "R4 (EXTERN reads external data): needs READ on EXTERNAL 'EXTERNAL'; user 'alice' (roles: analyst) has no matching permission",
    );
    expect(stdout).toContain('  {"resource":{"name":"wiki","type":"DATASOURCE"},"action":"WRITE"}');
  });

  it("escapes regex metacharacters in the suggested grant", async () => {
    const request = JSON.stringify({
      identity: { authenticated: true, user: "alice" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "sales.eu(1)" }] },
    });
    const { stdout } = await run(["explain", "--grants", grants], request);
    expect(stdout).toContain('{"resource":{"name":"sales\\\\.eu\\\\(1\\\\)","type":"DATASOURCE"},"action":"READ"}');
  });
});

describe("msq-authz decide --batch on the SQL corpus", () => {
  it("gives, line by line, the decisions the library gives", async () => {
    const dir = join(root, "test/sql-corpus");
    const cases = readdirSync(dir)
      .filter((name) => name.endsWith(".json") && name !== "known-misses.json")
      .flatMap((name) => (readJson(join(dir, name)) as { cases: { sql: string; settings: object; context: object; parameters: unknown[] }[] }).cases)
      .filter((c) => Object.keys(c.settings).length === 0 && Object.keys(c.context).length === 0 && c.parameters.length === 0);
    const requests = cases.map((c) => ({ identity: { authenticated: true, user: "admin" }, operation: "sql.task.submit", sql: c.sql }));
    const { code, stdout } = await run(["decide", "--batch", file("corpus.jsonl", requests.map((r) => JSON.stringify(r)).join("\n")), "--grants", grants]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines).toHaveLength(requests.length);
    const point = await pointFor("wasm", readJson(grants));
    expect(lines).toEqual(await Promise.all(requests.map((r) => point.decide(r))));
  });
});
