// A Druid HTTP request, as a gateway sees it, mapped onto the contract's operations. The task the request names is
// the gateway's to look up (it knows the Overlord); it comes with the request as `task`.
import type { DecisionRequest, Identity, Statement, TaskDescriptor } from "../types.js";

export interface DruidHttpRequest {
  http: { method: string; path: string; body?: unknown };
  identity: Identity;
  task?: TaskDescriptor;
  tasks?: { id: string; datasource: string }[];
}

type Mapped = { request: DecisionRequest } | { unknown: string };

const taskGets: Record<string, DecisionRequest["operation"]> = {
  "": "task.payload",
  "/status": "task.status",
  "/reports": "task.reports",
  "/log": "task.log",
};

export function mapDruidRequest({ http, identity, task, tasks }: DruidHttpRequest): Mapped {
  const method = http.method.toUpperCase();
  const url = new URL(http.path, "http://druid");
  const path = url.pathname.replace(/\/+$/u, "");
  const body = (typeof http.body === "object" && http.body !== null ? http.body : {}) as Record<string, unknown>;
  const base = { identity, ...(task ? { task } : {}) };
  const sql = (operation: DecisionRequest["operation"]): Mapped => ({
    request: {
      ...base,
      operation,
      sql: String(body.query ?? ""),
      ...(typeof body.context === "object" && body.context !== null ? { context: body.context as Record<string, unknown> } : {}),
      ...(Array.isArray(body.parameters) ? { parameters: body.parameters as { type: string; value: unknown }[] } : {}),
    },
  });
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
  if (method === "POST" && path === "/druid/indexer/v1/task") return { request: { ...base, operation: "task.submit", statement: taskStatement(body) } };
  if (method === "GET" && /^\/druid\/indexer\/v1\/(tasks|runningTasks|completeTasks|waitingTasks|pendingTasks)$/u.test(path)) {
    const datasource = url.searchParams.get("datasource");
    return { request: { ...base, operation: "tasks.list", ...(datasource ? { datasource } : {}), ...(tasks ? { tasks } : {}) } };
  }
  if (method === "POST" && path === "/druid/indexer/v1/taskStatus") return { request: { ...base, operation: "tasks.status.bulk" } };
  return { unknown: `${method} ${path}` };
}

/** A query_controller task's destination, read from its spec (MSQDestination's JSON types). */
function taskStatement(task: Record<string, unknown>): Statement {
  const spec = (task.spec ?? {}) as Record<string, unknown>;
  const destination = (spec.destination ?? {}) as Record<string, unknown>;
  if (destination.type === "dataSource" && typeof destination.dataSource === "string") {
    return { type: destination.replaceTimeChunks ? "REPLACE" : "INSERT", target: destination.dataSource };
  }
  if (destination.type === "export") {
    const provider = (destination.exportStorageProvider ?? {}) as Record<string, unknown>;
    return { type: "EXPORT", exportDestination: String(provider.type ?? "") };
  }
  return { type: "SELECT" };
}
