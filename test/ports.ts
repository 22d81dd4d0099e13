// Loopback ports for the tests that start servers of their own (OPA agents, spawned serve processes).
import { createServer } from "node:net";

/** A loopback port nothing listens on now: free for a server to take, or refused to a client that connects. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
