import { execFile } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");

export interface PlanRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * What `npm run plan -- <args>` runs (`node cli/run-plan.js`), from the repository root.
 * Asynchronous: a synchronous spawn would block the worker's event loop for the whole plan, and
 * under load vitest's worker RPC then times out.
 */
export function planCommand(...args: string[]): Promise<PlanRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, "cli", "run-plan.js"), ...args],
      { cwd: root, encoding: "utf8" },
      (error, stdout, stderr) =>
        done({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
