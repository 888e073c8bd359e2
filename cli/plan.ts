/**
 * `npm run plan` in the kit's checkout (run precompiled by cli/run-plan.js): the offline plan of
 * the checkout's stacks (stacks/Pulumi.<name>.yaml) and of its example projects. See cli/plan-cli.ts.
 */
import { resolve } from "node:path";
import { runPlanCliProcess } from "./plan-cli";

runPlanCliProcess({ kind: "kit", root: resolve(__dirname, "..") });
