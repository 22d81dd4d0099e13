// msq-authz import: the basic-security API's shapes into grants, runtime.properties into settings, and Java regex
// that RE2 cannot reproduce refused with the role, the pattern and the construct. The built CLI, spawned; and the
// fixtures of the loopback Coordinator (test/import-druid.test.ts) checked against Jackson itself.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fullMatchFunction } from "../src/grants/casbin.js";
import { pointFor, readJson, root } from "./support.js";

const bin = join(root, "dist/cli/main.js");
const fixture = (name: string): string => join(root, "test/fixtures/import", name);
const run = (args: string[]) => spawnSync("node", [bin, "import", ...args], { encoding: "utf8", cwd: root });

describe("msq-authz import", () => {
  const shapes = [fixture("users-full-simplified.json"), fixture("roles-full-deprecated.json"), fixture("group-mappings.json")];

  it("merges users (?full, simplified permissions) and roles (?full, the older resourceAction shape) into grants", () => {
    const { status, stdout } = run(shapes);
    expect(status).toBe(0);
    const { grants } = JSON.parse(stdout);
    const examples = readJson(join(root, "examples/grants.json")) as { roles: Record<string, unknown> };
    expect(grants).toEqual({
      users: { alice: { roles: ["analyst"] }, bob: { roles: ["analyst", "ingest"] }, erin: { roles: ["exporter"] } },
      roles: {
        analyst: examples.roles.analyst,
        exporter: examples.roles.exporter,
        ingest: {
          permissions: [
            { resource: { name: "wiki", type: "DATASOURCE" }, action: "WRITE" },
            { resource: { name: "EXTERNAL", type: "EXTERNAL" }, action: "READ" },
          ],
        },
      },
      groupMappings: { "druid-admins": { groupPattern: "CN=admins,OU=groups,DC=example,DC=com", roles: ["admin"] } },
    });
  });

  it("keeps group mappings as Druid's entities, never as users, and says nothing more", () => {
    const { stderr, stdout } = run([fixture("group-mappings.json")]);
    expect([JSON.parse(stdout), stderr]).toEqual([
      { grants: { users: {}, roles: {}, groupMappings: { "druid-admins": { groupPattern: "CN=admins,OU=groups,DC=example,DC=com", roles: ["admin"] } } } },
      "",
    ]);
  });

  it("decides the example requests for the imported users as the example grants do", async () => {
    const imported = JSON.parse(run(shapes).stdout).grants;
    const [fromImport, fromExamples] = await Promise.all([pointFor("wasm", imported), pointFor("wasm", readJson(join(root, "examples/grants.json")))]);
    const requests = readFileSync(join(root, "examples/requests.jsonl"), "utf8").trimEnd().split("\n").flatMap((line) => {
      try {
        const request = JSON.parse(line) as { identity?: { user?: string } };
        return ["alice", "erin"].includes(request.identity?.user ?? "") ? [request] : [];
      } catch {
        return [];
      }
    });
    expect(requests.length).toBeGreaterThan(5);
    for (const request of requests) {
      expect(await fromImport.decide(request)).toEqual(await fromExamples.decide(request));
    }
  });

  it("reads runtime.properties into settings", () => {
    const { status, stdout } = run([join(root, "examples/storage/durable-storage.properties")]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout).settings).toMatchObject({ "druid.msq.intermediate.storage.enable": "true", "druid.msq.intermediate.storage.bucket": "acme-druid-msq" });
  });

  it("keeps a Java class intersection, which msq-authz matches with Java's meaning", () => {
    const { status, stdout } = run([fixture("java-intersection.json")]);
    expect(status).toBe(0);
    const { grants } = JSON.parse(stdout);
    expect(grants.roles.classy.permissions).toEqual([{ resource: { name: "[a-z&&[^x]]+", type: "DATASOURCE" }, action: "READ" }]);
    const fullMatch = fullMatchFunction();
    expect([fullMatch("wiki", "[a-z&&[^x]]+"), fullMatch("xray", "[a-z&&[^x]]+"), fullMatch("a&x", "[a-z&&[^x]]+")]).toEqual([true, false, false]);
  });

  it.each([
    ["java-lookahead.json", "role 'sneaky' permission 0: pattern '(?!secret).*' is refused: it uses lookahead (?!...), which RE2 cannot match as Java does"],
  ])("refuses %s, naming the role, the pattern and the construct, exit 2", (name, message) => {
    const { status, stderr, stdout } = run([fixture(name)]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });
});

describe("the loopback Coordinator's answers (test/fixtures/druid-basic-security/responses.json)", () => {
  it("are what Jackson writes for Druid's entity classes, configured as Druid's DefaultObjectMapper", () => {
    const jars = ["jackson-databind", "jackson-core", "jackson-annotations"].map((name) => `/usr/share/java/${name}.jar`).join(":");
    const fixtures = join(root, "test/fixtures/druid-basic-security");
    const classes = join(root, ".build/druid-basic-security");
    mkdirSync(classes, { recursive: true });
    execFileSync("javac", ["-Xlint:all", "-Werror", "-cp", jars, "-d", classes, join(fixtures, "DruidBasicSecurityResponses.java")], { stdio: "inherit" });
    const written = execFileSync("java", ["-cp", `${classes}:${jars}`, "DruidBasicSecurityResponses"], { encoding: "utf8" });
    expect(setsSorted(JSON.parse(written))).toEqual(setsSorted(readJson(join(fixtures, "responses.json"))));
  });
});

/**
 * Druid's answers hold Java Sets (HashSets: the order of a set of role objects follows Action's identity hash code,
 * which changes from run to run); permissions are Lists, whose order is Druid's. Sets sorted, lists kept.
 */
function setsSorted(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => setsSorted(item));
    return key === "permissions" ? items : items.map((item) => [JSON.stringify(item), item] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
  }
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, setsSorted(item, name)]));
  return value;
}
