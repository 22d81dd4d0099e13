// Reading what the CLI is given: files that must exist (exit 2 when they cannot be read) and request text that is
// judged by the decision point (a 400 decision when it is not a request).
import { readFile } from "node:fs/promises";
import { text as readStream } from "node:stream/consumers";
import { ConfigError } from "../errors.js";
import { checkGrants } from "../grants.js";
import { checkSettings, settingsFromProperties } from "../settings.js";
import type { Grants, Settings } from "../types.js";

export class UsageError extends Error {}

export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return path === "-" ? await readStream(process.stdin) : await readFile(path, "utf8");
  } catch (cause) {
    throw new UsageError(`${what}: cannot read '${path}': ${(cause as Error).message}`);
  }
}

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readInputFile(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UsageError(`${what}: '${path}' is not JSON: ${(cause as Error).message}`);
  }
}

export async function loadGrants(path: string | undefined): Promise<Grants> {
  if (path === undefined) return {};
  const value = await readJsonFile(path, "--grants");
  return configured(() => checkGrants(value, path));
}

/** --druid-properties first, then --config on top: a JSON map refines the properties file. */
export async function loadSettings(configPath?: string, propertiesPath?: string): Promise<Settings> {
  let settings: Settings = {};
  if (propertiesPath !== undefined) {
    const text = await readInputFile(propertiesPath, "--druid-properties");
    settings = configured(() => settingsFromProperties(text, propertiesPath));
  }
  if (configPath !== undefined) {
    const value = await readJsonFile(configPath, "--config");
    settings = { ...settings, ...configured(() => checkSettings(value, configPath)) };
  }
  return settings;
}

function configured<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
