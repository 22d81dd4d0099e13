// A directory of answers captured from the basic-security authorizer API, laid out as its paths are:
//   users.json  roles.json  groupMappings.json        GET users, roles, groupMappings (name lists; optional)
//   users/*.json  roles/*.json  groupMappings/*.json  one answer each of GET users/{u}, roles/{r}, groupMappings/{g}
// Any variant of an entity's answer will do (?full, ?simplifyPermissions, ...): the folder says which endpoint
// answered, the answer's "name" which entity it is about (file names are free, since some names cannot be file names).
// With the name lists, the directory must be a complete picture: see importBasicSecurity.
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import type { CapturedResponse, Endpoint } from "./basic-security.js";

const FOLDERS = [
  ["users", "users/{u}"],
  ["roles", "roles/{r}"],
  ["groupMappings", "groupMappings/{g}"],
] as const satisfies readonly (readonly [Endpoint, Endpoint])[];

export async function readCaptureDirectory(directory: string): Promise<CapturedResponse[]> {
  const responses: CapturedResponse[] = [];
  for (const [list, entity] of FOLDERS) {
    const listFile = join(directory, `${list}.json`);
    if (await isFile(listFile)) responses.push({ source: listFile, value: await readJsonFile(listFile), endpoint: list });
    const folder = join(directory, list);
    if (!(await isDirectory(folder))) continue;
    const files = (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isFile() && entry.name.endsWith(".json"));
    for (const file of files.map((entry) => entry.name).sort()) {
      const path = join(folder, file);
      responses.push({ source: path, value: await readJsonFile(path), endpoint: entity });
    }
  }
  if (responses.length === 0) {
    throw new ConfigError(`${directory}: no captured answers (users.json, users/*.json, roles.json, roles/*.json, groupMappings.json, groupMappings/*.json)`);
  }
  return responses;
}

async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read '${path}': ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConfigError(`'${path}' is not JSON: ${(cause as Error).message}`, { cause });
  }
}

const isFile = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isFile() ?? false;
const isDirectory = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
