// Druid SQL's statement, query and FROM structure, parsed from the lexer's tokens into the syntax tree of
// syntax.ts. Expressions are read as balanced token runs in which every subquery, function call and parenthesized
// group is a node: what an expression can name sits in those nodes, and where an expression ends is decided by the
// clause words Calcite reserves. A construct outside this grammar is `unsupported_sql`, never a guess; a construct
// Calcite certainly refuses is `invalid_sql`. Positions in messages are Calcite's: line and column.
import { SqlAnalysisError, type SqlErrorCode } from "./errors.js";
import type { Token } from "./lexer.js";
import { reservedWords } from "./reserved-words.js";
import type { Arg, Body, Expr, ExprNode, From, IngestTarget, Literal, Name, Query, Script } from "./syntax.js";

/** Where an expression stands: a select item may end in an alias, an ordering item in ASC/DESC. */
type Role = "plain" | "item" | "order";

/** What an expression has found so far. */
interface Found {
  nodes: ExprNode[];
  units: number;
  literal?: Literal;
}

/** Calcite's default identifierMaxLength, which Druid keeps. */
const IDENTIFIER_MAX_LENGTH = 128;
/** Nesting beyond this (parentheses, subqueries, calls) is refused rather than recursed into. */
const MAX_NESTING = 200;

const setOperators = new Set(["UNION", "INTERSECT", "EXCEPT", "MINUS"]);
/** Words that end an expression in a clause, at the expression's own parenthesis depth. */
const clauseWords = new Set([
  "FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "QUALIFY", "ORDER", "LIMIT", "OFFSET", "FETCH",
  "UNION", "INTERSECT", "EXCEPT", "MINUS", "PARTITIONED", "CLUSTERED",
]);
const joinWords = new Set(["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER"]);
const onEnds = new Set([...clauseWords, ...joinWords]);
const queryStarts = new Set(["SELECT", "WITH", "VALUES", "TABLE"]);
const overwriteEnds = new Set([...clauseWords, ...queryStarts]);
const partitionEnds = new Set(["CLUSTERED"]);
const noEnds: ReadonlySet<string> = new Set();
/** Words that cannot stand inside an expression: a query starts only after `(`. */
const notInExpressions = new Set(["SELECT", "VALUES", "TABLE"]);
const orderEnds = new Set(["LIMIT", "OFFSET", "FETCH", "PARTITIONED", "CLUSTERED"]);
const caseWords = new Set(["WHEN", "THEN", "ELSE", "END"]);
const windowWords = new Set(["ORDER", "ROWS", "RANGE", "ALLOW", "DISALLOW"]);
const frameWords = new Set(["PRECEDING", "FOLLOWING"]);
const infixSymbols = new Set(["+", "-", "*", "/", "%", "||", "=", "<>", "!=", "<", ">", "<=", ">=", "."]);
/** Operators NOT can negate: x NOT IN (...), x NOT LIKE y, ... */
const negatable = new Set(["IN", "LIKE", "ILIKE", "RLIKE", "BETWEEN", "SIMILAR"]);
/** Reserved words that are operands by themselves. */
const niladicWords = new Set([
  "NULL", "TRUE", "FALSE", "UNKNOWN", "DEFAULT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME",
  "LOCALTIMESTAMP", "CURRENT_USER", "USER", "SESSION_USER", "SYSTEM_USER", "CURRENT_ROLE", "CURRENT_CATALOG",
  "CURRENT_SCHEMA", "CURRENT_PATH",
]);
const intervalUnits = new Set([
  "YEAR", "YEARS", "QUARTER", "QUARTERS", "MONTH", "MONTHS", "WEEK", "WEEKS", "DAY", "DAYS", "HOUR", "HOURS",
  "MINUTE", "MINUTES", "SECOND", "SECONDS", "MILLISECOND", "MICROSECOND", "NANOSECOND",
]);
/** Functions whose arguments hold keywords (CAST(x AS t), EXTRACT(DAY FROM x), JSON_VALUE(... RETURNING t), ...). */
const relaxedFunctions = new Set([
  "CAST", "TRY_CAST", "SAFE_CAST", "EXTRACT", "DATE_PART", "POSITION", "SUBSTRING", "TRIM", "OVERLAY", "CONVERT",
  "TRANSLATE", "FLOOR", "CEIL", "CEILING", "TIMESTAMPADD", "TIMESTAMPDIFF", "TIMESTAMP_ADD", "TIMESTAMP_DIFF",
  "JSON_VALUE", "JSON_QUERY", "JSON_EXISTS", "JSON_OBJECT", "JSON_OBJECTAGG", "JSON_ARRAY", "JSON_ARRAYAGG",
  "ARRAY_AGG", "ARRAY_CONCAT_AGG", "STRING_AGG", "LISTAGG", "GROUP_CONCAT", "PERCENTILE_CONT", "PERCENTILE_DISC",
]);
const otherStatements = new Set(["CREATE", "DROP", "ALTER", "TRUNCATE", "DESCRIBE", "RESET", "CALL", "SET"]);

export function parseScript(tokens: Token[]): Script {
  return new Parser(tokens).script();
}

class Parser {
  private at = 0;
  private depth = 0;
  /** The dotted name chain callFollows last scanned: its first token, the token after it, and whether `(` follows. */
  private chain = { from: -1, end: -1, call: false };
  /** Each `?` token's ordinal: Calcite numbers dynamic parameters in the order it reads them. */
  private readonly ordinals = new Map<number, number>();

  constructor(private readonly tokens: Token[]) {
    tokens.forEach((token, index) => {
      if (token.kind === "param") this.ordinals.set(index, this.ordinals.size);
    });
  }

  /** SET statements, then one statement (Druid's DruidSqlParser.processStatementList). */
  script(): Script {
    const set: Script["set"] = [];
    while (this.isWord("SET")) {
      set.push(this.setStatement());
      if (!this.acceptSymbol(";")) break;
      while (this.acceptSymbol(";"));
    }
    if (set.length > 0 && this.peek().kind === "eof") {
      throw this.fail("invalid_sql", this.peek(), "Statement list is missing a non-SET statement to execute");
    }
    this.explainPrefix();
    const body = this.body();
    this.end(body.kind !== "query");
    return { set, body };
  }

