// msq-authz decide: one request, a quick --sql question, or a batch; decision JSON out.
import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { MAX_REQUEST_BYTES } from "../../decision-point.js";
import { createDecisionPool } from "../../pool/decision-pool.js";
import { type Command, type Io, type OptionSpec, UsageError, write } from "../command.js";
import { decideLines, decideLinesInPool } from "../batch.js";
import { boundedLines } from "../lines.js";
import { type Values, decisionPoint, decisionPointOptions, numberOption, policyOptions, readText, str } from "../inputs.js";

export const requestOptions: OptionSpec[] = [
  { name: "request", type: "string", value: "FILE", summary: "the request JSON ('-' or omitted: stdin)" },
  { name: "sql", type: "string", value: "SQL", summary: "a quick question: decide this SQL (with --user and --operation) instead of a request file" },
  { name: "user", type: "string", value: "NAME", summary: "with --sql: the authenticated user asking (omitted: an unauthenticated caller)" },
  { name: "operation", type: "string", value: "OP", summary: "with --sql: the operation (default sql.task.submit)" },
];

/** The request text the options give: --sql builds one, otherwise --request FILE or stdin. */
export async function requestText(values: Values, io: Io): Promise<string> {
  const sql = str(values, "sql");
  if (sql === undefined) {
    for (const name of ["user", "operation"]) if (str(values, name) !== undefined) throw new UsageError(`--${name} goes with --sql`);
    return readText(str(values, "request") ?? "-", "--request", io);
  }
  if (str(values, "request") !== undefined) throw new UsageError("--sql and --request cannot be used together");
  const user = str(values, "user");
  return JSON.stringify({
    identity: user === undefined ? { authenticated: false } : { authenticated: true, user },
    operation: str(values, "operation") ?? "sql.task.submit",
    sql,
  });
}

export const decide: Command = {
  name: "decide",
  summary: "decide one request, a --sql question or a --batch of requests; print decision JSON",
  synopsis: "[--request FILE | --sql SQL --user NAME | --batch FILE] [options]",
  description:
    "Exit 0 when the decision was computed, whatever it says. With --batch, every line of the JSON Lines input gets\n" +
    "exactly one decision line, in order; a line that is not a request gets a 400 decision and the batch goes on.",
  options: [
    ...requestOptions,
    { name: "batch", type: "string", value: "FILE", summary: "JSON Lines, one request per line ('-': stdin); one decision per line, in order" },
    { name: "workers", type: "string", value: "N", summary: "with --batch: decide on N worker threads, each with its own policy (default 1)" },
    ...policyOptions,
  ],
  examples: [
    "msq-authz decide --sql \"SELECT * FROM wiki\" --user alice --grants examples/grants.json",
    "msq-authz decide --request examples/explain-request.json --grants examples/grants.json",
    "msq-authz decide --batch examples/requests.jsonl --grants examples/grants.json --engine casbin",
    "msq-authz decide --batch requests.jsonl --grants grants.json --workers 2",
  ],
  async run({ values }, io) {
    const batch = str(values, "batch");
    if (batch === undefined) {
      if (str(values, "workers") !== undefined) throw new UsageError("--workers goes with --batch");
      const text = await requestText(values, io);
      const point = await decisionPoint(values, io);
      await write(io.stdout, `${JSON.stringify(await point.decideJson(text), null, 2)}\n`);
      return 0;
    }
    if (str(values, "request") !== undefined || str(values, "sql") !== undefined) {
      throw new UsageError("--batch takes the requests from its file: not with --request or --sql");
    }
    if (batch !== "-") {
      await access(batch).catch((error: Error) => {
        throw new UsageError(`--batch: cannot read '${batch}': ${error.message}`);
      });
    }
    const workers = numberOption(values, "workers", (n) => Number.isInteger(n) && n >= 1 && n <= 64, "a whole number from 1 to 64") ?? 1;
    const lines = boundedLines(batch === "-" ? io.stdin : createReadStream(batch), MAX_REQUEST_BYTES);
    if (workers === 1) {
      await decideLines(lines, await decisionPoint(values, io), io);
      return 0;
    }
    const pool = await createDecisionPool(await decisionPointOptions(values, io), workers);
    try {
      await decideLinesInPool(lines, pool, io);
    } finally {
      await pool.close();
    }
    return 0;
  },
};
