import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The file that marks a folder as the plan's own output, which a later plan may replace. */
export const PLAN_MARKER = ".mlserving-plan";

/**
 * Why the plan must not write to `dir`, or undefined when it may: a folder that does not exist
 * yet, an empty one, or one a previous plan wrote (it holds {@link PLAN_MARKER}). The plan
 * replaces the folder's content, so it never takes one that holds anything else.
 */
export function outDirProblem(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `--out ${dir} is not a folder`;
  if (readdirSync(dir).length === 0 || existsSync(join(dir, PLAN_MARKER))) return undefined;
  return `--out ${dir} is not empty and was not written by the plan (it has no ${PLAN_MARKER} file); give an empty or new folder`;
}

/**
 * Replaces `dir`'s content with the plan's files (relative path -> content) and marks it as the
 * plan's. What an earlier plan wrote and this one does not is deleted; the rest is rewritten in
 * place, and only where it changed (a large plan writes over a thousand files).
 */
export function writePlanOutput(dir: string, files: Record<string, string>): void {
  const problem = outDirProblem(dir);
  if (problem) throw new Error(problem);
  const keep = new Set([PLAN_MARKER, ...Object.keys(files)].map((file) => join(dir, file)));
  if (existsSync(dir)) removeAllBut(dir, keep);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, PLAN_MARKER),
    "Written by `npm run plan`. The next plan to this folder deletes and rewrites it.\n",
  );
  for (const sub of new Set(Object.keys(files).map((file) => dirname(join(dir, file)))))
    mkdirSync(sub, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeIfChanged(join(dir, file), content);
}

/**
 * Writes `content` to `path` unless the file already holds exactly that. Re-planning mostly
 * rewrites what is there; reading a file back costs a fraction of rewriting it on a busy disk.
 */
function writeIfChanged(path: string, content: string): void {
  let current: string | undefined;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = undefined;
  }
  if (current !== content) writeFileSync(path, content);
}

/** Deletes everything under `dir` but the files in `keep` (absolute paths); true when `dir` is left empty. */
function removeAllBut(dir: string, keep: Set<string>): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && removeAllBut(path, keep)) rmSync(path, { recursive: true, force: true });
    else if (entry.isDirectory() || keep.has(path)) empty = false;
    else rmSync(path, { force: true });
  }
  return empty;
}
