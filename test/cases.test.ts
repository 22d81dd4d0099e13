// Decision cases as data: every case runs through both engines and must produce the whole expected decision.
import { describe, expect, it } from "vitest";
import { validateDecision } from "../src/schemas/validate.js";
import { engines, loadCases, pointFor } from "./support.js";

const cases = loadCases();

const statusesOf = { ALLOW: [200, 202], DENY: [401, 403, 404], INVALID: [400, 500] } as const;

describe("decision cases", () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  for (const c of cases) {
    describe(`${c.scenario}/${c.outcome}/${c.file}`, () => {
      it("is a well-formed case", () => {
        expect(Object.keys(c).sort()).toEqual(
          ["decision", "description", "file", "grants", "outcome", "request", "rules", "scenario", "settings"].sort(),
        );
        expect(c.decision.allow).toBe(c.outcome === "ALLOW");
        expect(statusesOf[c.outcome]).toContain(c.decision.status);
      });

      for (const engine of engines) {
        it(`${engine}: ${c.description}`, async () => {
          const point = await pointFor(engine, c.grants, c.settings);
          const decision = await point.decide(c.request);
          expect(decision).toEqual({ ...c.decision, engine, revision: point.revision });
          expect(validateDecision(decision), JSON.stringify(validateDecision.errors)).toBe(true);
          for (const rule of c.rules) {
            expect(decision.reasons.some((reason) => reason.startsWith(`${rule} (`))).toBe(true);
          }
          // Every cached path answers the whole decision again: remembered, and remembered by its text.
          expect(await point.decide(c.request)).toEqual(decision);
          expect(await point.decideJson(JSON.stringify(c.request))).toEqual(decision);
          // Without the decision cache, the second time the grant matches (and the SQL analysis) are remembered.
          const uncached = await pointFor(engine, c.grants, c.settings, { decisionCacheEntries: 0 });
          expect(await uncached.decide(c.request)).toEqual(decision);
          expect(await uncached.decide(c.request)).toEqual(decision);
        });
      }
    });
  }
});
