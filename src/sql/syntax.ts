// The syntax tree the parser builds and the resource walker visits. It keeps every construct that can name a
// resource (table references, table functions, function calls, subqueries at any depth) and the token ranges of
// the rest, which name none; a construct the parser does not know never reaches it.
import type { StringForm, Token } from "./lexer.js";

/** A possibly qualified name: `wiki`, `druid.wiki`, `"view"."v"`. */
export interface Name {
  parts: string[];
  token: Token;
}

/** An expression: the resource-bearing nodes found in it, and its tokens [start, end) for the checks that read them. */
export interface Expr {
  nodes: ExprNode[];
  start: number;
  end: number;
  /** Set when the expression is one literal or one `?`: the values table functions and LOOKUP are named by. */
  literal?: Literal;
}

export type Literal =
  | { kind: "string"; value: string; form: StringForm; continued: boolean }
  | { kind: "param"; ordinal: number };

export type ExprNode =
  | { kind: "subquery"; query: Query }
  | { kind: "call"; name: Name; args: Arg[] }
  | { kind: "group"; items: Expr[] };

export interface Arg {
  name?: string;
  value: Expr;
}

export type Query =
  | { kind: "select"; items: Expr[]; from?: From; clauses: Expr[] }
  | { kind: "values"; rows: Expr[] }
  | { kind: "explicitTable"; name: Name }
  | { kind: "setOperation"; operands: Query[] }
  | { kind: "with"; items: { name: string; query: Query }[]; body: Query }
  | { kind: "ordered"; query: Query; orderBy: Expr[] };

export type From =
  | { kind: "table"; name: Name }
  | { kind: "subquery"; query: Query }
  | { kind: "tableFunction"; call: { name: Name; args: Arg[] }; extend: boolean }
  | { kind: "unnest"; args: Expr[] }
  | { kind: "join"; items: From[]; conditions: Expr[] };

export type IngestTarget =
  | { kind: "table"; name: Name; columns: boolean }
  | { kind: "extern"; destination: string; properties: Record<string, string> };

export type Body =
  | { kind: "query"; query: Query }
  | {
      kind: "insert" | "replace";
      target: IngestTarget;
      /** AS <format>: what an export writes. */
      format?: string;
      /** REPLACE ... OVERWRITE ALL | OVERWRITE WHERE <condition>; absent when the clause is missing or bare. */
      overwrite?: "all" | Expr;
      query: Query;
      partitionedBy?: Expr;
      clusteredBy: Expr[];
    };

export interface Script {
  /** SET key = value; statements before the statement, in order. */
  set: { key: string; value: unknown }[];
  body: Body;
}
