#!/usr/bin/env node
// The msq-authz binary: the process around runCli (src/cli/run.ts), which tests call in-process.
import { runCli } from "./run.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
});
