// msq-authz audit: every finding on a crafted grants file, none on a clean one, and who-can-do-what answers
// that come from the policy's own decisions.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./cli-support.js";
import { audit } from "../src/audit/audit.js";
import { readJson, root } from "./support.js";

const fixtures = join(root, "test/fixtures/audit");

describe("audit findings", () => {
  it("flags each risky grant on a crafted grants file", async () => {
    const report = await audit(readJson(join(fixtures, "risky-grants.json")));
    expect(report.findings.map((f) => [f.severity, f.check, f.role ?? f.user, f.pattern ?? ""])).toEqual([
      ["high", "does-not-compile", "ingest", "wiki("],
      ["high", "write-anything", "superuser", ".*"],
      ["medium", "unknown-type", "ingest", "wiki"],
      ["medium", "unknown-action", "ingest", "wiki"],
      ["medium", "external-without-input-source-security", "ingest", "EXTERNAL"],
      ["medium", "never-matches", "ingest", "a^b"],
      ["low", "literal-looks-like-prefix", "ingest", "wiki_"],
      ["low", "unescaped-dot", "ingest", "wiki.edits"],
      ["low", "role-without-users", "orphan", ""],
      ["low", "undefined-role", "ghost", ""],
      ["low", "user-without-roles", "nina", ""],
    ]);
  });

  it("stays quiet on a clean grants file with input-source security on", async () => {
    const report = await audit(readJson(join(fixtures, "clean-grants.json")), readJson(join(fixtures, "secure-settings.json")));
    expect(report.findings).toEqual([]);
    expect(report.inputSourceSecurity).toBe(true);
  });
});

