// The CLI tests spawn the real binary, so the suite builds it first: a stale dist/ must never pass for the source.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync("node_modules/.bin/tsc", ["-p", "tsconfig.build.json"], { stdio: "inherit" });
  execFileSync("node", ["scripts/copy-assets.mjs"], { stdio: "inherit" });
}
