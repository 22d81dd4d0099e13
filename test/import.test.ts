// msq-authz import: the basic-security API's shapes into grants, runtime.properties into settings, and Java regex
// that RE2 cannot reproduce refused with the role, the pattern and the construct.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fullMatchFunction } from "../src/engines/casbin.js";
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
    });
  });

  it("says that group mappings need their members' roles given directly", () => {
    const { stderr } = run(shapes);
    expect(stderr).toContain("group mapping 'druid-admins' (CN=admins,OU=groups,DC=example,DC=com) grants roles through LDAP group membership");
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