describe("the escalator (druid.escalator.internalClientUsername)", () => {
  const types = ["DATASOURCE", "VIEW", "CONFIG", "STATE", "SYSTEM_TABLE", "QUERY_CONTEXT", "EXTERNAL", "LOOKUP"];
  const superuser = (except: string[] = []) => ({
    users: { druid_system: { roles: ["superuser"] }, alice: { roles: ["superuser"] } },
    roles: {
      superuser: {
        permissions: types.flatMap((type) =>
          ["READ", "write"].filter((action) => !except.includes(`${action.toUpperCase()} ${type}`)).map((action) => ({ resource: { name: ".*", type }, action })),
        ),
      },
      narrow: { permissions: [{ resource: { name: "wiki.*", type: "DATASOURCE" }, action: "READ" }] },
    },
  });
  const escalator = { "druid.escalator.internalClientUsername": "druid_system" };
  const findingsOf = async (grants: unknown, settings: unknown) =>
    (await audit(grants, settings)).findings.filter((f) => f.check === "escalator-without-full-permissions");

  it("is quiet when the escalator holds '.*' READ and WRITE on every resource type Druid checks", async () => {
    expect(await findingsOf(superuser(), escalator)).toEqual([]);
    expect(await findingsOf(superuser(), { ...escalator, druidVersion: "36.0.0" })).toEqual([]);
  });

  it("is a HIGH finding naming what the escalator lacks", async () => {
    expect(await findingsOf(superuser(["WRITE CONFIG", "READ STATE"]), escalator)).toEqual([
      {
        severity: "high",
        check: "escalator-without-full-permissions",
        message:
          "the escalator 'druid_system' (druid.escalator.internalClientUsername) lacks WRITE CONFIG, READ STATE on every name: Druid's internal calls run as it and fail; grant it '.*' READ and WRITE on every resource type",
        user: "druid_system",
      },
    ]);
  });

  it("counts a pattern only when it matches any name, and LOOKUP from Druid 36", async () => {
    const narrowed = superuser(["READ DATASOURCE"]);
    narrowed.users.druid_system.roles.push("narrow");
    expect((await findingsOf(narrowed, escalator)).map((f) => f.message.split(" on every name")[0])).toEqual([
      "the escalator 'druid_system' (druid.escalator.internalClientUsername) lacks READ DATASOURCE",
    ]);
    expect((await findingsOf(superuser(["READ LOOKUP", "WRITE LOOKUP"]), escalator))).toEqual([]);
    expect((await findingsOf(superuser(["READ LOOKUP", "WRITE LOOKUP"]), { ...escalator, druidVersion: "36.0.0" })).map((f) => f.message.split(" on every name")[0])).toEqual([
      "the escalator 'druid_system' (druid.escalator.internalClientUsername) lacks READ LOOKUP, WRITE LOOKUP",
    ]);
  });

  it("lacks everything when the grants do not know the escalator, and says nothing when the setting is absent", async () => {
    const grants = superuser();
    const unknown = { users: { alice: grants.users.alice }, roles: grants.roles };
    const [finding] = await findingsOf(unknown, escalator);
    expect(finding?.severity).toBe("high");
    expect(finding?.message).toContain("lacks READ DATASOURCE, WRITE DATASOURCE, READ VIEW");
    expect(await findingsOf(unknown, {})).toEqual([]);
  });

  it("fails msq-authz audit (--fail-on high)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msq-authz-audit-"));
    writeFileSync(join(dir, "grants.json"), JSON.stringify(superuser(["READ STATE"])));
    writeFileSync(join(dir, "settings.json"), JSON.stringify(escalator));
    const { code, stdout } = await cli(["audit", "--grants", join(dir, "grants.json"), "--config", join(dir, "settings.json")]);
    expect(code).toBe(1);
    expect(stdout).toContain("escalator-without-full-permissions");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("who can do what", () => {
  it("answers from the policy's decisions on the example grants", async () => {
    const report = await audit(readJson(join(root, "examples/grants.json")));
    expect(report.access.selectResults).toEqual({ read: ["admin", "alice", "bob"], cancel: ["admin"] });
    expect(report.access.exportResults).toEqual({ read: ["admin"], cancel: ["admin"] });
    expect(report.access.state).toEqual({ read: ["admin"], write: ["admin"] });
    expect(report.access.extern).toEqual([
      { user: "admin", inputSources: ["any (EXTERNAL 'EXTERNAL')"] },
      { user: "bob", inputSources: ["any (EXTERNAL 'EXTERNAL')"] },
    ]);
    expect(report.access.export).toEqual([
      { user: "admin", destinations: ["s3", "google", "local"] },
      { user: "erin", destinations: ["s3"] },
    ]);
    expect(report.access.datasources.find((d) => d.user === "bob")).toEqual({ user: "bob", read: ["__query_select", "wiki", "wiki.*"], write: ["wiki"] });
  });

  it("asks per input source type when input-source security is on", async () => {
    const report = await audit(readJson(join(fixtures, "clean-grants.json")), readJson(join(fixtures, "secure-settings.json")));
    expect(report.access.extern).toEqual([{ user: "bob", inputSources: ["http"] }]);
  });
});

describe("msq-authz audit", () => {
  const run = (args: string[]) => cli(["audit", ...args]);

  it("prints a table, JSON or Markdown", async () => {
    const grants = join(fixtures, "risky-grants.json");
    const text = await run(["--grants", grants]);
    // HIGH findings fail the audit by default (--fail-on high).
    expect(text.code).toBe(1);
    expect(text.stdout.split("\n")[0]).toBe("msq-authz audit: 3 users, 3 roles, 9 permissions, 11 findings");
    expect(text.stdout).toContain("  HIGH      write-anything");
    expect(JSON.parse((await run(["--grants", grants, "--json"])).stdout).findings).toHaveLength(11);
    const markdown = (await run(["--grants", grants, "--markdown"])).stdout;
    expect(markdown).toContain("## Findings\n\n| severity | check | finding |\n|---|---|---|\n| HIGH | does-not-compile |");
  });

  it("exits 2 without grants", async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toBe("msq-authz: audit needs --grants FILE\n");
  });
});
