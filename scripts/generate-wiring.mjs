// The rules packages wired into the decision, generated from the folders under policies/rego/msq/rules/ into
// policies/rego/msq/authz/rules/rules.rego: a new rule is a folder (its package, tests and cases), and
// `make generate` wires it. `--check` fails when the file is not what the folders generate (`make lint` runs it).
// Generated, not discovered at evaluation time: iterating data.msq.rules[name] makes opa-wasm build every rule of
// every package on each decision, about 13 µs more per decision.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const rules = join(root, "policies/rego/msq/rules");
const target = join(root, "policies/rego/msq/authz/rules/rules.rego");
/** The sets a rules package may contribute, and what the decision does with each. */
const sets = ["required", "outcomes", "notes", "listings", "warnings"];

const packages = readdirSync(rules, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const contributions = Object.fromEntries(
  sets.map((set) => [
    set,
    packages.filter((name) => new RegExp(`^${set} contains `, "mu").test(readFileSync(join(rules, name, `${name}.rego`), "utf8"))),
  ]),
);

/** The references, as many to a line as fit in Regal's 120 columns (a tab counts four). */
const wrapped = (references) => {
  const lines = [];
  for (const reference of references) {
    const last = lines.at(-1);
    if (last !== undefined && 8 + last.length + 2 + reference.length + 1 <= 120) lines[lines.length - 1] = `${last}, ${reference}`;
    else lines.push(reference);
  }
  return lines.map((line) => `\t\t${line},`).join("\n");
};

const gather = (set) => {
  const from = contributions[set].map((name) => `${name}.${set}`);
  if (from.length === 1) return `${set} contains item if {\n\tsome item in ${from[0]}\n}\n`;
  return `${set} contains item if {\n\tsome each in [\n${wrapped(from)}\n\t]\n\tsome item in each\n}\n`;
};

const output = `# METADATA
# title: The rules packages of the decision
# description: |
#   Generated from the folders under policies/rego/msq/rules/ by scripts/generate-wiring.mjs: do not edit;
#   \`make generate\` rebuilds it and \`make lint\` fails when it is stale. Each package's sets are gathered through
#   an array: union({...}) builds a set of sets, whose members opa-wasm compares as it sorts them.
package msq.authz.rules

${packages.map((name) => `import data.msq.rules.${name}`).join("\n")}

${sets.map(gather).join("\n")}`;

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing: stale
  }
  if (current !== output) {
    console.error(`${target} is stale: run 'make generate' and commit it`);
    process.exit(1);
  }
  console.log("policies/rego/msq/authz/rules/rules.rego matches the rules folders");
} else {
  writeFileSync(target, output);
  console.log(`wrote ${target}`);
}
