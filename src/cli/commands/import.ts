// msq-authz import: the basic-security authorizer API's answers (fetched from a live Coordinator, or captured in files)
// and runtime.properties into grants and settings. Nothing is written unless everything was read: output files are
// written beside their targets and renamed into place at the end.
import { randomBytes } from "node:crypto";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { checkGrants } from "../../grants.js";
import { type CapturedResponse, importBasicSecurity } from "../../import/basic-security.js";
import { readCaptureDirectory } from "../../import/capture-directory.js";
import { CoordinatorError, type CoordinatorOptions, fetchBasicSecurity } from "../../import/coordinator.js";
import { type Command, type Io, UsageError, write } from "../command.js";
import { type Values, loadSettings, numberOption, readJson, readText, str } from "../inputs.js";

const USER_VARIABLE = "MSQ_AUTHZ_DRUID_USER";
const PASSWORD_VARIABLE = "MSQ_AUTHZ_DRUID_PASSWORD";
const fromOnly = ["authorizer", "ca", "timeout", "max-response-bytes", "max-total-bytes", "total-timeout", "concurrency"] as const;

export const importCommand: Command = {
  name: "import",
  summary: "Druid basic-security grants (from a Coordinator, or captured) and runtime.properties into grants and settings",
  synopsis: "[FILE | DIR]... [--from URL --authorizer NAME] [--grants-out FILE] [--settings-out FILE]",
  description:
    "--from URL --authorizer NAME fetches an authorizer's users, roles and group mappings from a Coordinator's\n" +
    "basic-security API (/druid-ext/basic-security/authorization/db/NAME/...), with basic-auth credentials from\n" +
    `${USER_VARIABLE} and ${PASSWORD_VARIABLE} (a Druid user with READ on CONFIG 'security'). When any call\n` +
    "fails, each failed call is one line on stderr, the exit code is 2 and nothing is written.\n" +
    "Without --from, each DIR holds captured answers (users.json, roles.json, groupMappings.json: the name lists;\n" +
    "users/, roles/, groupMappings/: one answer per entity, any variant) and each FILE one captured answer, or a map\n" +
    "of name to answer. A .properties FILE (at most one) is a runtime.properties, read into settings.\n" +
    "Without --grants-out or --settings-out the result is printed.",
  options: [
    { name: "from", type: "string", value: "URL", summary: "fetch from this Coordinator (http or https), e.g. https://coordinator:8281" },
    { name: "authorizer", type: "string", value: "NAME", summary: "the basic authorizer to fetch (druid.auth.authorizers; needed with --from)" },
    { name: "ca", type: "string", value: "FILE", summary: "PEM certificates to trust for an https --from (default: the system's)" },
    { name: "timeout", type: "string", value: "SEC", summary: "a call fails when its whole answer takes longer (default 30)" },
    { name: "max-response-bytes", type: "string", value: "N", summary: "a call fails when its answer is larger (default 16777216)" },
    { name: "max-total-bytes", type: "string", value: "N", summary: "the fetch fails when all answers together are larger (default 268435456)" },
    { name: "total-timeout", type: "string", value: "SEC", summary: "the fetch fails when it takes longer in all (default 600)" },
    { name: "concurrency", type: "string", value: "N", summary: "calls in flight at once (default 4)" },
    { name: "grants-out", type: "string", value: "FILE", summary: "write the grants there" },
    { name: "settings-out", type: "string", value: "FILE", summary: "write the settings there" },
  ],
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER, name: "files" },
  examples: [
    `${USER_VARIABLE}=msq-authz-sync ${PASSWORD_VARIABLE}=... msq-authz import --from https://coordinator:8281 --authorizer basic --ca ca.pem --grants-out grants.json`,
    "msq-authz import capture/ common.runtime.properties --grants-out grants.json --settings-out settings.json",
  ],
  async run({ values, positionals }, io) {
    const from = str(values, "from");
    const properties = positionals.filter((file) => file.endsWith(".properties"));
    const captures = positionals.filter((file) => !file.endsWith(".properties"));
    if (properties.length > 1) throw new UsageError("import takes one .properties file");
    if (from === undefined) {
      const given = fromOnly.find((name) => values[name] !== undefined);
      if (given !== undefined) throw new UsageError(`import: --${given} is for --from URL`);
      if (positionals.length === 0) throw new UsageError("import needs --from URL --authorizer NAME, or at least one captured answer (FILE or DIR) or a .properties file");
    } else if (captures.length > 0) {
      throw new UsageError(`import --from reads users, roles and group mappings from the Coordinator, not from '${captures[0] ?? ""}'`);
    }

    // The settings first: a file that cannot be read should not cost a Coordinator a round of calls.
    const settings = properties[0] === undefined ? undefined : await loadSettings({ "druid-properties": properties[0] }, io);
    let responses: CapturedResponse[] | undefined;
    if (from !== undefined) {
      try {
        responses = await fetchBasicSecurity(await coordinatorOptions(from, values, io));
      } catch (error) {
        if (!(error instanceof CoordinatorError)) throw error;
        for (const { method, path, reason } of error.failures) await write(io.stderr, `msq-authz: import: ${method} ${path}: ${reason}\n`);
        return 2;
      }
    } else if (captures.length > 0) {
      responses = (await Promise.all(captures.map((path) => captured(path, io)))).flat();
    }
    const imported = responses === undefined ? undefined : importBasicSecurity(responses);
    if (imported) checkGrants(imported.grants, "imported grants");
    for (const note of imported?.notes ?? []) await write(io.stderr, `msq-authz: note: ${note}\n`);

    const printed: Record<string, unknown> = {};
    const files: [string, unknown][] = [];
    for (const [option, key, value] of [
      ["grants-out", "grants", imported?.grants],
      ["settings-out", "settings", settings],
    ] as const) {
      if (value === undefined) continue;
      const out = str(values, option);
      if (out === undefined) printed[key] = value;
      else files.push([out, value]);
    }
    await writeAll(files);
    if (Object.keys(printed).length > 0) await write(io.stdout, `${JSON.stringify(printed, null, 2)}\n`);
    return 0;
  },
};