  /** `SET key = literal`: Druid takes only literals, converted as SqlLiteral values become context values. */
  private setStatement(): Script["set"][number] {
    this.expectWord("SET");
    const name = this.compoundName();
    if (name.parts.length !== 1) throw this.unsupported(name.token, "SET of a compound name");
    this.expectSymbol("=");
    return { key: name.parts[0] as string, value: this.setValue() };
  }

  private setValue(): unknown {
    const token = this.peek();
    const sign = token.kind === "symbol" && (token.text === "-" || token.text === "+") ? token.text : "";
    if (sign) this.at += 1;
    const value = this.next();
    if (value.kind === "number") return contextNumber(sign + value.text);
    if (sign) throw this.unexpected(value, "a number");
    if (value.kind === "string") return this.continuedString(value).value;
    if (value.kind === "word") {
      if (value.upper === "TRUE" || value.upper === "FALSE") return value.upper === "TRUE";
      if (value.upper === "NULL" || value.upper === "UNKNOWN") return null;
      if (["DATE", "TIME", "TIMESTAMP", "INTERVAL"].includes(value.upper)) {
        throw this.unsupported(value, `SET with a ${value.upper} value`);
      }
    }
    if (value.kind === "binary") throw this.fail("invalid_sql", value, "Unsupported type for SET[BINARY]");
    throw this.fail("invalid_sql", value, "Assigned value must be a literal for SET statement");
  }

  /** EXPLAIN PLAN [detail] [depth] [AS XML | AS JSON] FOR: authorized like the statement it explains. */
  private explainPrefix(): void {
    if (!this.acceptWord("EXPLAIN")) return;
    this.expectWord("PLAN");
    if (this.acceptWord("EXCLUDING")) {
      this.expectWord("ATTRIBUTES");
    } else if (this.acceptWord("INCLUDING")) {
      this.acceptWord("ALL");
      this.expectWord("ATTRIBUTES");
    }
    if (this.acceptWord("WITH")) {
      if (!this.acceptWord("TYPE")) this.expectWord("IMPLEMENTATION");
    } else if (this.acceptWord("WITHOUT")) {
      this.expectWord("IMPLEMENTATION");
    }
    if (this.acceptWord("AS") && !this.acceptWord("XML")) this.expectWord("JSON");
    this.expectWord("FOR");
  }

  private body(): Body {
    const token = this.peek();
    if (this.isWord("INSERT") || this.isWord("REPLACE")) return this.ingest();
    if (this.isWord("UPSERT")) throw this.fail("invalid_sql", token, "UPSERT is not supported.");
    if (token.kind === "word" && ["DELETE", "UPDATE", "MERGE"].includes(token.upper)) {
      throw this.unsupported(token, `${token.upper} statements`);
    }
    if (token.kind === "word" && otherStatements.has(token.upper)) throw this.unsupported(token, `${token.upper} statements`);
    if (!this.startsQuery()) throw this.unexpected(token);
    return { kind: "query", query: this.orderedQuery() };
  }

  /** INSERT | REPLACE INTO target [(columns)] [AS format] [OVERWRITE ...] query [PARTITIONED BY g] [CLUSTERED BY ...] */
  private ingest(): Body {
    const kind = this.next().upper === "INSERT" ? "insert" : "replace";
    this.expectWord("INTO");
    const target = this.ingestTarget();
    const format = this.acceptWord("AS") ? this.identifier() : undefined;
    let overwrite: "all" | Expr | undefined;
    if (this.isWord("OVERWRITE")) {
      const word = this.next();
      if (kind === "insert") {
        throw this.fail("invalid_sql", word, "An OVERWRITE clause is not allowed with INSERT statements. Use REPLACE statements if overwriting existing segments is required or remove the OVERWRITE clause.");
      }
      if (this.acceptWord("ALL")) overwrite = "all";
      else if (this.acceptWord("WHERE")) overwrite = this.expression(overwriteEnds, false);
    }
    if (!this.startsQuery()) throw this.unexpected(this.peek());
    const query = this.orderedQuery();
    let partitionedBy: Expr | undefined;
    if (this.acceptWords("PARTITIONED", "BY")) partitionedBy = this.partitionGranularity();
    const clusteredBy: Expr[] = [];
    if (this.isWord("CLUSTERED")) {
      const clustered = this.next();
      if (!partitionedBy) {
        throw this.fail("invalid_sql", clustered, "CLUSTERED BY found before PARTITIONED BY, CLUSTERED BY must come after the PARTITIONED BY clause");
      }
      this.expectWord("BY");
      clusteredBy.push(...this.list(() => this.expression(noEnds, true, "order")));
    }
    return {
      kind,
      target,
      ...(format === undefined ? {} : { format }),
      ...(overwrite ? { overwrite } : {}),
      query,
      ...(partitionedBy ? { partitionedBy } : {}),
      clusteredBy,
    };
  }

  /** HOUR | DAY | MONTH | YEAR | ALL [TIME] | <expression>: the keywords, or an expression Druid converts. */
  private partitionGranularity(): Expr {
    const start = this.at;
    if (["HOUR", "DAY", "MONTH", "YEAR"].some((word) => this.acceptWord(word))) return { nodes: [], start, end: this.at };
    if (this.acceptWord("ALL")) {
      this.acceptWord("TIME");
      return { nodes: [], start, end: this.at };
    }
    return this.expression(partitionEnds, false);
  }

  private ingestTarget(): IngestTarget {
    if (this.isWord("EXTERN") && this.isSymbol("(", 1)) {
      this.at += 2;
      const destination = this.externalDestination();
      this.expectSymbol(")");
      return { kind: "extern", ...destination };
    }
    const name = this.compoundName();
    this.hints();
    if (this.acceptWord("EXTEND")) this.skipGroup();
    // A column list, unless the `(` opens the query itself.
    const columns = this.isSymbol("(") && this.isIdentifier(this.peek(1));
    if (columns) this.skipGroup();
    return { kind: "table", name, columns };
  }

