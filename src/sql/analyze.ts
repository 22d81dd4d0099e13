// Druid SQL -> the statement of the contract: what it reads (by resource type), where it writes, which external
// data it reads, and the context keys it SETs. This is Druid's resource *collection* (SqlResourceCollectorShuttle
// and friends); which of these need a permission, under which settings, is the Rego policy's call.
import {
  SqlAlias,
  SqlBase,
  SqlFunction,
  SqlLabeledExpression,
  SqlLiteral,
  SqlPlaceholder,
  SqlQuery,
  SqlTable,
  SqlValues,
  SqlWithQuery,
} from "druid-query-toolkit";
import type { Statement } from "../types.js";
import { checkIngest } from "./ingest-checks.js";
import { inputSourceTypes } from "./input-source.js";
import { SqlAnalysisError, parseSql } from "./parse.js";

export type Read = NonNullable<Statement["reads"]>[number];

/** Druid's schemas and the resource type a table in each is authorized as. */
const schemaTypes: Record<string, Read["type"]> = {
  druid: "DATASOURCE",
  view: "VIEW",
  sys: "SYSTEM_TABLE",
  INFORMATION_SCHEMA: "INFORMATION_SCHEMA",
  lookup: "LOOKUP",
};

/** The input-source-specific table functions (druid-semantics.md §1.4). */
const tableFunctions = new Set(["http", "inline", "localfiles", "s3"]);

export interface SqlParameter {
  type: string;
  value: unknown;
}

export interface Analysis {
  statement: Statement;
  explain: boolean;
}

export function analyzeSql(sql: string, parameters: readonly SqlParameter[] = []): Analysis {
  const root = parseSql(sql);
  return new Analyzer(sql, root, parameters).analyze();
}

class Analyzer {
  private readonly reads = new Map<string, Read>();
  private readonly external = new Set<string>();
  private readonly functions = new Map<string, { name: string; extend: boolean }>();
  private readonly placeholders: SqlPlaceholder[];

  constructor(
    private readonly sql: string,
    private readonly root: SqlQuery | SqlWithQuery,
    private readonly parameters: readonly SqlParameter[],
  ) {
    this.placeholders = root.collect((node): node is SqlPlaceholder => node instanceof SqlPlaceholder);
    if (this.placeholders.length > parameters.length) {
      throw new SqlAnalysisError("invalid_sql", `Parameter: [?${parameters.length}] is not bound`);
    }
  }

  analyze(): Analysis {
    const statement: Statement = { type: "SELECT" };
    const root = this.root;
    const ingest = root.insertClause ?? root.replaceClause;
    if (root.insertClause && isExternFunction(root.insertClause.table)) {
      statement.type = "EXPORT";
      const { type, properties } = this.exportDestination(root.insertClause.table);
      statement.exportDestination = type;
      if (Object.keys(properties).length > 0) statement.exportProperties = properties;
    } else if (ingest) {
      const operation = root.insertClause ? "INSERT" : "REPLACE";
      statement.type = operation;
      statement.target = ingestTarget(ingest.table, operation, this.sql, root);
      checkIngest(root, operation, statement.target);
    }
    this.query(root, new Set());
    if (this.reads.size > 0) statement.reads = [...this.reads.values()];
    if (this.external.size > 0) statement.external = [...this.external];
    if (this.functions.size > 0) statement.tableFunctions = [...this.functions.values()];
    const set = setStatements(root);
    if (set) statement.set = set;
    return { statement, explain: root.explain === true };
  }

  /** A query and everything under it; `ctes` are the WITH names in scope, which are not datasources. */
  private query(node: SqlQuery | SqlWithQuery, outer: ReadonlySet<string>): void {
    const ctes = new Set(outer);
    for (const part of node.withClause?.withParts.values ?? []) {
      this.query(part.query as SqlQuery | SqlWithQuery, ctes); // a WITH item sees the items before it
      ctes.add(part.table.name);
    }
    if (node instanceof SqlWithQuery) {
      this.query(node.query, ctes);
      return;
    }
    for (const from of node.fromClause?.expressions.values ?? []) this.fromItem(from, ctes);
    for (const join of node.fromClause?.joinParts?.values ?? []) {
      this.fromItem(join.table, ctes);
      if (join.onExpression) this.expression(join.onExpression, ctes);
    }
    for (const selected of node.selectExpressions?.values ?? []) this.expression(selected, ctes);
    for (const clause of [node.whereClause, node.groupByClause, node.havingClause, node.orderByClause]) {
      if (clause) this.expression(clause, ctes);
    }
    if (node.replaceClause?.whereClause) this.expression(node.replaceClause.whereClause, ctes);
    if (node.unionQuery) this.query(node.unionQuery, ctes);
  }

