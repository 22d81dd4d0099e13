// A Druid HTTP request, as a gateway sees it, mapped onto the contract's operations. The task the request names is
// the gateway's to look up (it knows the Overlord); it comes with the request as `task`.
import { inputSourceTypesOf } from "../sql/input-source.js";
import type { DecisionRequest, Identity, Statement, TaskDescriptor } from "../types.js";

export interface DruidHttpRequest {
  http: { method: string; path: string; body?: unknown };
  identity: Identity;
  task?: TaskDescriptor;
  tasks?: { id: string; datasource: string }[];
}

/** A request, an endpoint Druid does not have, or what is malformed as "<JSON pointer>: <what is wrong>". */
type Mapped = { request: DecisionRequest } | { unknown: string } | { invalid: string };

const taskGets: Record<string, DecisionRequest["operation"]> = {
  "": "task.payload",
  "/status": "task.status",
  "/reports": "task.reports",
  "/log": "task.log",
};

/** Longer than any Druid path a gateway forwards (Jetty's default request header buffer is 8 KiB). */
const MAX_PATH_LENGTH = 8192;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The path and query as Druid's Jetty reads them, or why msq-authz will not guess. Jetty decodes a path's
 * percent-escapes before Jersey routes it, so they are decoded here too; but a path whose reading depends on who
 * normalizes it (a backslash, a "." or ".." segment, an empty segment, a ';' path parameter, a '.', '/' or '\\'
 * written as a percent-escape, a fragment) is refused: a URL parser resolves such paths one way, and Jetty refuses
 * them or routes them another (its "ambiguous URI" checks).
 */
function parsePath(path: string): { path: string; query: URLSearchParams } | { invalid: string } {
  if (path.length > MAX_PATH_LENGTH) return { invalid: `/http/path: longer than ${MAX_PATH_LENGTH} characters` };
  if (!path.startsWith("/")) return { invalid: "/http/path: must be a path starting with '/'" };
  if (/[\u0000-\u001f\u007f]/u.test(path)) return { invalid: "/http/path: holds a control character" };
  if (path.includes("#")) return { invalid: "/http/path: holds a fragment ('#'), which no request Druid receives has" };
  if (/%(?![0-9a-f]{2})/iu.test(path)) return { invalid: "/http/path: a '%' that does not start a percent-escape" };
  const cut = path.indexOf("?");
  const [raw, query] = cut < 0 ? [path, ""] : [path.slice(0, cut), path.slice(cut + 1)];
  if (raw.includes("\\")) return { invalid: "/http/path: holds a backslash, which is a separator to some readers and not to others" };
  if (raw.includes(";")) return { invalid: "/http/path: holds a ';' (path parameters), which Jetty strips and other readers keep" };
  if (/%(2e|2f|5c)/iu.test(raw)) return { invalid: "/http/path: writes '.', '/' or '\\' as a percent-escape: an ambiguous path Druid's Jetty refuses" };
  // One trailing '/' names the same resource to Jersey; the root path is "". More than one is an empty segment.
  const segments = raw.replace(/\/$/u, "").split("/").slice(1);
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    return { invalid: "/http/path: has an empty, '.' or '..' segment, which readers resolve differently" };
  }
  const decoded = strictlyDecoded(segments);
  if (decoded === "not UTF-8") return { invalid: "/http/path: a percent-escape that is not UTF-8" };
  if (decoded === "control") return { invalid: "/http/path: percent-escapes a control character" };
  // The query's names and values, form-decoded ('+' is a space) as Jetty and URLSearchParams both decode them, with
  // the same refusals: URLSearchParams would put U+FFFD where Jetty fails.
  const fields = strictlyDecoded(query === "" ? [] : query.split("&").flatMap((field) => field.replaceAll("+", " ").split("=")));
  if (fields === "not UTF-8") return { invalid: "/http/path: its query has a percent-escape that is not UTF-8" };
  if (fields === "control") return { invalid: "/http/path: its query percent-escapes a control character" };
  return { path: decoded.map((segment) => `/${segment}`).join(""), query: new URLSearchParams(query) };
}

/** Each part percent-decoded, or why not: an escape that is not UTF-8, or one that writes a control character. */
function strictlyDecoded(parts: readonly string[]): string[] | "not UTF-8" | "control" {
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    return "not UTF-8";
  }
  return decoded.some((part) => /[\u0000-\u001f\u007f]/u.test(part)) ? "control" : decoded;
}

