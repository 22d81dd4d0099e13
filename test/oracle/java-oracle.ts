// The JDK's java.util.regex as a test oracle: test/oracle/JavaPatternOracle.java (test/oracle/java-process.ts runs it).
import { type OracleProcess, startJavaOracle } from "./java-process.js";

/**
 * What Java says about one pattern: the PatternSyntaxException (or other error) message, or its answer per name,
 * null where matching throws.
 */
export type JavaAnswer = { refused: string } | { matches: (boolean | null)[] };
export type JavaSet = { refused: string } | { ranges: [number, number][] };

const encode = (value: string): string => {
  let field = "=";
  for (let i = 0; i < value.length; i++) field += value.charCodeAt(i).toString(16).padStart(4, "0");
  return field;
};

const decode = (field: string): string => {
  let value = "";
  for (let i = 1; i < field.length; i += 4) value += String.fromCharCode(Number.parseInt(field.slice(i, i + 4), 16));
  return value;
};

export class JavaOracle {
  private constructor(private readonly process: OracleProcess) {}

  /** Compiles the oracle if needed (javac; `make java` installs a JDK) and starts it. */
  static start(): JavaOracle {
    return new JavaOracle(startJavaOracle({ name: "JavaPatternOracle", jvm: ["-Xss8m"] }));
  }

  private ask(request: string): Promise<string> {
    return this.process.ask(request);
  }

  /** Pattern.compile(pattern), then matcher(name).matches() for each name. */
  async matches(pattern: string, names: readonly string[]): Promise<JavaAnswer> {
    const line = await this.ask(["M", encode(pattern), ...names.map(encode)].join(" "));
    if (line.startsWith("E ")) return { refused: decode(line.slice(2)) };
    return { matches: [...line.slice(2)].map((bit) => (bit === "X" ? null : bit === "1")) };
  }

  /** The code points (surrogates left out) whose one-character string the pattern fully matches. */
  async codePoints(pattern: string): Promise<JavaSet> {
    const line = await this.ask(`S ${encode(pattern)}`);
    if (line.startsWith("E ")) return { refused: decode(line.slice(2)) };
    const body = line.slice(2);
    return {
      ranges: body === "" ? [] : body.split(",").map((range) => range.split("-").map((hex) => Number.parseInt(hex, 16)) as [number, number]),
    };
  }

  close(): void {
    this.process.close();
  }
}