  /** s3(bucket => 'b', prefix => 'p') | google(...) | LOCAL(exportPath => '...'): values are plain string literals. */
  private externalDestination(): { destination: string; properties: Record<string, string> } {
    const destination = this.acceptWord("LOCAL") ? "local" : this.identifier();
    const properties: Record<string, string> = {};
    if (this.acceptSymbol("(")) {
      if (!this.isSymbol(")")) {
        do {
          const key = this.identifier();
          this.expectSymbol("=>");
          const value = this.next();
          if (value.kind !== "string" || value.form !== "plain") throw this.unexpected(value, "a string literal");
          properties[key] = value.value;
        } while (this.acceptSymbol(","));
      }
      this.expectSymbol(")");
    }
    return { destination, properties };
  }

  private startsQuery(): boolean {
    const token = this.peek();
    return (token.kind === "word" && queryStarts.has(token.upper)) || this.isSymbol("(");
  }

  /** [WITH ...] query-expression [ORDER BY ...] [LIMIT ...] [OFFSET ...] [FETCH ...] */
  private orderedQuery(): Query {
    return this.nested(() => {
      let query: Query;
      if (this.acceptWord("WITH")) {
        if (this.isWord("RECURSIVE")) throw this.unsupported(this.peek(), "WITH RECURSIVE");
        const items = this.list(() => {
          const name = this.identifier();
          if (this.isSymbol("(")) this.skipGroup();
          this.expectWord("AS");
          this.expectSymbol("(");
          const item = this.orderedQuery();
          this.expectSymbol(")");
          return { name, query: item };
        });
        query = { kind: "with", items, body: this.orderedQuery() };
      } else {
        query = this.queryExpression();
      }
      const orderBy = this.acceptWords("ORDER", "BY") ? this.list(() => this.expression(orderEnds, true, "order")) : [];
      this.limits();
      return orderBy.length > 0 ? { kind: "ordered", query, orderBy } : query;
    });
  }

  /** LIMIT n | LIMIT start, count | OFFSET n [ROW|ROWS] | FETCH FIRST|NEXT n ROW|ROWS ONLY: numbers or parameters. */
  private limits(): void {
    const count = (): void => {
      const token = this.next();
      if (token.kind !== "number" && token.kind !== "param") throw this.unexpected(token, "a number");
    };
    for (;;) {
      if (this.acceptWord("LIMIT")) {
        if (!this.acceptWord("ALL")) {
          count();
          if (this.acceptSymbol(",") && !this.acceptWord("ALL")) count();
        }
      } else if (this.acceptWord("OFFSET")) {
        count();
        if (!this.acceptWord("ROW")) this.acceptWord("ROWS");
      } else if (this.acceptWord("FETCH")) {
        if (!this.acceptWord("FIRST")) this.expectWord("NEXT");
        count();
        if (!this.acceptWord("ROW")) this.expectWord("ROWS");
        this.expectWord("ONLY");
      } else {
        return;
      }
    }
  }

  private queryExpression(): Query {
    const operands = [this.queryTerm()];
    while (this.peek().kind === "word" && setOperators.has(this.peek().upper)) {
      this.at += 1;
      if (!this.acceptWord("ALL")) this.acceptWord("DISTINCT");
      operands.push(this.queryTerm());
    }
    return operands.length === 1 ? (operands[0] as Query) : { kind: "setOperation", operands };
  }

  private queryTerm(): Query {
    if (this.acceptSymbol("(")) {
      const query = this.orderedQuery();
      this.expectSymbol(")");
      return query;
    }
    const token = this.peek();
    if (token.kind === "word" && token.upper === "SELECT") return this.select();
    if (this.acceptWord("VALUES")) return { kind: "values", rows: this.list(() => this.expression(clauseWords, true)) };
    if (this.acceptWord("TABLE")) return { kind: "explicitTable", name: this.compoundName() };
    if (token.kind === "word" && token.upper === "WITH") return this.orderedQuery();
    throw this.unexpected(token);
  }

  private select(): Query {
    this.expectWord("SELECT");
    this.hints();
    if (this.isWord("STREAM")) throw this.unsupported(this.peek(), "SELECT STREAM");
    if (!this.acceptWord("DISTINCT")) this.acceptWord("ALL");
    const items = this.list(() => this.expression(clauseWords, true, "item"));
    const from = this.acceptWord("FROM") ? this.fromClause() : undefined;
    const clauses: Expr[] = [];
    if (this.acceptWord("WHERE")) clauses.push(this.expression(clauseWords, false));
    if (this.acceptWords("GROUP", "BY")) {
      if (!this.acceptWord("ALL")) this.acceptWord("DISTINCT");
      clauses.push(...this.list(() => this.expression(clauseWords, true)));
    }
    if (this.acceptWord("HAVING")) clauses.push(this.expression(clauseWords, false));
    if (this.acceptWord("WINDOW")) {
      clauses.push(
        ...this.list(() => {
          this.identifier();
          this.expectWord("AS");
          const start = this.at;
          this.windowSpecification();
          return { nodes: [], start, end: this.at };
        }),
      );
    }
    if (this.acceptWord("QUALIFY")) clauses.push(this.expression(clauseWords, false));
    return { kind: "select", items, ...(from ? { from } : {}), clauses };
  }

  /**
   * FROM's table references joined by commas or JOIN, each join with its ON condition or USING columns; `first`,
   * when given, is its first item, already read.
   */
  private fromClause(first?: From): From {
    const items: From[] = [first ?? this.tableReference()];
    const conditions: Expr[] = [];
    for (;;) {
      if (this.acceptSymbol(",")) {
        items.push(this.tableReference());
        continue;
      }
      const token = this.peek();
      if (token.kind !== "word" || !joinWords.has(token.upper)) break;
      if ((token.upper === "CROSS" || token.upper === "OUTER") && this.isWord("APPLY", 1)) {
        throw this.unsupported(token, `${token.upper} APPLY`);
      }
      this.acceptWord("NATURAL");
      if (this.acceptWord("LEFT") || this.acceptWord("RIGHT") || this.acceptWord("FULL")) this.acceptWord("OUTER");
      else if (!this.acceptWord("INNER")) this.acceptWord("CROSS");
      this.expectWord("JOIN");
      items.push(this.tableReference());
      if (this.acceptWord("ON")) conditions.push(this.expression(onEnds, true));
      else if (this.acceptWord("USING")) this.skipGroup();
    }
    return items.length === 1 ? (items[0] as From) : { kind: "join", items, conditions };
  }

