// The JDK oracles (Jackson, java.util.regex, LdapName) run the same way: a Java source in test/oracle/, compiled
// into .build/oracle/ when its class is missing or older than its source, run as one long-lived process that answers
// one line per request line, in order. Free of support.js's imports: oracle tests need nothing of the decision point.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = new URL("../..", import.meta.url).pathname;
const classes = join(root, ".build/oracle");

export interface OracleOptions {
  /** The class name; its source is test/oracle/<name>.java. */
  name: string;
  /** Jars on the class path (Debian's, which `make java` installs). */
  jars?: string[];
  /** Extra options for the JVM. */
  jvm?: string[];
}

/** Compiles the oracle if its class is stale, and starts it. */
export function startJavaOracle({ name, jars = [], jvm = [] }: OracleOptions): OracleProcess {
  const missing = jars.filter((jar) => !existsSync(jar));
  if (missing.length > 0) throw new Error(`${missing.join(", ")} not installed: run 'make java'`);
  const source = join(root, "test/oracle", `${name}.java`);
  const compiled = join(classes, `${name}.class`);
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
    try {
      execFileSync("javac", ["-version"], { stdio: "ignore" });
    } catch (error) {
      throw new Error("javac is not installed: run 'make java'", { cause: error });
    }
    mkdirSync(classes, { recursive: true });
    const classPath = jars.length > 0 ? ["-cp", jars.join(":")] : [];
    execFileSync("javac", ["-Xlint:all", "-Werror", ...classPath, "-d", classes, source], { stdio: "inherit" });
  }
  return new OracleProcess(spawn("java", [...jvm, "-cp", [classes, ...jars].join(":"), name]), name);
}

/** A line out per line in, in order; every waiting request fails when the process dies. */
export class OracleProcess {
  private readonly waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    name: string,
  ) {
    createInterface({ input: child.stdout }).on("line", (line) => this.waiting.shift()?.resolve(line));
    child.stderr.pipe(process.stderr);
    const fail = (why: string) => {
      for (const { reject } of this.waiting.splice(0)) reject(new Error(`the ${name} oracle ${why}`));
    };
    child.on("error", (error) => fail(`could not run: ${error.message}`));
    child.on("exit", (code, signal) => fail(`exited (${code ?? signal})`));
  }

  /** Writes the lines at once; their answers come back in order. */
  askAll(lines: readonly string[]): Promise<string[]> {
    const answers = lines.map(() => new Promise<string>((resolve, reject) => void this.waiting.push({ resolve, reject })));
    this.child.stdin.write(`${lines.join("\n")}\n`);
    return Promise.all(answers);
  }

  async ask(line: string): Promise<string> {
    const [answer] = await this.askAll([line]);
    return answer as string;
  }

  close(): void {
    this.child.stdin.end();
  }
}
