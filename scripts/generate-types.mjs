// The contract's TypeScript types, generated from the JSON Schemas (the authority) into src/contract.ts:
// `node scripts/generate-types.mjs` writes it, `--check` fails when the file is not what the schemas generate.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "json-schema-to-typescript";

const root = new URL("..", import.meta.url).pathname;
const schemas = join(root, "src/schemas");
const target = join(root, "src/contract.ts");
/** Each schema and the name of its root type. */
const files = { request: "DecisionRequest", decision: "Decision", grants: "Grants", settings: "Settings", review: "ReviewFile" };

const header = `// Generated from src/schemas/*.schema.json by scripts/generate-types.mjs: do not edit. The JSON Schemas are the
// contract; \`make generate\` rebuilds this file and \`make lint\` fails when it is stale.
/* eslint-disable */
`;

const parts = [];
for (const [name, rootName] of Object.entries(files)) {
  // The root type is named by the contract's own vocabulary, not by the schema's title.
  const { title: _title, $id: _id, ...schema } = JSON.parse(readFileSync(join(schemas, `${name}.schema.json`), "utf8"));
  const ts = await compile({ ...schema, title: rootName }, rootName, {
    bannerComment: "",
    cwd: schemas,
    additionalProperties: false,
    strictIndexSignatures: false,
    declareExternallyReferenced: true,
    unreachableDefinitions: false,
    ignoreMinAndMaxItems: true,
    format: true,
    style: { printWidth: 120 },
  });
  parts.push(ts.trim());
}
// One declaration per name: a definition several schemas share is emitted once.
const seen = new Set();
const declarations = parts
  .join("\n\n")
  .split(/\n(?=(?:\/\*\*[\s\S]*?\*\/\n)?export )/u)
  .filter((declaration) => {
    const name = /export (?:type|interface) (\w+)/u.exec(declaration)?.[1];
    if (name === undefined || seen.has(name)) return name === undefined;
    seen.add(name);
    return true;
  });
const output = `${header}\n${declarations.join("\n")}\n`;

if (process.argv.includes("--check")) {
  const current = readFileSync(target, "utf8");
  if (current !== output) {
    console.error("src/contract.ts is stale: run 'make generate' and commit it");
    process.exit(1);
  }
  console.log("src/contract.ts matches the schemas");
} else {
  writeFileSync(target, output);
  console.log(`wrote ${target}`);
}
