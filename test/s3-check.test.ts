// The durable-storage and export preflight (R9, F9): through the real CLI, and the WASM entrypoint against OPA's
// Go evaluator on the same inputs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./cli-support.js";
import { settingsFromProperties } from "../src/settings.js";
import { checkStorage } from "../src/storage/preflight.js";
import { readJson, root } from "./support.js";

const iam = (name: string): string => join(root, "examples/iam", `${name}.json`);
const durable = ["--druid-properties", join(root, "examples/storage/durable-storage.properties")];
const exportSettings = ["--config", join(root, "examples/storage/export.json")];

const run = (args: string[]) => cli(["s3-check", ...args]);

describe("msq-authz s3-check", () => {
  it("passes the least-privilege policy for durable storage, exit 0", async () => {
    const { code, stdout } = await run(["--policy", iam("least-privilege-durable-storage"), ...durable]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("S3 preflight: OK (9 checks allowed)");
  });

  it("names each process that lacks s3:ListBucket, with the bucket ARN and prefix, exit 1", async () => {
    const { code, stdout } = await run(["--policy", iam("missing-listbucket"), ...durable, "--json"]);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.ok).toBe(false);
    expect(result.missing.map((m: { process: string; action: string; resource: string; context: object; result: string }) => [m.process, m.action, m.resource, m.context, m.result])).toEqual(
      ["indexer", "overlord", "broker"].map((process) => [
        process,
        "s3:ListBucket",
        "arn:aws:s3:::acme-druid-msq",
        { "s3:prefix": "durable/msq/" },
        "implicit_deny",
      ]),
    );
  });

  it("lets an explicit Deny win over an Allow", async () => {
    const { code, stdout } = await run(["--policy", iam("explicit-deny"), ...durable, "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).missing.map((m: { process: string; action: string; result: string }) => [m.process, m.action, m.result])).toEqual([
      ["indexer", "s3:DeleteObject", "explicit_deny"],
      ["overlord", "s3:DeleteObject", "explicit_deny"],
    ]);
  });

  it("warns about grants beyond least privilege without failing", async () => {
    const { code, stdout } = await run(["--policy", iam("overly-broad"), ...durable]);
    expect(code).toBe(0);
    expect(stdout).toContain("Beyond least privilege (warnings):");
  });

  it("checks export paths from druid.export.storage.s3.allowedExportPaths", async () => {
    expect((await run(["--policy", iam("export"), ...exportSettings])).code).toBe(0);
    expect((await run(["--policy", iam("least-privilege-durable-storage"), ...exportSettings])).code).toBe(1);
  });

  it("emits the least-privilege policy for the settings", async () => {
    const { code, stdout } = await run([...durable, "--emit-policy"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(readJson(iam("least-privilege-durable-storage")));
  });

  it("passes the policy it generates", async () => {
    const generated = join(mkdtempSync(join(tmpdir(), "msq-authz-iam-")), "generated.json");
    writeFileSync(generated, (await run([...exportSettings, "--emit-policy"])).stdout);
    expect((await run(["--policy", generated, ...exportSettings])).code).toBe(0);
    rmSync(dirname(generated), { recursive: true, force: true });
  });

  const objects = {
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"],
    Resource: "arn:aws:s3:::acme-druid-msq/durable/msq/*",
  };
  const listing = (extra: object) => ({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::acme-druid-msq", ...extra });

  it.each([
    ["a ListBucket for another prefix", listing({ Condition: { StringLike: { "s3:prefix": "other/*" } } }), "implicit_deny"],
    ["a ListBucket on a condition it cannot evaluate", listing({ Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }), "unknown"],
    ["a ListBucket on the objects' ARN instead of the bucket's", { ...listing({}), Resource: "arn:aws:s3:::acme-druid-msq/*" }, "implicit_deny"],
  ])("reports %s as not allowed", async (_, statement, verdict) => {
    const policy = join(mkdtempSync(join(tmpdir(), "msq-authz-iam-")), "policy.json");
    writeFileSync(policy, JSON.stringify({ Version: "2012-10-17", Statement: [objects, statement] }));
    const { code, stdout } = await run(["--policy", policy, ...durable, "--json"]);
    expect(code).toBe(1);
    const missing = JSON.parse(stdout).missing as { action: string; result: string }[];
    expect(missing.map((m) => [m.action, m.result])).toEqual([
      ["s3:ListBucket", verdict],
      ["s3:ListBucket", verdict],
      ["s3:ListBucket", verdict],
    ]);
    rmSync(dirname(policy), { recursive: true, force: true });
  });

  it("allows a ListBucket without any prefix condition", async () => {
    const policy = join(mkdtempSync(join(tmpdir(), "msq-authz-iam-")), "policy.json");
    writeFileSync(policy, JSON.stringify({ Version: "2012-10-17", Statement: [objects, listing({})] }));
    expect((await run(["--policy", policy, ...durable])).code).toBe(0);
    rmSync(dirname(policy), { recursive: true, force: true });
  });

  it.each([
    [["--policy", iam("export")], /^msq-authz: s3-check needs the storage settings/u],
    [durable, /^msq-authz: s3-check needs at least one --policy FILE/u],
    [["--policy", iam("export"), ...durable, "--process", "coordinator"], /^msq-authz: --process must be indexer, overlord or broker/u],
    [["--policy", "/nonexistent.json", ...durable], /^msq-authz: --policy: cannot read/u],
  ])("exits 2 for bad usage: %j", async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe("msq-authz s3-check output", () => {
  it("lists what fails first", async () => {
    const { stdout } = await run(["--policy", iam("missing-listbucket"), ...durable]);
    const lines = stdout.split("\n").filter((line) => line.startsWith("  "));
    const firstAllowed = lines.findIndex((line) => line.includes(": allowed by "));
    expect(lines.slice(0, firstAllowed).every((line) => line.endsWith("implicitly denied: no statement allows it"))).toBe(true);
    expect(lines.slice(firstAllowed).some((line) => line.endsWith("implicitly denied: no statement allows it"))).toBe(false);
  });

  it("labels every export check F9 and durable storage's object actions R9", async () => {
    const { stdout } = await run(["--policy", iam("export"), ...exportSettings]);
    const exportLines = stdout.split("\n").filter((line) => line.includes("(export path "));
    expect(exportLines.length).toBeGreaterThan(0);
    expect(exportLines.every((line) => line.startsWith("  F9 (S3 ListBucket, export permissions and the export allow-list): "))).toBe(true);
  });

  it("says there is nothing to evaluate for durable storage on Google Cloud Storage, and gives the checklist", async () => {
    const properties = join(mkdtempSync(join(tmpdir(), "msq-authz-gcs-")), "gcs.properties");
    writeFileSync(properties, "druid.msq.intermediate.storage.enable=true\ndruid.msq.intermediate.storage.type=google\ndruid.msq.intermediate.storage.bucket=b\n");
    const { code, stdout } = await run(["--policy", iam("least-privilege-durable-storage"), "--druid-properties", properties]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("S3 preflight: nothing to evaluate (no S3 durable storage or export path in these settings)");
    expect(stdout).toContain("google checklist (not evaluated):\n  storage.objects.get (R9, indexer, broker; inferred): gs://b/");
    rmSync(dirname(properties), { recursive: true, force: true });
  });

  it("refuses a file that is not an IAM policy, such as grants, instead of judging it", async () => {
    expect(await run(["--policy", join(root, "examples/grants.json"), ...durable])).toEqual({
      code: 2,
      stdout: "",
      stderr: "msq-authz: IAM policy 1 has no Statement: it is not an IAM policy document (it looks like msq-authz grants)\n",
    });
  });
});

describe("the preflight entrypoint in WASM and in OPA's Go evaluator", () => {
  it("answers the same for every example policy and settings", async () => {
    const settingsSets = [
      settingsFromProperties(readFileSync(join(root, "examples/storage/durable-storage.properties"), "utf8")),
      readJson(join(root, "examples/storage/export.json")),
    ];
    const names = ["least-privilege-durable-storage", "missing-listbucket", "overly-broad", "explicit-deny", "export"];
    const probes = settingsSets.flatMap((settings) => names.map((name) => ({ settings, policies: [readJson(iam(name))] })));
    const wasm = await Promise.all(probes.map((probe) => checkStorage(probe)));

    const dir = mkdtempSync(join(tmpdir(), "msq-authz-preflight-"));
    writeFileSync(join(dir, "probes.json"), JSON.stringify({ msq_preflight_probes: probes }));
    const output = execFileSync(
      join(root, ".tools/bin/opa"),
      [
        "eval", "--format", "json", "--ignore", "*_test.rego", "-d", join(root, "policies/rego"), "-d", join(dir, "probes.json"),
        "some i; data.msq_preflight_probes[i]; r := data.msq.storage.preflight with input as data.msq_preflight_probes[i]",
      ],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    const go: unknown[] = [];
    for (const { bindings } of (JSON.parse(output) as { result: { bindings: { i: number; r: unknown } }[] }).result) go[bindings.i] = bindings.r;
    rmSync(dir, { recursive: true, force: true });
    expect(go).toEqual(wasm);
  });
});
