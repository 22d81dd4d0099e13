// Running a review: every expectation on both engines. A disagreement between them is a failure of its own.
import { createDecisionPoint } from "../decision-point.js";
import type { Decision, DecisionRequest, ResourceAction } from "../types.js";
import type { LoadedReview } from "./load.js";

export interface ExpectationResult {
  name: string;
  line: number;
  /** The operation the expectation ran as (a `sql:` expectation without one runs as sql.task.submit). */
  operation: string;
  passed: boolean;
  failures: string[];
  decision: Decision;
}

export interface ReviewResult {
  file: string;
  name: string;
  results: ExpectationResult[];
}

export async function runReview(review: LoadedReview): Promise<ReviewResult> {
  const [wasm, casbin] = await Promise.all(
    (["wasm", "casbin"] as const).map((engine) =>
      createDecisionPoint({ grants: review.grants, settings: review.settings, engine }),
    ),
  );
  if (!wasm || !casbin) throw new Error("decision points did not load");
  const results: ExpectationResult[] = [];
  for (const expectation of review.expectations) {
    const request = requestOf(expectation);
    const [byWasm, byCasbin] = await Promise.all([wasm.decide(request), casbin.decide(request)]);
    const failures = [
      ...disagreement(byWasm, byCasbin),
      ...unmet(expectation, byWasm),
    ];
    results.push({
      name: expectation.name ?? describe(expectation),
      line: expectation.line,
      operation: request.operation,
      passed: failures.length === 0,
      failures,
      decision: byWasm,
    });
  }
  return { file: review.file, name: review.name, results };
}

function requestOf(expectation: LoadedReview["expectations"][number]): DecisionRequest {
  const { as, anonymous, operation, sql, parameters, statement, context, task, datasource, tasks } = expectation;
  const fields = { sql, parameters, statement, context, task, datasource, tasks };
  return {
    identity: anonymous ? { authenticated: false } : { authenticated: true, user: as ?? "" },
    operation: operation ?? (sql !== undefined || statement !== undefined ? "sql.task.submit" : "sql.task.enabled"),
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
  } as DecisionRequest;
}

function describe(expectation: LoadedReview["expectations"][number]): string {
  const who = expectation.anonymous ? "anonymous" : expectation.as;
  const what = expectation.sql ?? expectation.operation ?? "request";
  return `${who ?? "?"} ${expectation.expect}: ${what}`;
}

function disagreement(wasm: Decision, casbin: Decision): string[] {
  const { engine: _w, ...a } = wasm;
  const { engine: _c, ...b } = casbin;
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [`the engines disagree: wasm says ${summary(wasm)}, casbin says ${summary(casbin)}`];
}

/** Answers that say the request could not be judged: they never count as the deny an expectation asks for. */
const refusals = new Set(["invalid_request", "invalid_sql", "unsupported_sql"]);

function unmet(expectation: LoadedReview["expectations"][number], decision: Decision): string[] {
  const failures: string[] = [];
  if ((expectation.expect === "allow") !== decision.allow) {
    failures.push(`expected ${expectation.expect}, got ${summary(decision)}: ${decision.reasons.join("; ")}`);
  } else if (expectation.expect === "deny" && refusals.has(decision.code) && expectation.code !== decision.code) {
    // A mistyped query is refused with a 400; that is not the deny a security team meant to test.
    failures.push(`expected deny, got ${summary(decision)}, which is not a deny: name code ${decision.code} to expect it. ${decision.reasons.join("; ")}`);
  }
  if (expectation.status !== undefined && expectation.status !== decision.status) {
    failures.push(`expected status ${expectation.status}, got ${decision.status}`);
  }
  if (expectation.code !== undefined && expectation.code !== decision.code) {
    failures.push(`expected code ${expectation.code}, got ${decision.code}`);
  }
  for (const field of ["missing", "required"] as const) {
    const expected = expectation[field];
    if (expected !== undefined && !sameActions(expected, decision[field])) {
      failures.push(`expected ${field} ${actions(expected)}, got ${actions(decision[field])}`);
    }
  }
  return failures;
}

const key = (ra: ResourceAction): string => `${ra.action} ${ra.type} '${ra.name}'`;
const actions = (list: ResourceAction[]): string => `[${list.map(key).sort().join(", ")}]`;
const sameActions = (a: ResourceAction[], b: ResourceAction[]): boolean => actions(a) === actions(b);
const summary = (decision: Decision): string => `${decision.allow ? "allow" : "deny"} ${decision.status} ${decision.code}`;
