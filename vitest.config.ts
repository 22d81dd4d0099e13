import { defineConfig } from "vitest/config";

// Two projects. "fast" is the loop a change is made in (`make check`): the policy through both engines, every
// case, the SQL, JSON and grant readers, the CLI in-process. "slow" spawns processes (the built CLI, serve, OPA,
// the JDK oracles), generates thousands of requests or puts serve under load; `make test` runs both.
const slow = [
  "test/abuse.test.ts",
  "test/bundle-build.test.ts",
  "test/bundle-distribution.test.ts",
  "test/bundle-signing.test.ts",
  "test/cli-binary.test.ts",
  "test/decision-pool.test.ts",
  "test/differential.test.ts",
  "test/druid-authorizer*.test.ts",
  "test/druid-json.test.ts",
  "test/faults.test.ts",
  "test/hostile-input.test.ts",
  "test/import.test.ts",
  "test/java-pattern.test.ts",
  "test/ldap-names.test.ts",
  "test/opa-agent.test.ts",
  "test/package.test.ts",
  "test/readme.test.ts",
  "test/serve.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "fast", include: ["test/**/*.test.ts"], exclude: slow } },
      // The slow tests spawn the built CLI: a stale dist/ must never pass for the source, so they build it first.
      { extends: true, test: { name: "slow", include: slow, globalSetup: ["test/global-setup.ts"] } },
    ],
  },
});