  private tableReference(): From {
    return this.nested(() => {
      const lateral = this.acceptWord("LATERAL");
      const token = this.peek();
      let item: From;
      if (this.isSymbol("(")) {
        item = this.parenthesizedFrom();
      } else if (this.isWord("TABLE") && this.isSymbol("(", 1)) {
        item = this.tableFunction();
      } else if (lateral) {
        throw this.unexpected(token);
      } else if (this.acceptWord("UNNEST")) {
        item = { kind: "unnest", args: this.parenthesizedList() };
        if (this.acceptWord("WITH")) this.expectWord("ORDINALITY");
      } else if (this.isIdentifier(token)) {
        const name = this.compoundName();
        this.hints();
        if (this.isSymbol("(")) throw this.unsupported(this.peek(), "a table called with parameters (catalog table functions)");
        item = { kind: "table", name };
      } else {
        throw this.unexpected(token);
      }
      return this.referenceTail(item);
    });
  }

  /** What may follow a FROM item: its alias and column aliases; PIVOT, MATCH_RECOGNIZE, FOR and TABLESAMPLE are refused. */
  private referenceTail(item: From): From {
    const next = this.peek();
    const pivot = (next.upper === "PIVOT" || next.upper === "UNPIVOT") && this.isSymbol("(", 1);
    if (next.kind === "word" && (pivot || next.upper === "MATCH_RECOGNIZE" || next.upper === "FOR")) {
      throw this.unsupported(next, next.upper);
    }
    if (this.acceptWord("AS") || this.isIdentifier(this.peek())) {
      this.identifier();
      if (this.isSymbol("(")) this.skipGroup();
    }
    if (this.isWord("TABLESAMPLE")) throw this.unsupported(this.peek(), "TABLESAMPLE");
    return item;
  }

  /**
   * `(` in FROM opens a subquery or a parenthesized join. A query keyword after it decides; a further `(` is
   * decided by what follows its own close: a set operator, ORDER, LIMIT or `)` continue a query, anything else a join.
   */
  private parenthesizedFrom(): From {
    this.expectSymbol("(");
    const first = this.peek();
    if (first.kind === "word" && queryStarts.has(first.upper)) {
      const query = this.orderedQuery();
      this.expectSymbol(")");
      return { kind: "subquery", query };
    }
    if (this.isSymbol("(")) {
      const start = this.at;
      const inner = this.nested(() => this.parenthesizedFrom());
      const next = this.peek();
      const continuesQuery = next.kind === "word" && (setOperators.has(next.upper) || ["ORDER", "LIMIT", "OFFSET", "FETCH"].includes(next.upper));
      if (inner.kind === "subquery" && (continuesQuery || this.isSymbol(")"))) {
        this.at = start;
        const query = this.orderedQuery();
        this.expectSymbol(")");
        return { kind: "subquery", query };
      }
      // A join (or one item) in parentheses: what was read is its first item, as tableReference would read it again.
      // Reading it again instead doubled the work at each level of parentheses.
      const join = this.fromClause(this.referenceTail(inner));
      this.expectSymbol(")");
      return join;
    }
    const join = this.fromClause();
    this.expectSymbol(")");
    return join;
  }

  /** TABLE([SPECIFIC] name(args)) [[EXTEND] (name type, ...)]: Druid's FROM grammar puts the columns before any alias. */
  private tableFunction(): From {
    this.expectWord("TABLE");
    this.expectSymbol("(");
    this.acceptWord("SPECIFIC");
    const name = this.compoundName();
    if (!this.isSymbol("(")) throw this.unexpected(this.peek(), "'('");
    const args = this.arguments();
    this.expectSymbol(")");
    const extend = this.acceptWord("EXTEND") || this.isSymbol("(");
    if (extend) this.skipGroup();
    return { kind: "tableFunction", call: { name, args }, extend };
  }

  /**
   * An expression up to the first of `ends` (clause words) at its own depth, or a comma when `atComma`; `)`, `]`,
   * `;` and the end of input always end it. Operands and operators must alternate, as in Calcite's expression
   * grammar; a select item may end in an alias and an ordering item in ASC/DESC [NULLS FIRST|LAST].
   */
  private expression(ends: ReadonlySet<string>, atComma: boolean, role: Role = "plain"): Expr {
    const start = this.at;
    const found: Found = { nodes: [], units: 0 };
    let operand = true;
    let closed = false;
    for (;;) {
      const token = this.peek();
      if (this.endsExpression(token, ends, atComma)) break;
      if (closed) throw this.misplaced(token);
      if (operand) {
        this.operand(found);
        operand = false;
        continue;
      }
      const after = this.operator(role);
      if (after === "operand") operand = true;
      else if (after === "closed") closed = true;
      found.units += 1;
    }
    // Where an expression ends, an operand still missing (`a +`, or nothing at all) is an error in any grammar.
    if (this.at === start || operand) {
      const token = this.peek();
      throw this.fail("invalid_sql", token, `an expression is incomplete before [${token.text || "the end"}]`);
    }
    return { nodes: found.nodes, start, end: this.at, ...(found.units === 1 && found.literal ? { literal: found.literal } : {}) };
  }

  private endsExpression(token: Token, ends: ReadonlySet<string>, atComma: boolean): boolean {
    if (token.kind === "eof") return true;
    if (token.kind === "symbol") return token.text === ")" || token.text === "]" || token.text === ";" || (token.text === "," && atComma);
    return token.kind === "word" && ends.has(token.upper);
  }

