// Review files: YAML or JSON (JSON is YAML), checked against schemas/review.schema.json, with every error placed at
// its file and line. Grants and settings may be inline or a path relative to the review file.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, isNode, parseDocument } from "yaml";
import { ConfigError } from "../errors.js";
import { checkGrants } from "../grants.js";
import { describeErrors, validateReview } from "../schemas/validate.js";
import { checkSettings, settingsFromProperties } from "../settings.js";
import type { Grants, ReviewExpectation, Settings } from "../types.js";

export interface LoadedReview {
  file: string;
  name: string;
  grants: Grants;
  settings: Settings;
  expectations: (ReviewExpectation & { line: number })[];
}

export async function loadReview(file: string): Promise<LoadedReview> {
  const text = await readText(file);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = document.errors[0];
  if (problem) throw new ConfigError(`${file}:${lines.linePos(problem.pos[0]).line}: ${problem.message.split("\n")[0] ?? ""}`);
  const value: unknown = document.toJS();
  const lineOf = (pointer: string): number => {
    const path = pointer.split("/").slice(1).map((key) => (/^\d+$/u.test(key) ? Number(key) : key));
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  };
  if (!validateReview(value)) {
    const [first] = validateReview.errors ?? [];
    const [message] = describeErrors(validateReview.errors);
    throw new ConfigError(`${file}:${lineOf(first?.instancePath ?? "")}: ${message ?? "invalid review file"}`);
  }
  const base = dirname(file);
  return {
    file,
    name: value.name ?? file,
    grants: await grantsOf(value.grants, base, file),
    settings: await settingsOf(value.settings, base, file),
    expectations: value.expectations.map((expectation, index) => ({ ...expectation, line: lineOf(`/expectations/${index}`) })),
  };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`${file}: cannot read: ${(cause as Error).message}`, { cause });
  }
}

async function grantsOf(grants: string | Grants | undefined, base: string, file: string): Promise<Grants> {
  if (typeof grants !== "string") return checkGrants(grants ?? {}, `${file}: grants`);
  const path = resolve(base, grants);
  return checkGrants(parseJson(await readText(path), path), path);
}

async function settingsOf(settings: string | Settings | undefined, base: string, file: string): Promise<Settings> {
  if (typeof settings !== "string") return checkSettings(settings ?? {}, `${file}: settings`);
  const path = resolve(base, settings);
  const text = await readText(path);
  return path.endsWith(".properties") ? settingsFromProperties(text, path) : checkSettings(parseJson(text, path), path);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConfigError(`${path}: not JSON: ${(cause as Error).message}`, { cause });
  }
}
