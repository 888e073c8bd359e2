#!/usr/bin/env node
/**
 * `mlserving-plan`, the package's plan command, run in a repository that installed the kit: plans
 * the Pulumi project in the current folder (or --project) offline. See cli/plan-cli.ts.
 */
import { runPlanCliProcess } from "./plan-cli";

// The plan reports errors by message, never by stack trace (as cli/run-plan.js does).
if (!process.env.MLSERVING_PLAN_STACK_TRACES) Error.stackTraceLimit = 0;
runPlanCliProcess({ kind: "installed", cwd: process.cwd() });
