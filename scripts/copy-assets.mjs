// What tsc leaves out of dist/. It copies imported JSON only when it is imported; the schemas are also published as
// files for non-TypeScript users, so copy the whole folder. And it writes files without the executable bit: the
// package's bin (run by npx in a clone, and by npm's own bin link once installed) must be executable.
import { chmodSync, cpSync } from "node:fs";

cpSync("src/schemas", "dist/schemas", { recursive: true, filter: (src) => !src.endsWith(".ts") });
chmodSync("dist/cli/main.js", 0o755);