  private fromItem(item: SqlBase, ctes: ReadonlySet<string>): void {
    if (item instanceof SqlAlias) return this.fromItem(item.expression, ctes);
    if (item instanceof SqlTable) return this.table(item, ctes);
    if (item instanceof SqlQuery || item instanceof SqlWithQuery) return this.query(item, ctes);
    if (item instanceof SqlValues) return this.expression(item, ctes);
    if (item instanceof SqlFunction) return this.fromFunction(item, ctes);
    this.expression(item, ctes);
  }

  private table(table: SqlTable, ctes: ReadonlySet<string>): void {
    const name = table.getName();
    const schema = table.getNamespaceName();
    if (schema === undefined) {
      if (!ctes.has(name)) this.read("DATASOURCE", name);
      return;
    }
    const type = schemaTypes[schema];
    if (!type) throw new SqlAnalysisError("invalid_sql", `Object '${schema}' not found (no such schema)`);
    this.read(type, name);
  }

  private fromFunction(call: SqlFunction, ctes: ReadonlySet<string>): void {
    const name = call.getEffectiveFunctionName();
    if (name === "UNNEST") return this.expression(call, ctes);
    if (name !== "TABLE") throw new SqlAnalysisError("invalid_sql", `${name}(...) in FROM must be called as TABLE(${name}(...))`);
    const inner = call.args?.values[0];
    if (!(inner instanceof SqlFunction) || call.args?.values.length !== 1) {
      throw new SqlAnalysisError("invalid_sql", "TABLE(...) takes one table function call");
    }
    const fn = inner.getEffectiveFunctionName().toLowerCase();
    const extend = call.extendClause !== undefined || inner.extendClause !== undefined;
    if (fn === "extern") {
      for (const type of inputSourceTypes(this.argument(inner, 0, "inputSource"))) this.external.add(type);
    } else if (fn === "append") {
      // TableAppendMacro.computeResources names each READ by operand.toString(): Calcite prints a string literal
      // with its quotes, so Druid checks READ on DATASOURCE 'foo' (quotes included), not foo.
      const args = inner.args?.values ?? [];
      if (args.length === 0) throw new SqlAnalysisError("invalid_sql", "No match found for function signature APPEND()");
      for (const arg of args) this.read("DATASOURCE", `'${this.stringValue(arg, "APPEND").replaceAll("'", "''")}'`);
    } else if (tableFunctions.has(fn)) {
      this.functions.set(`${fn}:${String(extend)}`, { name: fn, extend });
    } else {
      throw new SqlAnalysisError("unsupported_sql", `table function ${inner.getEffectiveFunctionName()}(...)`);
    }
  }

  /** Expressions hold subqueries (IN, scalar) and lookups; walk every child, queries with their scope. */
  private expression(node: SqlBase, ctes: ReadonlySet<string>): void {
    if (node instanceof SqlQuery || node instanceof SqlWithQuery) return this.query(node, ctes);
    if (node instanceof SqlFunction && node.getEffectiveFunctionName() === "LOOKUP") {
      const lookup = node.args?.values[1];
      if (lookup instanceof SqlLiteral && typeof lookup.value === "string") this.read("LOOKUP", lookup.value);
    }
    for (const child of children(node)) this.expression(child, ctes);
  }

  /**
   * INSERT INTO EXTERN(s3(...)): the destination type is the inner call's name as written; LOCAL is a keyword,
   * which Druid's parser maps to "local". Its properties say where the export goes.
   */
  private exportDestination(extern: SqlFunction): { type: string; properties: Record<string, string> } {
    const destination = extern.args?.values[0];
    if (!(destination instanceof SqlFunction)) {
      throw new SqlAnalysisError("invalid_sql", "INSERT INTO EXTERN(...) needs a destination such as s3(...)");
    }
    const written = destination.functionName.name;
    const type = written.toUpperCase() === "LOCAL" ? "local" : written;
    const properties: Record<string, string> = {};
    for (const arg of destination.args?.values ?? []) {
      if (arg instanceof SqlLabeledExpression) properties[arg.label.name] = this.stringValue(arg.expression, `${type} ${arg.label.name}`);
    }
    const absent = (exportProperties[type] ?? []).find((property) => properties[property] === undefined);
    if (absent) throw new SqlAnalysisError("invalid_sql", `Missing required creator property '${absent}' for ${type}(...)`);
    return { type, properties };
  }

