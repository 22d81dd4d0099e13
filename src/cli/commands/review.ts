// msq-authz review: a security team's expectations as tests, on both engines.
import { writeFile } from "node:fs/promises";
import { loadReview } from "../../review/load.js";
import { junitXml, summaryText } from "../../review/report.js";
import { runReview } from "../../review/run.js";
import { type Command, painter, wantsColor, write } from "../command.js";
import { str } from "../inputs.js";

export const review: Command = {
  name: "review",
  summary: "run review files (grants, settings and expectations) on both engines; exit 1 when one fails",
  synopsis: "FILES... [--junit FILE] [--json]",
  description:
    "A review file (YAML or JSON, schema: schemas/review.schema.json) names grants and settings and lists\n" +
    "expectations: who may do what. An expectation without `operation` runs as sql.task.submit when it gives SQL or a\n" +
    "statement, as sql.task.enabled otherwise; the report shows each one's operation. A 400 (invalid_request,\n" +
    "invalid_sql, unsupported_sql) never satisfies `expect: deny` unless the expectation names that code. A\n" +
    "disagreement between the engines is a failure of its own. Colour on a terminal; NO_COLOR and FORCE_COLOR apply.",
  options: [
    { name: "junit", type: "string", value: "FILE", summary: "also write a JUnit XML report" },
    { name: "json", type: "boolean", summary: "print every expectation's result and decision as JSON" },
  ],
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER, name: "at least one review file" },
  examples: ["msq-authz review examples/reviews/*.yaml", "msq-authz review examples/reviews/*.yaml --junit review.xml"],
  async run({ values, positionals }, io) {
    const results = [];
    for (const file of positionals) {
      const loaded = await loadReview(file);
      results.push(await runReview(loaded));
    }
    const junit = str(values, "junit");
    if (junit !== undefined) await writeFile(junit, junitXml(results));
    if (values.json === true) await write(io.stdout, `${JSON.stringify(results, null, 2)}\n`);
    else await write(io.stdout, `${summaryText(results, painter(wantsColor(io)))}\n`);
    return results.every((result) => result.results.every((r) => r.passed)) ? 0 : 1;
  },
};
