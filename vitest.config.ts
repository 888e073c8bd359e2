import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup-sdk.ts"],
    // Generous bounds (not timing assertions): on a shared, loaded machine a plan or a child
    // process takes many times as long as on a quiet one.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Workers report to the main process over RPC; on a loaded machine the last reports can take
    // longer than the 10 s default to drain after the tests have passed.
    teardownTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
