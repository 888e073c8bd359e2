// The release workflow's steps (.github/workflows/release.yml), and its dry run executed as CI
// would: the packaging tests install the tarball that dry run packs, so the suite packs once.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";

const root = join(__dirname, "..");
const run = promisify(execFile);

export interface ReleaseStep {
  if?: string;
  run?: string;
  env?: Record<string, string>;
}
export interface ReleaseJob {
  permissions: Record<string, string>;
  env: Record<string, string>;
  steps: ReleaseStep[];
}

export const releaseWorkflow = parse(readFileSync(join(root, ".github", "workflows", "release.yml"), "utf8"));
export const releaseJob = releaseWorkflow.jobs.release as ReleaseJob;

/** The `run` steps of a tagged release (`publish`) or of a dry run. */
export const releaseRuns = (publish: boolean) =>
  releaseJob.steps.filter(
    (s) => s.run && (s.if === undefined || s.if === `env.PUBLISH ${publish ? "==" : "!="} 'true'`),
  );

/** The steps CI has done before the suite runs (tools, install, the suite itself). */
const alreadyDone = (cmd: string) => /^(sudo apt-get|npm ci|npm test$)/.test(cmd);

/**
 * Runs the dry run's remaining steps in the checkout (release check, pack, publish --dry-run) and
 * returns the output of each and the packed tarball's path under `.release/`.
 */
export async function runReleaseDryRun(): Promise<{ outputs: { cmd: string; output: string }[]; tarball: string }> {
  const outputs: { cmd: string; output: string }[] = [];
  for (const { run: cmd } of releaseRuns(false).filter((s) => !alreadyDone(s.run!))) {
    const { stdout, stderr } = await run("sh", ["-c", cmd!], { cwd: root, env: { ...process.env, CI: "true" } });
    outputs.push({ cmd: cmd!, output: `${stdout}${stderr}` });
  }
  const tarballs = readdirSync(join(root, ".release")).filter((f) => f.endsWith(".tgz"));
  if (tarballs.length !== 1) throw new Error(`the release dry run packed ${tarballs.length} tarballs`);
  return { outputs, tarball: join(root, ".release", tarballs[0]) };
}
