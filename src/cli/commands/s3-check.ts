// msq-authz s3-check: IAM policies against the durable-storage and export settings (R9, F9).
import { type Process, checkStorage } from "../../storage/preflight.js";
import { type Command, UsageError, write } from "../command.js";
import { list, loadSettings, readJson, str } from "../inputs.js";
import { describePreflight } from "../s3-check.js";

const processes = new Set(["indexer", "overlord", "broker"]);

export const s3Check: Command = {
  name: "s3-check",
  summary: "judge IAM policies against the durable-storage and export settings; exit 1 when an action is missing",
  synopsis: "--policy FILE... (--config FILE | --druid-properties FILE) [--process NAME...] [--json | --emit-policy]",
  options: [
    { name: "policy", type: "string", value: "FILE", multiple: true, summary: "an IAM policy document (repeat for several)" },
    { name: "config", type: "string", value: "FILE", summary: "settings JSON with the storage properties" },
    { name: "druid-properties", type: "string", value: "FILE", summary: "a Druid runtime.properties file" },
    { name: "process", type: "string", value: "NAME", multiple: true, summary: "only indexer, overlord or broker (repeatable; default: all that apply)" },
    { name: "json", type: "boolean", summary: "print the whole result as JSON" },
    { name: "emit-policy", type: "boolean", summary: "print the least-privilege IAM policy for the settings" },
    { name: "bundle", type: "string", value: "PATH", summary: "a policy bundle directory or .tar.gz (default: the bundle this package ships)" },
  ],
  examples: [
    "msq-authz s3-check --policy examples/iam/durable-storage.json --druid-properties examples/storage/runtime.properties",
    "msq-authz s3-check --druid-properties examples/storage/runtime.properties --emit-policy",
  ],
  async run({ values }, io) {
    const policyFiles = list(values, "policy");
    const emit = values["emit-policy"] === true;
    if (policyFiles.length === 0 && !emit) throw new UsageError("s3-check needs at least one --policy FILE");
    if (str(values, "config") === undefined && str(values, "druid-properties") === undefined) {
      throw new UsageError("s3-check needs the storage settings: --config FILE or --druid-properties FILE");
    }
    const unknown = list(values, "process").find((name) => !processes.has(name));
    if (unknown !== undefined) throw new UsageError(`--process must be indexer, overlord or broker, not '${unknown}'`);
    const [settings, policies] = await Promise.all([
      loadSettings(values, io),
      Promise.all(policyFiles.map((file) => readJson(file, "--policy", io))),
    ]);
    const chosen = list(values, "process");
    const result = await checkStorage({ settings, policies, ...(chosen.length > 0 ? { processes: chosen as Process[] } : {}) }, str(values, "bundle"));
    if (emit) await write(io.stdout, `${JSON.stringify(result.leastPrivilegePolicy, null, 2)}\n`);
    else if (values.json === true) await write(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    else await write(io.stdout, `${describePreflight(result)}\n`);
    return emit || result.ok ? 0 : 1;
  },
};
