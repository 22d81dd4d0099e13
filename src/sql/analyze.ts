// Druid SQL -> the statement of the contract: what it reads (by resource type), where it writes, which external
// data it reads, and the context keys it SETs. This is Druid's resource collection (SqlResourceCollectorShuttle,
// the AuthorizableOperators, IngestHandler's target); which of these need a permission, under which settings, is the
// Rego policy's call. The walk visits every node of the syntax tree: the switch over node kinds is exhaustive.
import type { Statement } from "../types.js";
import { SqlAnalysisError } from "./errors.js";
import { checkIngest } from "./ingest-checks.js";
import { inputSourceTypes } from "./input-source.js";
import { type Token, lex } from "./lexer.js";
import { parseScript } from "./parser.js";
import type { Arg, Body, Expr, From, Name, Query } from "./syntax.js";

export type Read = NonNullable<Statement["reads"]>[number];

/** A bound `?`, as Druid's SQL API takes it: `{"type": "VARCHAR", "value": "x"}`. */
export interface SqlParameter {
  type: string;
  value: unknown;
}

/** Druid's schemas and the resource type a table in each is authorized as. */
const schemaTypes: Record<string, Read["type"]> = {
  druid: "DATASOURCE",
  view: "VIEW",
  sys: "SYSTEM_TABLE",
  INFORMATION_SCHEMA: "INFORMATION_SCHEMA",
  lookup: "LOOKUP",
};

/** The input-source-specific table functions (druid-semantics.md §1.4). */
const inputSourceFunctions = new Set(["http", "inline", "localfiles", "s3"]);
/** Operators Druid authorizes wherever they are called; valid only as TABLE(...) in FROM. */
const tableOperators = new Set(["extern", "append", ...inputSourceFunctions]);
/** The properties each export storage provider cannot do without (S3ExportStorageProvider and friends). */
const exportProperties: Record<string, string[]> = { s3: ["bucket", "prefix"], google: ["bucket", "prefix"], local: ["exportPath"] };
/** Parameter types Calcite turns into character literals (SqlTypeName.CHAR_TYPES). */
const characterTypes = new Set(["VARCHAR", "CHAR"]);

export function analyzeSql(sql: string, parameters: readonly SqlParameter[] = []): Statement {
  const tokens = lex(sql);
  const placeholders = tokens.reduce((count, token) => count + (token.kind === "param" ? 1 : 0), 0);
  if (placeholders > parameters.length) {
    throw new SqlAnalysisError("invalid_sql", `Parameter at position [${parameters.length}] is not bound`);
  }
  const script = parseScript(tokens);
  const statement = new Walker(tokens, parameters).statement(script.body);
  if (script.set.length > 0) statement.set = Object.fromEntries(script.set.map(({ key, value }) => [key, value])) as NonNullable<Statement["set"]>;
  return statement;
}

type Scope = ReadonlySet<string>;

class Walker {
  private readonly reads = new Map<string, Read>();
  private readonly external = new Set<string>();
  private readonly functions = new Map<string, { name: string; extend: boolean }>();

  constructor(
    private readonly tokens: Token[],
    private readonly parameters: readonly SqlParameter[],
  ) {}

  statement(body: Body): Statement {
    const statement: Statement = { type: "SELECT" };
    const none: Scope = new Set();
    if (body.kind === "query") {
      this.query(body.query, none);
    } else {
      if (body.target.kind === "extern") {
        if (body.kind === "replace") {
          throw new SqlAnalysisError("invalid_sql", "REPLACE operations do no support EXTERN destinations. Use INSERT statements to write to an external destination.");
        }
        statement.type = "EXPORT";
        Object.assign(statement, exportTarget(body.target.destination, body.target.properties));
      } else {
        statement.type = body.kind === "insert" ? "INSERT" : "REPLACE";
        statement.target = ingestTarget(body.target.name, statement.type);
        checkIngest(body, statement.type, statement.target, this.tokens);
      }
      if (typeof body.overwrite === "object") this.expr(body.overwrite, none);
      this.query(body.query, none);
      // Druid rewrites CLUSTERED BY into the query's ORDER BY before validation: its subqueries are read too.
      for (const expr of body.clusteredBy) this.expr(expr, none);
    }
    if (this.reads.size > 0) statement.reads = [...this.reads.values()];
    if (this.external.size > 0) statement.external = [...this.external];
    if (this.functions.size > 0) statement.tableFunctions = [...this.functions.values()];
    return statement;
  }

