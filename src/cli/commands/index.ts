// Every command of the CLI, in the order help lists them. A new command is one file here and one line below.
import type { Command } from "../command.js";
import { audit } from "./audit.js";
import { bundleBuild, bundleInspect, bundleVerify } from "./bundle.js";
import { decide } from "./decide.js";
import { explain } from "./explain.js";
import { importCommand } from "./import.js";
import { review } from "./review.js";
import { s3Check } from "./s3-check.js";
import { serve } from "./serve.js";

export const commands: Command[] = [decide, explain, review, audit, importCommand, bundleBuild, bundleVerify, bundleInspect, serve, s3Check];
