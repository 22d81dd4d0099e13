// msq-authz's version, as package.json states it: the CLI prints it, decision logs label their events with it.
import { readFileSync } from "node:fs";

export const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