/** A captured answer's file, or a capture directory. */
async function captured(path: string, io: Io): Promise<CapturedResponse[]> {
  const isDirectory = path !== "-" && (await stat(path).catch(() => undefined))?.isDirectory() === true;
  if (isDirectory) return readCaptureDirectory(path);
  return [{ source: path, value: await readJson(path, "import", io) }];
}

async function coordinatorOptions(from: string, values: Values, io: Io): Promise<CoordinatorOptions> {
  let url: URL;
  try {
    url = new URL(from);
  } catch {
    throw new UsageError(`--from must be a URL such as https://coordinator:8281, not '${from}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--from must be an http or https URL, not '${from}'`);
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(`--from must not hold credentials: set ${USER_VARIABLE} and ${PASSWORD_VARIABLE}`);
  }
  if (url.search !== "" || url.hash !== "") throw new UsageError(`--from must be the Coordinator's base URL, without a query or fragment`);
  const authorizer = str(values, "authorizer");
  if (authorizer === undefined || authorizer === "") throw new UsageError("import --from needs --authorizer NAME (one of druid.auth.authorizers)");
  const user = io.env[USER_VARIABLE];
  const password = io.env[PASSWORD_VARIABLE];
  if ((user === undefined) !== (password === undefined)) {
    throw new UsageError(`set both ${USER_VARIABLE} and ${PASSWORD_VARIABLE}, or neither`);
  }
  // Druid's BasicHTTPAuthenticator splits "user:password" at the first colon.
  if (user?.includes(":")) throw new UsageError(`${USER_VARIABLE} must not contain ':'`);
  const caFile = str(values, "ca");
  if (caFile !== undefined && url.protocol !== "https:") throw new UsageError("--ca is for an https --from URL");
  const ca = caFile === undefined ? undefined : await readText(caFile, "--ca", io);
  const timeout = numberOption(values, "timeout", (n) => Number.isFinite(n) && n > 0 && n <= 3600, "a number of seconds, more than 0 and at most 3600");
  const maxBytes = numberOption(values, "max-response-bytes", (n) => Number.isSafeInteger(n) && n >= 1024, "a whole number of bytes, 1024 or more");
  const maxTotal = numberOption(values, "max-total-bytes", (n) => Number.isSafeInteger(n) && n >= 1024, "a whole number of bytes, 1024 or more");
  const totalTimeout = numberOption(values, "total-timeout", (n) => Number.isFinite(n) && n > 0 && n <= 86_400, "a number of seconds, more than 0 and at most 86400");
  const concurrency = numberOption(values, "concurrency", (n) => Number.isInteger(n) && n >= 1 && n <= 64, "a whole number from 1 to 64");
  return {
    url: from,
    authorizer,
    ...(user !== undefined && password !== undefined ? { credentials: { user, password } } : {}),
    ...(ca === undefined ? {} : { ca }),
    timeoutMs: (timeout ?? 30) * 1000,
    maxResponseBytes: maxBytes ?? 16 * 1024 * 1024,
    maxTotalBytes: maxTotal ?? 256 * 1024 * 1024,
    totalTimeoutMs: (totalTimeout ?? 600) * 1000,
    concurrency: concurrency ?? 4,
  };
}

/** Writes every file beside its target first, then renames them all into place: a failure leaves no partial output. */
async function writeAll(files: [string, unknown][]): Promise<void> {
  const temporary: [string, string][] = [];
  try {
    for (const [path, value] of files) {
      const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
      temporary.push([temp, path]);
      await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { flag: "wx" });
    }
    for (const [temp, path] of temporary) await rename(temp, path);
  } catch (cause) {
    await Promise.all(temporary.map(([temp]) => rm(temp, { force: true })));
    throw new UsageError(`import: cannot write ${files.map(([path]) => `'${path}'`).join(" and ")}: ${(cause as Error).message}`, { cause });
  }
}
