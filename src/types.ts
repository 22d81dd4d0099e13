// The contract's shapes, as the JSON Schemas generate them (src/contract.ts), under the names the code uses, and the
// few types that are not part of the wire contract (what the policy answers before the decision point stamps it).
import type { Decision, DecisionRequest, Grants, Permission, ResourceAction, ReviewFile, Settings, Statement, Task } from "./contract.js";

export type { Decision, DecisionRequest, Grants, Permission, ResourceAction, ReviewFile, Settings, Statement };

export type Operation = DecisionRequest["operation"];
export type Identity = DecisionRequest["identity"];
export type TaskDescriptor = Task;
export type Action = ResourceAction["action"];
export type DecisionCode = Decision["code"];
export type EngineName = Decision["engine"];
export type Match = Decision["matched"][number];
export type ReviewExpectation = ReviewFile["expectations"][number];

/** What the policy decides, before the decision point stamps the engine and revision on it. */
export type PolicyDecision = Omit<Decision, "engine" | "revision">;
