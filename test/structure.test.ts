// The project's shape, checked: every rule has metadata, Rego tests, cases of both outcomes, and is wired into the
// decision; every policy file has its test file beside it.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCases, root } from "./support.js";

/** The rules that decide requests: each has ALLOW and DENY or INVALID cases. */
const ruleIds = ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"];

/** The storage rules: judged by the preflight (test/s3-check.test.ts) and, for F9, warned about on exports. */
const storageRuleIds = ["R9", "F9"];

const rego = join(root, "policies/rego");

function regoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? regoFiles(join(dir, entry.name)) : entry.name.endsWith(".rego") ? [join(dir, entry.name)] : [],
  );
}

interface Annotation {
  annotations: { title?: string; description?: string; custom?: { id?: string } };
  location: { file: string };
}

const annotations = (
  JSON.parse(
    execFileSync(join(root, ".tools/bin/opa"), ["inspect", "--annotations", "--format", "json", rego], { encoding: "utf8" }),
  ) as { annotations: Annotation[] }
).annotations;

const policyFiles = regoFiles(rego).filter((file) => !file.endsWith("_test.rego"));
const testSources = regoFiles(rego)
  .filter((file) => file.endsWith("_test.rego"))
  .map((file) => readFileSync(file, "utf8"))
  .join("\n");
const cases = loadCases();

describe("policy structure", () => {
  it.each(policyFiles.map((file) => [relative(root, file)]))("%s has a test file beside it and package metadata", (file) => {
    expect(existsSync(join(root, file.replace(/\.rego$/u, "_test.rego")))).toBe(true);
    const source = readFileSync(join(root, file), "utf8");
    expect(source.startsWith("# METADATA\n# title: ")).toBe(true);
  });

  it("declares every package as its path says", () => {
    for (const file of policyFiles) {
      const expected = relative(join(root, "policies/rego"), file).split("/").slice(0, -1).join(".");
      expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^package ${expected.replaceAll(".", "\\.")}$`, "mu"));
    }
  });

  it("wires every rules package, and each of its requirements, outcomes and notes, into the decision", () => {
    const authz = readFileSync(join(rego, "msq/authz/authz.rego"), "utf8");
    for (const dir of readdirSync(join(rego, "msq/rules"))) {
      expect(authz).toContain(`import data.msq.rules.${dir}\n`);
      const source = readFileSync(join(rego, "msq/rules", dir, `${dir}.rego`), "utf8");
      for (const [, head] of source.matchAll(/^(required|outcomes|notes|listings) contains /gmu)) {
        expect(authz).toContain(`${dir}.${head ?? ""}`);
      }
    }
  });

  // F8 is how grants match, not a requirement: no reason starts with it. Its evidence is the grant-matching
  // package's own tests and the "matching" scenario's cases.
  const casesOf = (id: string) =>
    id === "F8" ? cases.filter((c) => c.scenario === "matching") : cases.filter((c) => c.rules.includes(id));
  const asserted = (id: string) =>
    id === "F8" ? readFileSync(join(rego, "msq/grants/grants_test.rego"), "utf8") : testSources;

  describe.each(storageRuleIds)("storage rule %s", (id) => {
    it("has metadata with a title and a description, and is asserted by a Rego unit test", () => {
      const rule = annotations.find((a) => a.annotations.custom?.id === id);
      expect(rule?.annotations.title).toBeTruthy();
      expect(rule?.annotations.description).toBeTruthy();
      expect(testSources).toContain(`"${id} (`);
    });
  });

  describe.each(ruleIds)("rule %s", (id) => {
    it("has metadata with a title and a description", () => {
      const rule = annotations.find((a) => a.annotations.custom?.id === id);
      expect(rule?.annotations.title).toBeTruthy();
      expect(rule?.annotations.description ?? (id === "R1" ? "package" : undefined)).toBeTruthy();
    });

    it("is asserted by a Rego unit test", () => {
      expect(asserted(id)).toContain(id === "F8" ? "wikipedia" : `"${id} (`);
    });

    it("has an ALLOW case and a DENY or INVALID case", () => {
      const outcomes = new Set(casesOf(id).map((c) => c.outcome));
      expect(outcomes.has("ALLOW")).toBe(true);
      expect(outcomes.has("DENY") || outcomes.has("INVALID")).toBe(true);
    });
  });
});

// The policy must stay total without the TypeScript adapter (a stock OPA agent), so request.rego checks the shape
// itself; its lists of the contract's values must be the schema's, which is the authority.
describe("the policy's copy of the contract", () => {
  const policyValue = (query: string): unknown =>
    (JSON.parse(execFileSync(join(root, ".tools/bin/opa"), ["eval", "--format", "json", "-d", rego, query], { encoding: "utf8" })) as {
      result: { expressions: { value: unknown }[] }[];
    }).result[0]?.expressions[0]?.value;
  const schema = JSON.parse(readFileSync(join(root, "src/schemas/request.schema.json"), "utf8")) as {
    properties: { operation: { enum: string[] } };
    $defs: { statement: { properties: { type: { enum: string[] }; reads: { items: { properties: { type: { enum: string[] } } } } } } };
  };

  it.each([
    ["operations", "data.msq.request.operations", schema.properties.operation.enum],
    ["statement types", "data.msq.request.statement_types", schema.$defs.statement.properties.type.enum],
    ["read types", "data.msq.request.read_types", schema.$defs.statement.properties.reads.items.properties.type.enum],
  ])("lists the schema's %s", (_, query, values) => {
    expect((policyValue(query) as string[]).sort()).toEqual([...values].sort());
  });
});
