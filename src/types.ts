// The contract's shapes (spec: PRODUCT.md "The contract"). The JSON Schemas in ./schemas are the authority at run
// time; these types describe what a value looks like once it has passed them.

export type Action = "READ" | "WRITE";

export type Operation =
  | "sql.query"
  | "sql.task.submit"
  | "sql.task.enabled"
  | "sql.statements.submit"
  | "sql.statements.get"
  | "sql.statements.results"
  | "sql.statements.cancel"
  | "task.status"
  | "task.payload"
  | "task.reports"
  | "task.log"
  | "task.cancel"
  | "task.submit"
  | "tasks.list"
  | "tasks.status.bulk";

export interface Identity {
  authenticated: boolean;
  user?: string;
}

export interface Statement {
  type: "SELECT" | "INSERT" | "REPLACE" | "EXPORT";
  target?: string;
  reads?: { type: "DATASOURCE" | "VIEW" | "SYSTEM_TABLE" | "INFORMATION_SCHEMA" | "LOOKUP"; name: string }[];
  external?: string[];
  tableFunctions?: { name: string; extend?: boolean }[];
  exportDestination?: string;
  exportProperties?: Record<string, string>;
  set?: Record<string, unknown>;
}

export interface TaskDescriptor {
  id?: string;
  datasource?: string;
  user?: string;
  type?: string;
  status?: "ACCEPTED" | "PENDING" | "WAITING" | "RUNNING" | "SUCCESS" | "FAILED";
  /** task.submit: the input source types the task reads. */
  inputSources?: string[];
}

export interface DecisionRequest {
  identity: Identity;
  operation: Operation;
  sql?: string;
  parameters?: { type: string; value: unknown }[];
  statement?: Statement;
  context?: Record<string, unknown>;
  task?: TaskDescriptor;
  datasource?: string;
  tasks?: { id: string; datasource: string }[];
}

export interface Permission {
  resource: { name: string; type: string };
  action: string;
}

export interface Grants {
  users?: Record<string, { roles: string[] }>;
  roles?: Record<string, { permissions: Permission[] }>;
}

/** Druid property names (and `druidVersion`, `msqAuthz.*`) to values, as a JSON map or a properties file has them. */
export type Settings = Record<string, string | number | boolean | string[]>;

export interface ResourceAction {
  type: string;
  name: string;
  action: Action;
}

export interface Match extends ResourceAction {
  role: string;
  pattern: string;
}

export type DecisionCode =
  | "ok"
  | "invalid_request"
  | "invalid_sql"
  | "unsupported_sql"
  | "unauthenticated"
  | "msq_not_loaded"
  | "forbidden"
  | "not_found"
  | "unsupported_input_source"
  | "engine_error";

export type EngineName = "wasm" | "casbin";

/** What the policy decides, before the decision point stamps the engine and revision on it. */
export interface PolicyDecision {
  allow: boolean;
  status: number;
  code: DecisionCode;
  required: ResourceAction[];
  missing: ResourceAction[];
  matched: Match[];
  reasons: string[];
  warnings?: string[];
  filter?: { type: "DATASOURCE"; action: "READ"; patterns: string[]; taskIds?: string[] };
}

export interface Decision extends PolicyDecision {
  engine: EngineName;
  revision: string;
}

/** One expectation of a review file (schemas/review.schema.json). */
export interface ReviewExpectation {
  name?: string;
  as?: string;
  anonymous?: boolean;
  operation?: Operation;
  sql?: string;
  parameters?: unknown[];
  statement?: Statement;
  context?: Record<string, unknown>;
  task?: TaskDescriptor;
  datasource?: string;
  tasks?: { id: string; datasource: string }[];
  expect: "allow" | "deny";
  status?: number;
  code?: string;
  missing?: ResourceAction[];
  required?: ResourceAction[];
}

export interface ReviewFile {
  name?: string;
  grants?: string | Grants;
  settings?: string | Settings;
  expectations: ReviewExpectation[];
}
