// Settings arrive as Druid users already write them: a JSON map of property names, or a runtime.properties file.
import { parse as parseProperties } from "dot-properties";
import { ConfigError } from "./errors.js";
import { describeErrors, settingsSchema, validateSettings } from "./schemas/validate.js";
import type { Settings } from "./types.js";

const knownKeys = new Set(Object.keys(settingsSchema.properties));
const patternKeys = Object.keys(settingsSchema.patternProperties).map((pattern) => new RegExp(pattern, "u"));
const listKeys = new Set(
  Object.entries(settingsSchema.properties)
    .filter(([, schema]) => (schema as { $ref?: string }).$ref === "#/$defs/keys")
    .map(([key]) => key),
);

function isSettingKey(key: string): boolean {
  return knownKeys.has(key) || patternKeys.some((pattern) => pattern.test(key));
}

/** Validates a settings object; throws ConfigError naming the offending property. */
export function checkSettings(value: unknown, source = "settings"): Settings {
  if (!validateSettings(value)) {
    throw new ConfigError(`${source}: ${describeErrors(validateSettings.errors).join("; ")}`);
  }
  return value;
}

/**
 * Reads the properties that matter for authorization out of a runtime.properties file and ignores the rest (a
 * real file holds hundreds). List-valued properties are JSON arrays in Druid's own syntax.
 */
export function settingsFromProperties(text: string, source = "runtime.properties"): Settings {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parseProperties(text))) {
    if (typeof value !== "string" || !isSettingKey(key)) continue;
    settings[key] = listKeys.has(key) ? parseList(key, value, source) : value;
  }
  return checkSettings(settings, source);
}

function parseList(key: string, value: string, source: string): unknown {
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new ConfigError(`${source}: ${key} must be a JSON array such as ["a","b"], not ${value}`, { cause });
  }
}
