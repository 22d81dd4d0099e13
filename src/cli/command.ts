// A command is a value: its name, what it does, the options it takes and what it runs. The dispatcher parses each
// command's own options (a flag it does not take is an error), and help and usage are generated from these values.
import { MsqAuthzError } from "../errors.js";

/** Bad usage or unreadable input: one line on stderr, exit 2. */
export class UsageError extends MsqAuthzError {}

/** What a command reads and writes, so that it runs the same in a test as in a terminal. */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (colour and layout for people). */
  readonly isTTY: boolean;
}

export interface OptionSpec {
  name: string;
  type: "string" | "boolean";
  /** The value's placeholder in help: FILE, N, URL. */
  value?: string;
  multiple?: boolean;
  short?: string;
  summary: string;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  /** One word, or two for a subcommand ("bundle build"). */
  name: string;
  summary: string;
  /** What follows the name in the synopsis: `[options] FILES...`. */
  synopsis: string;
  /** Longer text for `help <command>`, when the summary is not enough. */
  description?: string;
  options: OptionSpec[];
  /** Shell lines a user can copy. */
  examples: string[];
  /** Positional arguments: how many the command takes (default none). */
  positionals?: { min: number; max: number; name: string };
  run(args: Parsed, io: Io): Promise<number>;
}

export const helpOption: OptionSpec = { name: "help", short: "h", type: "boolean", summary: "this command's help" };

/** The help a user gets from `msq-authz help <command>` or `<command> --help`. */
export function commandHelp(command: Command): string {
  const width = Math.max(...command.options.concat(helpOption).map((option) => flag(option).length));
  const lines = [`usage: msq-authz ${command.name} ${command.synopsis}`.trimEnd(), "", command.summary];
  if (command.description) lines.push("", command.description);
  lines.push("", "options:");
  for (const option of [...command.options, helpOption]) lines.push(`  ${flag(option).padEnd(width)}  ${option.summary}`);
  if (command.examples.length > 0) lines.push("", "examples:", ...command.examples.map((example) => `  ${example}`));
  return lines.join("\n");
}

function flag(option: OptionSpec): string {
  const name = `${option.short ? `-${option.short}, ` : ""}--${option.name}`;
  return option.type === "string" ? `${name} ${option.value ?? "VALUE"}` : name;
}

/** The closest of `candidates` to `given`, if it is close enough to be what the user meant. */
export function suggestion(given: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(given, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Writes text and waits for a slow reader, rather than buffering without bound. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once("drain", () => resolve());
  });
}

/** Colour on a terminal, unless NO_COLOR says otherwise; FORCE_COLOR (not "0") asks for it anywhere. */
export function wantsColor(io: Io): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  return io.isTTY;
}

export type Paint = (style: "green" | "red" | "yellow" | "bold" | "dim", text: string) => string;

const codes = { green: 32, red: 31, yellow: 33, bold: 1, dim: 2 } as const;

export function painter(color: boolean): Paint {
  return (style, text) => (color ? `\u001b[${codes[style]}m${text}\u001b[0m` : text);
}