  /** One operand with its prefix operators: a literal, a name, a call, a subquery or group, CASE, a typed literal. */
  private operand(found: Found): void {
    while (this.isSymbol("-") || this.isSymbol("+") || this.isWord("NOT")) this.at += 1;
    const token = this.peek();
    found.units += 1;
    switch (token.kind) {
      case "string": {
        const { value, continued } = this.continuedString(this.next());
        found.literal = { kind: "string", value, form: token.form ?? "plain", continued };
        return;
      }
      case "param":
        found.literal = { kind: "param", ordinal: this.ordinals.get(this.at) ?? 0 };
        this.at += 1;
        return;
      case "number":
      case "binary":
        this.at += 1;
        return;
      case "symbol":
        if (token.text === "(") found.nodes.push(this.group());
        else if (token.text === "*") this.at += 1;
        else throw this.misplaced(token);
        return;
      case "quoted":
      case "unicodeQuoted":
        this.nameOrCall(found);
        return;
      case "word":
        return this.wordOperand(token, found);
      case "brace":
        throw this.unsupported(token, "JDBC escape braces");
      default:
        throw this.misplaced(token);
    }
  }

  private wordOperand(token: Token, found: Found): void {
    const word = token.upper;
    if (this.callFollows()) return this.nameOrCall(found);
    if (word === "CASE") return this.caseExpression(found);
    if (word === "INTERVAL") return this.interval();
    if ((word === "ARRAY" || word === "MAP" || word === "MULTISET") && this.isSymbol("[", 1)) {
      this.at += 1;
      found.nodes.push(this.bracket());
      return;
    }
    if ((word === "DATE" || word === "TIME" || word === "TIMESTAMP") && this.typedLiteral()) return;
    if (!reservedWords.has(word) || niladicWords.has(word)) return this.nameOrCall(found);
    if (notInExpressions.has(word)) throw this.unsupported(token, `${word} inside an expression`);
    throw this.reserved(token);
  }

  /** DATE '...', TIME '...', TIMESTAMP '...' (also WITH [LOCAL] TIME ZONE): the keyword and its string. */
  private typedLiteral(): boolean {
    let ahead = 1;
    if (this.isWord("WITH", ahead)) {
      ahead += 1;
      if (this.isWord("LOCAL", ahead)) ahead += 1;
      if (!this.isWord("TIME", ahead) || !this.isWord("ZONE", ahead + 1)) return false;
      ahead += 2;
    }
    if (this.peek(ahead).kind !== "string") return false;
    this.at += ahead;
    this.continuedString(this.next());
    return true;
  }

  /** INTERVAL [+|-] '...' unit [(precision)] [TO unit [(precision)]]. */
  private interval(): void {
    this.expectWord("INTERVAL");
    if (this.isSymbol("-") || this.isSymbol("+")) this.at += 1;
    const value = this.next();
    if (value.kind !== "string" && value.kind !== "number" && value.kind !== "param") throw this.unexpected(value, "an interval value");
    if (value.kind === "string") this.continuedString(value);
    const unit = (): void => {
      if (!intervalUnits.has(this.peek().upper)) throw this.unexpected(this.peek(), "an interval unit");
      this.at += 1;
      if (this.isSymbol("(")) this.skipGroup();
    };
    unit();
    if (this.acceptWord("TO")) unit();
  }

  /** CASE [value] WHEN ... THEN ... [ELSE ...] END: its parts are expressions of their own. */
  private caseExpression(found: Found): void {
    this.nested(() => {
      this.expectWord("CASE");
      const parts: Expr[] = [];
      if (!this.isWord("WHEN")) parts.push(this.expression(caseWords, false));
      this.expectWord("WHEN");
      do {
        parts.push(this.expression(caseWords, false));
        this.expectWord("THEN");
        parts.push(this.expression(caseWords, false));
      } while (this.acceptWord("WHEN"));
      if (this.acceptWord("ELSE")) parts.push(this.expression(caseWords, false));
      this.expectWord("END");
      found.nodes.push({ kind: "group", items: parts });
    });
  }

  /**
   * What follows an operand: an infix operator (another operand comes), a postfix (IS NULL, OVER w, FILTER (...),
   * [i], ...), or what closes the item: an alias, an ordering.
   */
  private operator(role: Role): "operand" | "operator" | "closed" {
    const token = this.peek();
    if (token.kind === "symbol") {
      if (token.text === "[") {
        this.bracket();
        return "operator";
      }
      if (!infixSymbols.has(token.text)) throw this.misplaced(token);
      this.at += 1;
      return "operand";
    }
    if (token.kind !== "word") return this.closing(role, token);
    const word = token.upper;
    if (word === "NOT" && negatable.has(this.peek(1).upper)) this.at += 1;
    const next = this.peek();
    switch (next.upper) {
      case "AND":
      case "OR":
      case "LIKE":
      case "ILIKE":
      case "RLIKE":
      case "ESCAPE":
      case "IN":
        this.at += 1;
        return "operand";
      case "BETWEEN":
        this.at += 1;
        if (!this.acceptWord("SYMMETRIC")) this.acceptWord("ASYMMETRIC");
        return "operand";
      case "SIMILAR":
        this.at += 1;
        this.expectWord("TO");
        return "operand";
      case "IS":
        return this.isPredicate();
      case "OVER":
        this.at += 1;
        if (this.isSymbol("(")) this.windowSpecification();
        else this.identifier();
        return "operator";
      case "FILTER":
        this.at += 1;
        this.expectSymbol("(");
        this.expectWord("WHERE");
        this.expression(noEnds, false);
        this.expectSymbol(")");
        return "operator";
      case "WITHIN":
        this.at += 1;
        if (!this.acceptWord("GROUP")) this.expectWord("DISTINCT");
        this.expectSymbol("(");
        if (this.acceptWords("ORDER", "BY")) this.list(() => this.expression(noEnds, true, "order"));
        else this.list(() => this.expression(noEnds, true));
        this.expectSymbol(")");
        return "operator";
      case "RESPECT":
      case "IGNORE":
        this.at += 1;
        this.expectWord("NULLS");
        return "operator";
      default:
        return this.closing(role, next);
    }
  }