  private read(type: Read["type"], name: string): void {
    this.reads.set(`${type}\n${name}`, { type, name });
  }

  /** A function argument by position or by `name =>`, with dynamic parameters bound. */
  private argument(call: SqlFunction, position: number, label: string): string {
    const args = call.args?.values ?? [];
    const named = args.find((arg) => arg instanceof SqlLabeledExpression && arg.label.name === label);
    const arg = named instanceof SqlLabeledExpression ? named.expression : args[position];
    if (arg === undefined || arg instanceof SqlLabeledExpression) {
      throw new SqlAnalysisError("invalid_sql", `${call.getEffectiveFunctionName()} needs its ${label} argument`);
    }
    return this.stringValue(arg, `${call.getEffectiveFunctionName()} ${label}`);
  }

  private stringValue(arg: SqlBase, what: string): string {
    if (arg instanceof SqlLiteral && typeof arg.value === "string") return arg.value;
    if (arg instanceof SqlPlaceholder) {
      const value = this.parameters[this.placeholders.indexOf(arg)]?.value;
      if (typeof value === "string") return value;
    }
    throw new SqlAnalysisError("invalid_sql", `${what} must be a string literal`);
  }
}

function isExternFunction(node: SqlBase): node is SqlFunction {
  return node instanceof SqlFunction && node.getEffectiveFunctionName().toLowerCase() === "extern";
}

/** The properties each export storage provider cannot do without (S3ExportStorageProvider and friends). */
const exportProperties: Record<string, string[]> = { s3: ["bucket", "prefix"], google: ["bucket", "prefix"], local: ["exportPath"] };

/** The target of INSERT / REPLACE must be a datasource: unqualified or in the druid schema. */
function ingestTarget(table: SqlBase, operation: string, sql: string, root: SqlBase): string {
  if (!(table instanceof SqlTable)) throw new SqlAnalysisError("invalid_sql", `${operation} needs a table to write to`);
  const schema = table.getNamespaceName() ?? droppedSchema(table, sql, root);
  if (schema !== undefined && schema !== "druid") {
    throw new SqlAnalysisError(
      "invalid_sql",
      `Cannot ${operation} into ${schema}.${table.getName()} because it is not a Druid datasource`,
    );
  }
  return table.getName();
}

/**
 * druid-query-toolkit 1.2.2 drops the schema of an INSERT / REPLACE target (it stores it under the wrong key) but
 * keeps the spacing around the dot, and otherwise prints the query back exactly as written. So the schema is the
 * text that the printed query lacks at the first place it differs from the input; it is read back with the same
 * parser. Anything that does not fit that shape is refused, never guessed.
 */
function droppedSchema(table: SqlTable, sql: string, root: SqlBase): string | undefined {
  const { postTable, postDot } = table.spacing as { postTable?: string; postDot?: string };
  if (postTable === undefined && postDot === undefined) return undefined;
  const printed = root.toString();
  const dropped = sql.length - printed.length;
  const separator = `${postTable ?? ""}.${postDot ?? ""}`;
  for (let at = 0; at <= printed.length && sql.charAt(at - 1) === printed.charAt(at - 1); at += 1) {
    const missing = sql.slice(at, at + dropped);
    if (missing.length > separator.length && missing.endsWith(separator) && sql.slice(at + dropped) === printed.slice(at)) {
      const probe = parseSql(`SELECT * FROM ${missing.slice(0, -separator.length)}.x`);
      const schema = probe instanceof SqlQuery ? probe.getFirstSchema() : undefined;
      if (schema !== undefined) return schema;
    }
  }
  throw new SqlAnalysisError("unsupported_sql", `the schema of the ${table.getName()} target could not be read`);
}

function setStatements(root: SqlQuery | SqlWithQuery): Record<string, unknown> | undefined {
  const statements = root.contextStatements?.values ?? [];
  if (statements.length === 0) return undefined;
  return Object.fromEntries(statements.map((set) => [set.getKeyString(), set.value.value]));
}

/** The SqlBase children of a node, in source order. */
function children(node: SqlBase): SqlBase[] {
  const found: SqlBase[] = [];
  for (const [key, value] of Object.entries(node.valueOf())) {
    if (key === "spacing" || key === "keywords" || key === "parens") continue;
    if (value instanceof SqlBase) found.push(value);
    else if (isSeparatedArray(value)) found.push(...value.values.filter((v): v is SqlBase => v instanceof SqlBase));
  }
  return found;
}

function isSeparatedArray(value: unknown): value is { values: unknown[] } {
  return typeof value === "object" && value !== null && Array.isArray((value as { values?: unknown }).values);
}
