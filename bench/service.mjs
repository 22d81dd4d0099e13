// `msq-authz serve` as a child process on a free loopback port, for the service benchmarks and the soak.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const root = new URL("..", import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `msq-authz serve ARGS` and resolves once /health answers; `stop()` sends SIGTERM and waits for the exit. */
export async function startService(args) {
  const port = await freePort();
  const child = spawn("node", [join(root, "dist/cli/main.js"), "serve", ...args, "--port", String(port)], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`msq-authz serve ${args.join(" ")} exited with ${child.exitCode}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    if (attempt === 300) throw new Error(`msq-authz serve ${args.join(" ")} did not answer /health in 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
