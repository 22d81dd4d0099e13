// What commands are given: files that must exist (a UsageError, exit 2, when they cannot be read), grants and
// settings checked against their schemas, and the decision point the policy options describe.
import { readFile } from "node:fs/promises";
import { text as readStream } from "node:stream/consumers";
import type { PolicyBundle } from "../bundle/load.js";
import { SIGNING_ALGORITHMS, type SigningAlgorithm, type VerificationOptions } from "../bundle/verify.js";
import { createDecisionPoint, type DecisionPoint, type DecisionPointOptions } from "../decision-point.js";
import { checkGrants } from "../grants.js";
import { checkSettings, settingsFromProperties } from "../settings.js";
import type { Grants, Settings } from "../types.js";
import { type Io, type OptionSpec, type Parsed, UsageError } from "./command.js";

export type Values = Parsed["values"];

export const str = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
};

export const list = (values: Values, name: string): string[] => {
  const value = values[name];
  return Array.isArray(value) ? value : [];
};

/** A file's text, or stdin for '-'. */
export async function readText(path: string, what: string, io: Io): Promise<string> {
  try {
    return path === "-" ? await readStream(io.stdin) : await readFile(path, "utf8");
  } catch (cause) {
    throw new UsageError(`${what}: cannot read '${path}': ${(cause as Error).message}`, { cause });
  }
}

export async function readJson(path: string, what: string, io: Io): Promise<unknown> {
  const text = await readText(path, what, io);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UsageError(`${what}: '${path}' is not JSON: ${(cause as Error).message}`, { cause });
  }
}

export async function loadGrants(path: string | undefined, io: Io): Promise<Grants> {
  if (path === undefined) return {};
  const value = await readJson(path, "--grants", io);
  return checkGrants(value, path);
}

/** --druid-properties first, then --config on top: a JSON map refines the properties file. */
export async function loadSettings(values: Values, io: Io): Promise<Settings> {
  let settings: Settings = {};
  const properties = str(values, "druid-properties");
  const config = str(values, "config");
  if (properties !== undefined) {
    const text = await readText(properties, "--druid-properties", io);
    settings = settingsFromProperties(text, properties);
  }
  if (config !== undefined) {
    const value = await readJson(config, "--config", io);
    settings = { ...settings, ...checkSettings(value, config) };
  }
  return settings;
}

export const grantOptions: OptionSpec[] = [
  { name: "grants", type: "string", value: "FILE", summary: "Druid basic-security grants JSON (default: none, everything is denied)" },
  { name: "config", type: "string", value: "FILE", summary: "settings JSON: Druid property names, druidVersion, msqAuthz.*" },
  { name: "druid-properties", type: "string", value: "FILE", summary: "a Druid runtime.properties file (--config overrides what it sets)" },
];

export const verificationOptions: OptionSpec[] = [
  { name: "verification-key", type: "string", value: "FILE", summary: "verify the bundle's signature first (a PEM public key, or the HS secret)" },
  { name: "signing-alg", type: "string", value: "ALG", summary: "the algorithm the key is for (default: the one the bundle's signature names)" },
  { name: "scope", type: "string", value: "SCOPE", summary: "the signature's scope must be this" },
  { name: "key-id", type: "string", value: "ID", summary: "the signature's key id must be this" },
];

export const policyOptions: OptionSpec[] = [
  ...grantOptions,
  { name: "engine", type: "string", value: "wasm|casbin", summary: "the engine that matches grants (default: wasm)" },
  { name: "bundle", type: "string", value: "PATH", summary: "a policy bundle directory or .tar.gz (default: the bundle this package ships)" },
  { name: "max-memory", type: "string", value: "MIB", summary: "the most memory the WASM policy may grow to (default 256)" },
  ...verificationOptions,
];

export function algorithmOf(values: Values): SigningAlgorithm | undefined {
  const algorithm = str(values, "signing-alg");
  if (algorithm === undefined) return undefined;
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new UsageError(`--signing-alg must be one of ${SIGNING_ALGORITHMS.join(", ")}, not '${algorithm}'`);
  }
  return algorithm as SigningAlgorithm;
}

export async function verificationOf(values: Values, io: Io): Promise<VerificationOptions | undefined> {
  const keyFile = str(values, "verification-key");
  if (keyFile === undefined) return undefined;
  const key = (await readText(keyFile, "--verification-key", io)).trim();
  const algorithm = algorithmOf(values);
  const scope = str(values, "scope");
  const keyId = str(values, "key-id");
  return { key, ...(algorithm ? { algorithm } : {}), ...(scope ? { scope } : {}), ...(keyId ? { keyId } : {}) };
}

export function numberOption(values: Values, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const given = str(values, name);
  if (given === undefined) return undefined;
  const value = Number(given);
  if (given.trim() === "" || !check(value)) throw new UsageError(`--${name} must be ${what}, not '${given}'`);
  return value;
}

/** The decision point the policy options describe; a bundle that brings its own grants and settings keeps them. */
export async function decisionPoint(values: Values, io: Io, loaded?: PolicyBundle): Promise<DecisionPoint> {
  return createDecisionPoint(await decisionPointOptions(values, io, loaded));
}

/** What createDecisionPoint is given for the policy options: plain data, which a worker thread can be sent too. */
export async function decisionPointOptions(values: Values, io: Io, loaded?: PolicyBundle): Promise<DecisionPointOptions> {
  const engine = str(values, "engine") ?? "wasm";
  if (engine !== "wasm" && engine !== "casbin") throw new UsageError(`--engine must be wasm or casbin, not '${engine}'`);
  const [grants, settings, verification] = await Promise.all([
    loadGrants(str(values, "grants"), io),
    loadSettings(values, io),
    loaded ? Promise.resolve(undefined) : verificationOf(values, io),
  ]);
  const memory = numberOption(values, "max-memory", (n) => Number.isInteger(n) && n >= 2, "a whole number of MiB, 2 or more");
  const hasSettings = str(values, "config") !== undefined || str(values, "druid-properties") !== undefined;
  const bundle = str(values, "bundle");
  return {
    ...(str(values, "grants") !== undefined ? { grants } : {}),
    ...(hasSettings ? { settings } : {}),
    engine,
    ...(loaded ? { bundle: loaded } : bundle ? { bundle } : {}),
    ...(verification ? { verification } : {}),
    ...(memory === undefined ? {} : { wasmMemoryMiB: memory }),
  };
}