export function mapDruidRequest({ http, identity, task, tasks }: DruidHttpRequest): Mapped {
  // HTTP methods are case-sensitive: Jetty serves "GET", and "get" is no method any Druid endpoint has.
  const { method } = http;
  const parsed = parsePath(http.path);
  if ("invalid" in parsed) return parsed;
  const { path, query } = parsed;
  const base = { identity, ...(task === undefined ? {} : { task }) };
  const sql = (operation: DecisionRequest["operation"]): Mapped => {
    // Druid's SqlQuery: {"query": string, "context"?: object, "parameters"?: array}; anything else is a 400 there.
    const body = http.body;
    if (!isObject(body)) return { invalid: "/http/body: must be a JSON object with the SQL in 'query'" };
    if (typeof body.query !== "string") return { invalid: `/http/body/query: ${body.query === undefined ? "missing" : "must be a string"}` };
    if (body.context !== undefined && body.context !== null && !isObject(body.context)) return { invalid: "/http/body/context: must be an object" };
    if (body.parameters !== undefined && body.parameters !== null && !Array.isArray(body.parameters)) return { invalid: "/http/body/parameters: must be an array" };
    return {
      request: {
        ...base,
        operation,
        sql: body.query,
        ...(isObject(body.context) ? { context: body.context as NonNullable<DecisionRequest["context"]> } : {}),
        ...(Array.isArray(body.parameters) ? { parameters: body.parameters as NonNullable<DecisionRequest["parameters"]> } : {}),
      },
    };
  };
  if (method === "POST" && path === "/druid/v2/sql") return sql("sql.query");
  if (method === "POST" && path === "/druid/v2/sql/task") return sql("sql.task.submit");
  if (method === "GET" && path === "/druid/v2/sql/task/enabled") return { request: { ...base, operation: "sql.task.enabled" } };
  if (method === "POST" && path === "/druid/v2/sql/statements") return sql("sql.statements.submit");
  const statement = /^\/druid\/v2\/sql\/statements\/[^/]+(\/results)?$/u.exec(path);
  if (statement && method === "GET") return { request: { ...base, operation: statement[1] ? "sql.statements.results" : "sql.statements.get" } };
  if (statement && !statement[1] && method === "DELETE") return { request: { ...base, operation: "sql.statements.cancel" } };
  const taskPath = /^\/druid\/indexer\/v1\/task\/[^/]+(\/status|\/reports|\/log|\/shutdown)?$/u.exec(path);
  if (taskPath) {
    const suffix = taskPath[1] ?? "";
    if (method === "GET" && taskGets[suffix]) return { request: { ...base, operation: taskGets[suffix] } };
    if (method === "POST" && suffix === "/shutdown") return { request: { ...base, operation: "task.cancel" } };
  }
  if (method === "POST" && path === "/druid/indexer/v1/task") {
    const submitted = taskSubmission(http.body);
    return "invalid" in submitted ? submitted : { request: { ...base, operation: "task.submit", ...submitted } };
  }
  if (method === "GET" && /^\/druid\/indexer\/v1\/(tasks|runningTasks|completeTasks|waitingTasks|pendingTasks)$/u.test(path)) {
    // Present at all, even empty, it is checked up front: Druid's getTasks tests dataSource != null.
    const datasource = query.get("datasource");
    return { request: { ...base, operation: "tasks.list", ...(datasource === null ? {} : { datasource }), ...(tasks === undefined ? {} : { tasks }) } };
  }
  if (method === "POST" && path === "/druid/indexer/v1/taskStatus") return { request: { ...base, operation: "tasks.status.bulk" } };
  return { unknown: `${method} ${path}` };
}

/**
 * A posted task as the Overlord's taskPost reads it: a query_controller by the destination in its spec; any other
 * type by its type, its datasource and the types its input source reads (where each task type keeps them in its
 * JSON). What that requires is the policy's call.
 */
function taskSubmission(task: unknown): { statement: Statement } | { task: TaskDescriptor } | { invalid: string } {
  if (!isObject(task)) return { invalid: "/http/body: must be a JSON object (the task)" };
  if (typeof task.type !== "string") return { invalid: `/http/body/type: ${task.type === undefined ? "missing (the Overlord reads a task by its type)" : "must be a string"}` };
  if (task.type === "query_controller") {
    const statement = taskStatement(task);
    return "invalid" in statement ? statement : { statement };
  }
  const spec = isObject(task.spec) ? task.spec : {};
  const dataSchema = isObject(spec.dataSchema) ? spec.dataSchema : isObject(task.dataSchema) ? task.dataSchema : {};
  // Batch and streaming ingestion name the datasource in their dataSchema; compact, kill and the like at the top.
  const datasource = dataSchema.dataSource ?? task.dataSource ?? (task.type === "noop" ? "none" : undefined);
  if (datasource !== undefined && typeof datasource !== "string") return { invalid: "/http/body: the task's dataSource must be a string" };
  const ioConfig = isObject(spec.ioConfig) ? spec.ioConfig : {};
  let inputSources: string[] | undefined;
  if (ioConfig.inputSource !== undefined) {
    try {
      inputSources = inputSourceTypesOf(ioConfig.inputSource);
    } catch (error) {
      return { invalid: `/http/body/spec/ioConfig/inputSource: ${(error as Error).message}` };
    }
  }
  return {
    task: {
      type: task.type,
      ...(typeof task.id === "string" ? { id: task.id } : {}),
      ...(datasource === undefined ? {} : { datasource }),
      ...(inputSources === undefined ? {} : { inputSources }),
    },
  };
}

/** A query_controller task's destination, read from its spec (MSQDestination's JSON types). */
function taskStatement(task: Record<string, unknown>): Statement | { invalid: string } {
  if (task.spec !== undefined && !isObject(task.spec)) return { invalid: "/http/body/spec: must be an object" };
  const destination = task.spec?.destination ?? {};
  if (!isObject(destination)) return { invalid: "/http/body/spec/destination: must be an object" };
  if (destination.type === "dataSource") {
    if (typeof destination.dataSource !== "string") return { invalid: "/http/body/spec/destination/dataSource: must be a string" };
    return { type: destination.replaceTimeChunks ? "REPLACE" : "INSERT", target: destination.dataSource };
  }
  if (destination.type === "export") {
    const provider = destination.exportStorageProvider;
    if (!isObject(provider) || typeof provider.type !== "string") {
      return { invalid: "/http/body/spec/destination/exportStorageProvider/type: must be a string" };
    }
    return { type: "EXPORT", exportDestination: provider.type };
  }
  return { type: "SELECT" };
}
