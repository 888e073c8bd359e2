import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    setupFiles: ["test/setup-sdk.ts"],
    // No test or hook is timed (0 turns vitest's timer off): on a shared, loaded machine a plan or
    // a child process takes many times as long as on a quiet one, and no bound fits every load.
    // A test that hangs is left to the CI runner's job limit, not to a clock inside the suite.
    testTimeout: 0,
    hookTimeout: 0,
    // Workers report to the main process over RPC; on a loaded machine the last reports can take
    // longer than the 10 s default to drain after the tests have passed.
    teardownTimeout: 60_000,
    pool: "forks",
    // Test files run one after another in each worker and share its modules, so the Pulumi SDKs
    // load once per worker instead of once per file (most of the suite's time). A test that
    // changes module state (a registered runtime) restores it; run with --sequence.shuffle to check.
    isolate: false,
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // A test that replaces a module (vi.mock) must load the kit afresh, which a shared module
    // registry cannot give: those files (`*.isolated.test.ts`) run in a project of their own,
    // isolated, so the order in which files meet in a worker never decides what they see.
    projects: [
      {
        extends: true,
        test: { name: "suite", include: ["test/**/*.test.ts"], exclude: ["test/**/*.isolated.test.ts"] },
      },
      { extends: true, test: { name: "isolated", include: ["test/**/*.isolated.test.ts"], isolate: true } },
    ],
  },
});
