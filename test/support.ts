import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { loadBundle, type PolicyBundle } from "../src/bundle/load.js";
import { type BuiltinEngine, createDecisionPoint, type DecisionPoint, type DecisionPointOptions } from "../src/decision-point.js";
import type { EngineName } from "../src/types.js";

export const root = new URL("..", import.meta.url).pathname;
export const engines: BuiltinEngine[] = ["wasm", "casbin"];

let bundle: Promise<PolicyBundle> | undefined;
const points = new Map<string, Promise<DecisionPoint>>();

/** One decision point per (engine, grants, settings), sharing the shipped bundle. */
export function pointFor(engine: BuiltinEngine, grants: unknown = {}, settings: unknown = {}, caches: Pick<DecisionPointOptions, "decisionCacheEntries"> = {}): Promise<DecisionPoint> {
  const key = JSON.stringify([engine, grants, settings, caches]);
  let point = points.get(key);
  if (!point) {
    bundle ??= loadBundle();
    point = bundle.then((loaded) => createDecisionPoint({ bundle: loaded, grants, settings, engine, ...caches }));
    points.set(key, point);
  }
  return point;
}

export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8")) as unknown;

export const outcomes = ["ALLOW", "DENY", "INVALID"] as const;

export interface DecisionCase {
  scenario: string;
  outcome: (typeof outcomes)[number];
  file: string;
  description: string;
  rules: string[];
  settings: Record<string, unknown>;
  grants: unknown;
  request: unknown;
  decision: Record<string, unknown>;
}

/** Every case under test/cases/<scenario>/<ALLOW|DENY|INVALID>/*.json, with its scenario's grants and settings. */
export function loadCases(dir = join(root, "test/cases")): DecisionCase[] {
  const cases: DecisionCase[] = [];
  for (const scenario of readdirSync(dir).sort()) {
    const scenarioDir = join(dir, scenario);
    const grants = readJson(join(scenarioDir, "grants.json"));
    const settingsFile = join(scenarioDir, "settings.json");
    const settings = existsSync(settingsFile) ? (readJson(settingsFile) as Record<string, unknown>) : {};
    for (const outcome of outcomes) {
      const outcomeDir = join(scenarioDir, outcome);
      if (!existsSync(outcomeDir)) continue;
      for (const file of readdirSync(outcomeDir).filter((name) => name.endsWith(".json")).sort()) {
        const data = readJson(join(outcomeDir, file)) as Omit<DecisionCase, "scenario" | "outcome" | "file" | "grants">;
        cases.push({
          ...data,
          scenario,
          outcome,
          file,
          grants,
          rules: data.rules ?? [],
          settings: { ...settings, ...(data.settings ?? {}) },
        });
      }
    }
  }
  return cases;
}

/** The whole decision for an engine failure: written out here, not built with the code under test. */
export const engineErrorDecision = (reason: string, point: { engine: EngineName; revision: string }) => ({
  allow: false,
  status: 500,
  code: "engine_error",
  required: [],
  missing: [],
  matched: [],
  reasons: [`ENGINE: ${reason}`],
  engine: point.engine,
  revision: point.revision,
});