  /** A query and everything under it; `ctes` are the WITH names in scope, which are not datasources. */
  private query(query: Query, ctes: Scope): void {
    switch (query.kind) {
      case "select":
        if (query.from) this.from(query.from, ctes);
        for (const expr of [...query.items, ...query.clauses]) this.expr(expr, ctes);
        return;
      case "values":
        for (const row of query.rows) this.expr(row, ctes);
        return;
      case "explicitTable":
        return this.table(query.name, ctes);
      case "setOperation":
        for (const operand of query.operands) this.query(operand, ctes);
        return;
      case "with": {
        const scope = new Set(ctes);
        for (const item of query.items) {
          this.query(item.query, scope); // a WITH item sees the items before it
          scope.add(item.name);
        }
        return this.query(query.body, scope);
      }
      case "ordered":
        this.query(query.query, ctes);
        for (const expr of query.orderBy) this.expr(expr, ctes);
        return;
      default:
        return unknownNode(query);
    }
  }

  private from(item: From, ctes: Scope): void {
    switch (item.kind) {
      case "table":
        return this.table(item.name, ctes);
      case "subquery":
        return this.query(item.query, ctes);
      case "tableFunction":
        return this.tableFunction(item.call.name, item.call.args, item.extend, ctes);
      case "unnest":
        for (const arg of item.args) this.expr(arg, ctes);
        return;
      case "join":
        for (const joined of item.items) this.from(joined, ctes);
        for (const condition of item.conditions) this.expr(condition, ctes);
        return;
      default:
        return unknownNode(item);
    }
  }

  private expr(expr: Expr, ctes: Scope): void {
    for (const node of expr.nodes) {
      switch (node.kind) {
        case "subquery":
          this.query(node.query, ctes);
          break;
        case "call":
          this.call(node.name, node.args, ctes);
          break;
        case "group":
          for (const item of node.items) this.expr(item, ctes);
          break;
        default:
          unknownNode(node);
      }
    }
  }

  /** Unqualified names are datasources unless a WITH item of that name is in scope; a schema names the type. */
  private table(name: Name, ctes: Scope): void {
    const [first, second] = name.parts as [string, string | undefined];
    if (name.parts.length > 2) throw this.error("unsupported_sql", name.token, `table names of more than two parts (${name.parts.join(".")})`);
    if (second === undefined) {
      if (!ctes.has(first)) this.read("DATASOURCE", first);
      return;
    }
    const type = schemaTypes[first];
    if (!type) throw this.error("invalid_sql", name.token, `Object '${first}' not found (no such schema)`);
    this.read(type, second);
  }

  /** Druid authorizes these calls wherever they stand (AuthorizableOperator, and LOOKUP by its second operand). */
  private call(name: Name, args: Arg[], ctes: Scope): void {
    const last = (name.parts.at(-1) as string).toUpperCase();
    if (name.parts.length === 1 && last === "LOOKUP") this.lookup(name, args);
    else if (tableOperators.has(last.toLowerCase())) {
      throw this.error("unsupported_sql", name.token, `${name.parts.join(".")}(...) outside TABLE(...) in FROM`);
    }
    for (const arg of args) this.expr(arg.value, ctes);
  }

  /**
   * LOOKUP(expr, 'name'): Druid names the resource by its second operand's SQL text with the outer quotes cut off
   * (SqlResourceCollectorShuttle), which is the name itself only for a plain printable-ASCII literal.
   */
  private lookup(name: Name, args: Arg[]): void {
    if (args.length < 2) throw this.error("invalid_sql", name.token, "Invalid number of arguments to function 'LOOKUP'");
    const lookup = args[1] as Arg;
    const value = lookup.name === undefined ? this.sqlText(lookup.value) : undefined;
    if (value === undefined) {
      throw this.error("unsupported_sql", name.token, "a LOOKUP name that is not a plain printable-ASCII string literal: Druid names the resource by the argument's SQL text");
    }
    this.read("LOOKUP", value.replaceAll("'", "''"));
  }