  /** IS [NOT] NULL | TRUE | FALSE | UNKNOWN | JSON [...] (postfix), IS [NOT] DISTINCT FROM (infix). */
  private isPredicate(): "operand" | "operator" {
    this.expectWord("IS");
    this.acceptWord("NOT");
    if (this.acceptWords("DISTINCT", "FROM")) return "operand";
    const token = this.next();
    if (["NULL", "TRUE", "FALSE", "UNKNOWN"].includes(token.upper)) return "operator";
    if (token.upper === "JSON") {
      for (const kind of ["VALUE", "OBJECT", "ARRAY", "SCALAR"]) if (this.acceptWord(kind)) break;
      return "operator";
    }
    throw this.unexpected(token, "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM");
  }

  /** An alias ends a select item; ASC, DESC and NULLS FIRST|LAST end an ordering item. */
  private closing(role: Role, token: Token): "closed" {
    if (role === "item") {
      if (this.acceptWord("AS") || this.isIdentifier(token)) {
        this.identifier();
        return "closed";
      }
    }
    if (role === "order") {
      const ordered = this.acceptWord("ASC") || this.acceptWord("DESC");
      if (this.acceptWord("NULLS")) {
        if (!this.acceptWord("FIRST")) this.expectWord("LAST");
        return "closed";
      }
      if (ordered) return "closed";
    }
    throw this.misplaced(token);
  }

  /** (  [window] [PARTITION BY ...] [ORDER BY ...] [ROWS | RANGE frame] ): the frame bounds are read as they come. */
  private windowSpecification(): void {
    this.nested(() => {
      this.expectSymbol("(");
      if (this.isIdentifier(this.peek()) && !this.isWord("PARTITION")) this.identifier();
      if (this.acceptWords("PARTITION", "BY")) this.list(() => this.expression(windowWords, true));
      if (this.acceptWords("ORDER", "BY")) this.list(() => this.expression(windowWords, true, "order"));
      if (this.acceptWord("ROWS") || this.acceptWord("RANGE")) {
        const between = this.acceptWord("BETWEEN");
        this.frameBound();
        if (between) {
          this.expectWord("AND");
          this.frameBound();
        }
        const excluded = this.acceptWord("EXCLUDE");
        if (excluded && !(this.acceptWords("CURRENT", "ROW") || this.acceptWord("GROUP") || this.acceptWord("TIES"))) {
          this.expectWord("NO");
          this.expectWord("OTHERS");
        }
      }
      if (this.acceptWord("ALLOW") || this.acceptWord("DISALLOW")) this.expectWord("PARTIAL");
      this.expectSymbol(")");
    });
  }

  /** UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW | <expression> PRECEDING | <expression> FOLLOWING */
  private frameBound(): void {
    if (this.acceptWords("CURRENT", "ROW")) return;
    if (!this.acceptWord("UNBOUNDED")) this.expression(frameWords, false);
    if (!this.acceptWord("PRECEDING")) this.expectWord("FOLLOWING");
  }

  private misplaced(token: Token): SqlAnalysisError {
    const plain = token.kind === "number" || token.kind === "string" || token.kind === "quoted" || (token.kind === "word" && !reservedWords.has(token.upper));
    return plain ? this.fail("invalid_sql", token, `Received an unexpected token [${token.text}]`) : this.unexpected(token);
  }

  /**
   * A name (possibly qualified) directly followed by `(`. The answer holds for every name of the same dotted chain,
   * which a loose argument asks it of one name after another: the chain is scanned once.
   */
  private callFollows(): boolean {
    const chain = this.chain;
    if (this.at > chain.from && this.at < chain.end && (this.at - chain.from) % 2 === 0) return chain.call;
    let ahead = 1;
    while (this.isSymbol(".", ahead) && this.isIdentifierOrWord(this.peek(ahead + 1))) ahead += 2;
    this.chain = { from: this.at, end: this.at + ahead, call: this.isSymbol("(", ahead) };
    return this.chain.call;
  }

  /** A (qualified) name, `t.*` included; a call when `(` follows it, with `.field` after it. */
  private nameOrCall(found: Found): void {
    const first = this.peek();
    const parts = [this.namePart()];
    while (this.isSymbol(".") && (this.isIdentifierOrWord(this.peek(1)) || this.isSymbol("*", 1))) {
      this.at += 1;
      if (this.acceptSymbol("*")) return;
      parts.push(this.namePart());
    }
    if (!this.isSymbol("(")) return;
    const name = { parts, token: first };
    const relaxed = parts.length === 1 && relaxedFunctions.has((parts[0] as string).toUpperCase());
    found.nodes.push({ kind: "call", name, args: this.arguments(relaxed) });
  }

  /**
   * A function's arguments: [DISTINCT | ALL] [name =>] expression, ...; or a subquery when one starts right away.
   * Functions with keywords in their argument syntax (CAST(x AS t), EXTRACT(d FROM x), ...) are read loosely.
   */
  private arguments(relaxed = false): Arg[] {
    return this.nested(() => {
      this.expectSymbol("(");
      const args: Arg[] = [];
      const first = this.peek();
      if (first.kind === "word" && (first.upper === "SELECT" || first.upper === "WITH" || first.upper === "VALUES")) {
        const start = this.at;
        const query = this.orderedQuery();
        args.push({ value: { nodes: [{ kind: "subquery", query }], start, end: this.at } });
      } else if (!this.isSymbol(")")) {
        if (!this.acceptWord("DISTINCT")) this.acceptWord("ALL");
        do {
          let name: string | undefined;
          if (this.isIdentifierOrWord(this.peek()) && this.isSymbol("=>", 1)) {
            name = this.namePart();
            this.at += 1;
          }
          const next = this.peek();
          if (next.kind === "word" && ["TABLE", "CURSOR", "DESCRIPTOR"].includes(next.upper)) {
            throw this.unsupported(next, `${next.upper} arguments`);
          }
          const value = relaxed ? this.looseExpression() : this.expression(noEnds, true);
          args.push({ ...(name === undefined ? {} : { name }), value });
        } while (this.acceptSymbol(","));
      }
      this.expectSymbol(")");
      return args;
    });
  }

  /** `(` in an expression: a subquery, or a parenthesized list of expressions (a row, an IN list, a grouping). */
  private group(): ExprNode {
    return this.nested(() => {
      const after = this.peek(1);
      if (after.kind === "word" && queryStarts.has(after.upper)) {
        this.expectSymbol("(");
        const query = this.orderedQuery();
        this.expectSymbol(")");
        return { kind: "subquery", query };
      }
      return { kind: "group", items: this.parenthesizedList() };
    });
  }

