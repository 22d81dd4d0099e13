// msq-authz import: Druid basic-security API exports and runtime.properties into grants and settings.
import { writeFile } from "node:fs/promises";
import { checkGrants } from "../../grants.js";
import { importBasicSecurity } from "../../import/basic-security.js";
import { type Command, UsageError, write } from "../command.js";
import { asUsage, loadSettings, readJson, str } from "../inputs.js";

export const importCommand: Command = {
  name: "import",
  summary: "basic-security API exports (users, roles, group mappings) and runtime.properties into grants and settings",
  synopsis: "FILES... [--grants-out FILE] [--settings-out FILE]",
  description:
    "Each FILE is a JSON document captured from the coordinator's basic-security API (users or roles, with ?full,\n" +
    "either permission shape) or a runtime.properties file (at most one). Without --grants-out or --settings-out the\n" +
    "result is printed.",
  options: [
    { name: "grants-out", type: "string", value: "FILE", summary: "write the grants there" },
    { name: "settings-out", type: "string", value: "FILE", summary: "write the settings there" },
  ],
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER, name: "at least one file: a basic-security API export or a .properties file" },
  examples: ["msq-authz import users-full.json roles-full.json common.runtime.properties --grants-out grants.json --settings-out settings.json"],
  async run({ values, positionals }, io) {
    const properties = positionals.filter((file) => file.endsWith(".properties"));
    if (properties.length > 1) throw new UsageError("import takes one .properties file");
    const exports = await Promise.all(
      positionals.filter((file) => !file.endsWith(".properties")).map(async (file) => ({ source: file, value: await readJson(file, "import", io) })),
    );
    const settings = properties[0] === undefined ? undefined : await loadSettings({ "druid-properties": properties[0] }, io);
    const imported = exports.length === 0 ? undefined : asUsage(() => importBasicSecurity(exports));
    if (imported) asUsage(() => checkGrants(imported.grants, "imported grants"));
    for (const note of imported?.notes ?? []) await write(io.stderr, `msq-authz: note: ${note}\n`);
    const printed: Record<string, unknown> = {};
    const grantsOut = str(values, "grants-out");
    const settingsOut = str(values, "settings-out");
    if (imported) {
      if (grantsOut !== undefined) await writeFile(grantsOut, `${JSON.stringify(imported.grants, null, 2)}\n`);
      else printed.grants = imported.grants;
    }
    if (settings) {
      if (settingsOut !== undefined) await writeFile(settingsOut, `${JSON.stringify(settings, null, 2)}\n`);
      else printed.settings = settings;
    }
    if (Object.keys(printed).length > 0) await write(io.stdout, `${JSON.stringify(printed, null, 2)}\n`);
    return 0;
  },
};
