// A bundle source keeps polling whatever happens to one poll: with no "error" listener (an EventEmitter would throw
// the error, and the rejected poll used to end the polling silently), and with a server that refuses connections.
import { describe, expect, it } from "vitest";
import { BundleSource } from "../src/bundle/source.js";
import { freePort } from "./ports.js";

describe("a bundle source", () => {
  it("never rejects a poll, and keeps polling after failures when nobody listens for errors", async () => {
    const source = new BundleSource({ location: `http://127.0.0.1:${await freePort()}/bundle.tar.gz`, pollIntervalMs: 20, maxBackoffMs: 40 });
    await expect(source.poll()).resolves.toBeUndefined();
    source.start();
    try {
      for (let i = 0; i < 200 && source.status.failures < 4; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      source.stop();
    }
    expect(source.status).toMatchObject({ failures: expect.any(Number), lastError: expect.stringMatching(/ECONNREFUSED|fetch failed|connect/u) });
    expect(source.status.failures).toBeGreaterThanOrEqual(4);
  });
});