  private bracket(): ExprNode {
    return this.nested(() => {
      this.expectSymbol("[");
      const items = this.isSymbol("]") ? [] : this.list(() => this.expression(noEnds, true));
      this.expectSymbol("]");
      return { kind: "group", items };
    });
  }

  private parenthesizedList(): Expr[] {
    this.expectSymbol("(");
    const items = this.isSymbol(")") ? [] : this.list(() => this.expression(noEnds, true));
    this.expectSymbol(")");
    return items;
  }

  /** A function argument in a keyword syntax: any tokens up to `,` or `)`, its subqueries, calls and groups found. */
  private looseExpression(): Expr {
    const start = this.at;
    const found: Found = { nodes: [], units: 0 };
    for (;;) {
      const token = this.peek();
      if (this.endsExpression(token, noEnds, true)) break;
      if (token.kind === "word" && notInExpressions.has(token.upper)) throw this.unsupported(token, `${token.upper} inside an expression`);
      if (token.kind === "symbol" && (token.text === "(" || token.text === "[")) {
        found.nodes.push(token.text === "(" ? this.group() : this.bracket());
      } else if (token.kind === "string") {
        this.continuedString(this.next());
      } else if ((token.kind === "word" || token.kind === "quoted" || token.kind === "unicodeQuoted") && (token.kind === "unicodeQuoted" || this.callFollows())) {
        this.nameOrCall(found);
      } else if (token.kind === "brace" || token.kind === "hintStart" || token.kind === "commentEnd" || token.kind === "bel" || token.kind === "collation") {
        throw this.misplaced(token);
      } else {
        this.at += 1;
      }
    }
    if (this.at === start) throw this.unexpected(this.peek(), "an expression");
    return { nodes: found.nodes, start, end: this.at };
  }