  private tableFunction(name: Name, args: Arg[], extend: boolean, ctes: Scope): void {
    const fn = (name.parts.at(-1) as string).toLowerCase();
    if (name.parts.length !== 1 || !tableOperators.has(fn)) {
      throw this.error("unsupported_sql", name.token, `the table function ${name.parts.join(".")}(...)`);
    }
    for (const arg of args) this.expr(arg.value, ctes);
    if (fn === "extern") {
      for (const type of inputSourceTypes(this.externInputSource(name, args))) this.external.add(type);
    } else if (fn === "append") {
      // TableAppendMacro.computeResources names each READ by operand.toString(): Calcite prints a string literal
      // with its quotes, so Druid checks READ on DATASOURCE 'foo' (quotes included), not foo.
      if (args.length === 0) throw this.error("invalid_sql", name.token, "No match found for function signature APPEND()");
      args.forEach((arg, index) => {
        const table = arg.name === undefined ? this.sqlText(arg.value) : undefined;
        if (table !== undefined) return this.read("DATASOURCE", `'${table.replaceAll("'", "''")}'`);
        const notString = arg.value.end - arg.value.start === 1 && ["number", "word"].includes(this.tokens[arg.value.start]?.kind ?? "");
        throw notString
          ? this.error("invalid_sql", name.token, `All arguments to APPEND should be literal strings. Argument #${index + 1} is not string`)
          : this.error("unsupported_sql", name.token, "APPEND arguments that are not plain printable-ASCII string literals: Druid names each table by its SQL text");
      });
    } else {
      this.functions.set(`${fn}:${String(extend)}`, { name: fn, extend });
    }
  }

  /**
   * The input source JSON, found as DruidExternTableMacro finds it: the first argument when it is a literal;
   * with named arguments, Druid reads the first argument's value whenever one is named inputSource, so anything
   * but inputSource first is refused.
   */
  private externInputSource(name: Name, args: Arg[]): string {
    const first = args[0];
    const named = args.some((arg) => arg.name === "inputSource");
    if (first !== undefined && (first.name === undefined || (named && first.name === "inputSource"))) {
      const value = this.stringValue(first.value);
      if (value !== undefined) return value;
    }
    const why = named ? "name inputSource first, as a string literal" : "pass the input source as a string literal";
    throw this.error("unsupported_sql", name.token, `this EXTERN call: Druid reads its first argument as the input source; ${why}`);
  }

  /** A string literal's value (one fragment, or a bound VARCHAR), as a table macro receives it. */
  private stringValue(expr: Expr): string | undefined {
    const { literal } = expr;
    if (literal?.kind === "param") {
      const bound = this.parameters[literal.ordinal];
      return bound && characterTypes.has(bound.type) && typeof bound.value === "string" ? bound.value : undefined;
    }
    if (literal?.kind !== "string" || literal.continued || literal.form === "charset") return undefined;
    return literal.value;
  }

  /** A literal whose SQL text Druid prints as '<value>': printable ASCII in a plain literal or a bound VARCHAR. */
  private sqlText(expr: Expr): string | undefined {
    const isPlain = expr.literal?.kind === "param" || (expr.literal?.kind === "string" && expr.literal.form === "plain");
    const value = isPlain ? this.stringValue(expr) : undefined;
    return value !== undefined && /^[\x20-\x7e]*$/u.test(value) ? value : undefined;
  }

  private read(type: Read["type"], name: string): void {
    this.reads.set(`${type}\n${name}`, { type, name });
  }

  private error(code: "invalid_sql" | "unsupported_sql", token: Token, message: string): SqlAnalysisError {
    const text = code === "unsupported_sql" ? `msq-authz does not read ${message}` : message;
    return new SqlAnalysisError(code, `line ${token.line}, column ${token.column}: ${text}`);
  }
}

function unknownNode(node: never): never {
  throw new SqlAnalysisError("unsupported_sql", `msq-authz does not read a ${(node as { kind: string }).kind} node`);
}

/** The target of INSERT / REPLACE must be a datasource: unqualified or in the druid schema. */
function ingestTarget(name: Name, operation: string): string {
  const [first, second] = name.parts as [string, string | undefined];
  if (name.parts.length > 2) throw new SqlAnalysisError("unsupported_sql", `msq-authz does not read ${operation} targets of more than two parts (${name.parts.join(".")})`);
  if (second === undefined) return first;
  if (first !== "druid") {
    throw new SqlAnalysisError("invalid_sql", `Cannot ${operation} into ${first}.${second} because it is not a Druid datasource`);
  }
  return second;
}

/** INSERT INTO EXTERN(s3(...)): the destination type as written (LOCAL is "local"); its properties say where. */
function exportTarget(destination: string, properties: Record<string, string>): Pick<Statement, "exportDestination" | "exportProperties"> {
  const absent = (exportProperties[destination] ?? []).find((property) => properties[property] === undefined);
  if (absent) throw new SqlAnalysisError("invalid_sql", `Missing required creator property '${absent}' for ${destination}(...)`);
  return { exportDestination: destination, ...(Object.keys(properties).length > 0 ? { exportProperties: properties } : {}) };
}
