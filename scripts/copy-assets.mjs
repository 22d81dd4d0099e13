// tsc copies imported JSON only when it is imported; the schemas are also published as files for non-TypeScript
// users, so copy the whole folder.
import { cpSync } from "node:fs";

cpSync("src/schemas", "dist/schemas", { recursive: true, filter: (src) => !src.endsWith(".ts") });