  private list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.acceptSymbol(",")) items.push(item());
    return items;
  }

  /** A parenthesized run that names nothing (column lists, EXTEND lists, USING): balanced, without queries. */
  private skipGroup(): void {
    this.expectSymbol("(");
    let depth = 1;
    while (depth > 0) {
      const token = this.next();
      if (token.kind === "eof") throw this.unexpected(token, "')'");
      if (token.kind === "word" && queryStarts.has(token.upper)) throw this.unsupported(token, `${token.upper} in a column list`);
      if (token.kind === "symbol" && token.text === "(") depth += 1;
      if (token.kind === "symbol" && token.text === ")") depth -= 1;
    }
  }

  /** Hints, `/*+ name[(options)], ... *\/`: they name no resource, so they are read and dropped. */
  private hints(): void {
    if (this.peek().kind !== "hintStart") return;
    const open = this.next();
    for (;;) {
      const token = this.next();
      if (token.kind === "commentEnd") return;
      if (token.kind === "eof") throw this.fail("invalid_sql", open, "a hint is never closed");
      if (token.kind === "word" && queryStarts.has(token.upper)) throw this.unexpected(token);
    }
  }

  private compoundName(): Name {
    const token = this.peek();
    const parts = [this.identifier()];
    while (this.acceptSymbol(".")) parts.push(this.identifier());
    return { parts, token };
  }

  /** One identifier: unquoted and not reserved, "quoted", or U&"..." [UESCAPE '<c>']. */
  private identifier(): string {
    const token = this.peek();
    if (token.kind === "word" && reservedWords.has(token.upper)) throw this.reserved(token);
    if (!this.isIdentifier(token)) throw this.unexpected(token, "an identifier");
    return this.namePart();
  }

  /** A construct outside this grammar: refused without claiming that Druid refuses it. */
  private unsupported(token: Token, what: string): SqlAnalysisError {
    return this.fail("unsupported_sql", token, `msq-authz does not read ${what}`);
  }

  /** Druid's own message for a reserved word where a name belongs (DruidSqlParser.translateParseException). */
  private reserved(token: Token): SqlAnalysisError {
    return this.fail("invalid_sql", token, `Token [${token.text}] is a reserved keyword. To use it as an identifier, quote it as ["${token.text}"]`);
  }

  /** An identifier, or any word (function names may be reserved words: COUNT, CAST, ...). */
  private namePart(): string {
    const token = this.next();
    let name: string;
    if (token.kind === "word") name = token.text;
    else if (token.kind === "quoted") name = token.value;
    else if (token.kind === "unicodeQuoted") name = decodeUnicode(token.value, this.acceptWord("UESCAPE") ? this.escapeCharacter() : "\\", () => this.fail("invalid_sql", token, "Unicode escape sequence is malformed"));
    else throw this.unexpected(token, "a name");
    if (name.length > IDENTIFIER_MAX_LENGTH) {
      throw this.fail("invalid_sql", token, `Length of identifier '${name}' must be less than or equal to ${IDENTIFIER_MAX_LENGTH} characters`);
    }
    return name;
  }

  /**
   * A string literal and the plain fragments that continue it (Calcite's LITERAL_CHAIN): each fragment must start
   * on a later line than the one before, or the validator refuses it. U&'...' takes an optional UESCAPE.
   */
  private continuedString(head: Token): { value: string; continued: boolean } {
    const fragments = [head];
    const continues = head.form === "plain" || head.form === "national" || head.form === "unicode";
    while (continues && this.peek().kind === "string" && this.peek().form === "plain") {
      const next = this.next();
      if (next.line <= (fragments.at(-1) as Token).line) throw this.fail("invalid_sql", next, "String literal continued on same line");
      fragments.push(next);
    }
    const continued = fragments.length > 1;
    if (head.form === "unicode") {
      const escape = this.acceptWord("UESCAPE") ? this.escapeCharacter() : "\\";
      const decoded = fragments.map((fragment) => decodeUnicode(fragment.value, escape, () => this.fail("invalid_sql", fragment, "Unicode escape sequence is malformed")));
      return { value: decoded.join(""), continued };
    }
    if (this.isWord("UESCAPE")) throw this.fail("invalid_sql", this.peek(), "UESCAPE follows only a U& literal");
    if (head.form === "cstyle") {
      return { value: decodeCStyle(head.value, () => this.fail("invalid_sql", head, "Unicode escape sequence is malformed")), continued };
    }
    return { value: fragments.map((fragment) => fragment.value).join(""), continued };
  }

  /** UESCAPE '<c>': one character that is not a hex digit, `+`, `"` or whitespace (checkUnicodeEscapeChar). */
  private escapeCharacter(): string {
    const spec = this.next();
    if (spec.kind !== "string" || spec.form !== "plain") throw this.unexpected(spec, "a string literal");
    if (spec.value.length !== 1 || /[\d\s+"a-fA-F]/u.test(spec.value)) {
      throw this.fail("invalid_sql", spec, `Invalid Unicode escape character '${spec.value}'`);
    }
    return spec.value;
  }

  private isIdentifier(token: Token): boolean {
    return (token.kind === "word" && !reservedWords.has(token.upper)) || token.kind === "quoted" || token.kind === "unicodeQuoted";
  }

  private isIdentifierOrWord(token: Token): boolean {
    return token.kind === "word" || token.kind === "quoted" || token.kind === "unicodeQuoted";
  }

  /** After the statement: the end of input. An INSERT or REPLACE takes nothing after it, not even `;`. */
  private end(ingest: boolean): void {
    if (!ingest) while (this.acceptSymbol(";"));
    const token = this.peek();
    if (token.kind === "eof") return;
    if (ingest && token.kind === "symbol" && token.text === ";") {
      throw this.unsupported(token, "a ';' after INSERT or REPLACE");
    }
    if (!ingest && this.tokens[this.at - 1]?.text === ";") {
      throw this.fail("invalid_sql", token, "Only SET statements can appear before the final statement in a statement list");
    }
    throw this.unexpected(token);
  }

  private nested<T>(parse: () => T): T {
    this.depth += 1;
    try {
      if (this.depth > MAX_NESTING) throw this.unsupported(this.peek(), `nesting deeper than ${MAX_NESTING} levels`);
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.at += 1;
    return token;
  }

  private isWord(upper: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "word" && token.upper === upper;
  }

  private isSymbol(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "symbol" && token.text === text;
  }

  private acceptWord(upper: string): boolean {
    if (!this.isWord(upper)) return false;
    this.at += 1;
    return true;
  }

  private acceptWords(...words: string[]): boolean {
    if (!words.every((word, i) => this.isWord(word, i))) return false;
    this.at += words.length;
    return true;
  }

  private acceptSymbol(text: string): boolean {
    if (!this.isSymbol(text)) return false;
    this.at += 1;
    return true;
  }

  private expectWord(upper: string): void {
    if (!this.acceptWord(upper)) throw this.unexpected(this.peek(), upper);
  }

  private expectSymbol(text: string): void {
    if (!this.acceptSymbol(text)) throw this.unexpected(this.peek(), `'${text}'`);
  }

  /**
   * A token the grammar does not expect. Calcite may accept what this grammar does not, so it is unsupported_sql,
   * except where Calcite certainly refuses: the end of input, a stray `*\/`, U+0007.
   */
  private unexpected(token: Token, expected?: string): SqlAnalysisError {
    const want = expected === undefined ? "" : ` (expected ${expected})`;
    if (token.kind === "eof") return this.fail("invalid_sql", token, `Incorrect syntax near the end of the statement${want}`);
    if (token.kind === "commentEnd" || token.kind === "bel") return this.fail("invalid_sql", token, `Received an unexpected token [${token.text}]${want}`);
    return this.unsupported(token, `the SQL at [${token.text}]${want}`);
  }

  private fail(code: SqlErrorCode, token: Token, message: string): SqlAnalysisError {
    return new SqlAnalysisError(code, `line ${token.line}, column ${token.column}: ${message}`);
  }
}

/** U&'...' escapes: `<e><e>` is <e>; `<e>` and four characters that Java's Integer.parseInt(.., 16) reads. */
function decodeUnicode(body: string, escape: string, malformed: () => Error): string {
  let out = "";
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i] as string;
    if (c !== escape) {
      out += c;
    } else if (body[i + 1] === escape) {
      out += escape;
      i += 1;
    } else {
      const hex = body.slice(i + 1, i + 5);
      if (hex.length < 4 || !/^[+-]?[0-9a-fA-F]+$/u.test(hex)) throw malformed();
      out += String.fromCharCode(Number.parseInt(hex, 16) & 0xffff);
      i += 4;
    }
  }
  return out;
}

const cEscapes: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", "\\": "\\", "'": "'" };

/** E'...' escapes, Postgres style as Calcite reads them: \b \f \n \r \t \\ \' \uXXXX \UXXXXXXXX \xH[H] \ooo. */
function decodeCStyle(body: string, malformed: () => Error): string {
  const text = body.replaceAll("''", "'");
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c !== "\\" || next === undefined) {
      out += c;
    } else if (cEscapes[next] !== undefined) {
      out += cEscapes[next];
      i += 1;
    } else if (next === "u" || next === "U") {
      const width = next === "u" ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + width);
      const code = Number.parseInt(hex, 16);
      if (i + 1 + width >= text.length || !/^[0-9a-fA-F]+$/u.test(hex) || hex.length !== width || code > 0x10ffff) throw malformed();
      out += String.fromCodePoint(code);
      i += 1 + width;
    } else if (next === "x") {
      const hex = /^[0-9a-fA-F]{1,2}/u.exec(text.slice(i + 2))?.[0];
      out += hex === undefined ? next : String.fromCodePoint(Number.parseInt(hex, 16));
      i += 1 + (hex?.length ?? 0);
    } else if (next >= "0" && next <= "3") {
      const octal = next + (/^[0-7]{0,2}/u.exec(text.slice(i + 2))?.[0] ?? "");
      out += String.fromCodePoint(Number.parseInt(octal, 8));
      i += octal.length;
    } else {
      out += c;
    }
  }
  return out;
}

/** A SET number as Druid's context gets it: an integral value as a number, anything else as its text. */
function contextNumber(text: string): number | string {
  if (/^[+-]?\d+$/u.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text;
  }
  return text;
}
