// The dispatcher: msq-authz <command> [options]. Exit codes: 0 the command did its job (for decide: the decision
// was computed, whatever it says); 1 a review, audit or check failed; 2 bad usage or unreadable input, with one
// line on stderr. Everything a command writes goes through `io`, so tests run it in-process.
import { parseArgs } from "node:util";
import { MsqAuthzError } from "../errors.js";
import { type Command, type Io, type Parsed, UsageError, commandHelp, helpOption, suggestion, write } from "./command.js";
import { commands } from "./commands/index.js";
import { version } from "../version.js";


export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    // Expected failures are one line; anything else is a bug, and its stack is what a report needs.
    const message = error instanceof MsqAuthzError ? error.message : String((error as Error)?.stack ?? error);
    await write(io.stderr, `msq-authz: ${message}\n`);
    return 2;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === "--help" || first === "-h") {
    await write(io.stdout, `${overview()}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    await write(io.stdout, `msq-authz ${version}\n`);
    return 0;
  }
  if (first === "help") {
    const command = second === undefined ? undefined : find(argv.slice(1, 3).join(" ")) ?? find(second);
    if (second !== undefined && command === undefined) throw unknownCommand(argv.slice(1).join(" "));
    await write(io.stdout, `${command ? commandHelp(command) : overview()}\n`);
    return 0;
  }
  const command = (second !== undefined ? find(`${first} ${second}`) : undefined) ?? find(first);
  if (command === undefined) throw unknownCommand(first.startsWith("-") ? first : `${first}${second && !second.startsWith("-") ? ` ${second}` : ""}`);
  const args = argv.slice(command.name.split(" ").length);
  const parsed = parse(command, args);
  if (parsed.values.help === true) {
    await write(io.stdout, `${commandHelp(command)}\n`);
    return 0;
  }
  return command.run(parsed, io);
}

function find(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}

function unknownCommand(given: string): UsageError {
  const names = commands.map((command) => command.name);
  const like = suggestion(given, [...names, ...names.map((name) => name.split(" ")[0] as string)]);
  return new UsageError(`unknown command '${given}'${like ? ` (did you mean '${like}'?)` : ""}; 'msq-authz help' lists them`);
}

/** The command's own options only; anything else is one line naming the flag and the nearest one it takes. */
function parse(command: Command, args: string[]): Parsed {
  const options = Object.fromEntries(
    [...command.options, helpOption].map((option) => [
      option.name,
      { type: option.type, ...(option.multiple ? { multiple: true } : {}), ...(option.short ? { short: option.short } : {}) },
    ]),
  );
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as Parsed;
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/u.exec(message)?.[1];
    if (unknown !== undefined) {
      const like = suggestion(unknown.replace(/^-+/u, ""), command.options.map((option) => option.name));
      throw new UsageError(`${command.name} does not take ${unknown}${like ? ` (did you mean --${like}?)` : ""}; 'msq-authz help ${command.name}' lists its options`);
    }
    const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/u.exec(message)?.[1];
    throw new UsageError(missing ? `${command.name}: ${missing} needs a value` : `${command.name}: ${message.split("\n")[0] ?? message}`);
  }
  if (parsed.values.help === true) return parsed;
  const { min, max, name } = command.positionals ?? { min: 0, max: 0, name: "" };
  const count = parsed.positionals.length;
  if (count > max) throw new UsageError(`${command.name}: unexpected argument '${parsed.positionals[max] ?? ""}'`);
  if (count < min) throw new UsageError(`${command.name} needs ${name}`);
  return parsed;
}

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    "usage: msq-authz <command> [options]",
    "",
    "Authorization decisions for Apache Druid's multi-stage query engine.",
    "",
    "commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "msq-authz help <command>   a command's options and examples",
    "msq-authz --version        the version",
    "",
    "Exit codes: 0 done (for decide: whatever the decision says); 1 a review, audit or check failed; 2 bad usage or",
    "unreadable input, with one line on stderr.",
  ].join("\n");
}
