// Each test file runs in a fresh worker that imports the Pulumi SDKs; defer the SDK modules no test
// (and no offline plan) uses, as `npm run plan` does (cli/run-plan.js), to cut every file's start-up.
import { createRequire } from "node:module";

const { deferUnusedSdkModules } = createRequire(__filename)("../cli/run-plan.js") as {
  deferUnusedSdkModules: () => void;
};
deferUnusedSdkModules();
