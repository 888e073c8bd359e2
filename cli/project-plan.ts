/**
 * Plans another Pulumi project of this repository (a model team's, e.g. examples/model-team)
 * offline: its program runs on the mock runtime, and what it reads with `pulumi.StackReference` is
 * answered from recorded outputs (`platform-outputs.<stack>.json` beside its Pulumi.yaml).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parse } from "yaml";
import type { RecordedStackOutputs } from "./fake-cloud";
import { loadStackFile, StackFileError } from "./stack-file";

/** A recorded copy of a stack's outputs, for offline planning of the stacks that reference it. */
export interface RecordedOutputsFile extends RecordedStackOutputs {
  /** The stack these are the outputs of, as a `StackReference` names it (`<org>/<project>/<stack>`). */
  stack: string;
  /** How the file was made. */
  generatedBy: string;
}

export interface PulumiProject {
  dir: string;
  name: string;
  /** The program's entry file. */
  main: string;
}

/** Reads a project's Pulumi.yaml: its name (the namespace of its config keys) and its program. */
export function loadPulumiProject(dir: string): PulumiProject {
  const file = join(dir, "Pulumi.yaml");
  if (!existsSync(file)) throw new Error(`no Pulumi.yaml in ${dir}`);
  const doc = parse(readFileSync(file, "utf8")) as { name?: unknown; main?: unknown };
  if (typeof doc?.name !== "string" || doc.name === "") throw new Error(`${file}: name is required`);
  const main = resolve(dir, typeof doc.main === "string" ? doc.main : "index.ts");
  const entry = existsSync(main) && !main.endsWith(".ts") ? join(main, "index.ts") : main;
  if (!existsSync(entry)) throw new Error(`${file}: the program ${entry} does not exist`);
  return { dir: resolve(dir), name: doc.name, main: entry };
}

/** Where a project keeps the recorded outputs of the platform stack it plans against. */
export function recordedOutputsPath(projectDir: string, stack: string): string {
  return join(projectDir, `platform-outputs.${stack}.json`);
}

export function readRecordedOutputs(path: string): RecordedOutputsFile {
  const doc = JSON.parse(readFileSync(path, "utf8")) as Partial<RecordedOutputsFile>;
  if (typeof doc.stack !== "string" || typeof doc.outputs !== "object" || !Array.isArray(doc.secretOutputNames))
    throw new Error(`${path}: expected { "stack", "outputs", "secretOutputNames" }`);
  return doc as RecordedOutputsFile;
}

/**
 * The project's program as a function: its entry file bundled with esbuild (packages stay
 * external, so it shares this process's Pulumi SDK) and loaded. Pulumi runs `export =` functions
 * and plain modules alike; so does this.
 */
export function loadProjectProgram(project: PulumiProject, buildDir: string): () => unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  mkdirSync(buildDir, { recursive: true });
  const outfile = join(buildDir, `${basename(project.dir)}-${process.pid}.js`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NODE_BUNDLE_OPTIONS } = require("./run-plan.js") as { NODE_BUNDLE_OPTIONS: import("esbuild").BuildOptions };
  esbuild.buildSync({ ...NODE_BUNDLE_OPTIONS, entryPoints: [project.main], outfile });
  delete require.cache[outfile];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(outfile) as unknown;
  // Loaded: the bundle (per process) is not needed any more.
  rmSync(outfile, { force: true });
  if (typeof mod === "function") return mod as () => unknown;
  const def = (mod as { default?: unknown }).default;
  if (typeof def === "function") return def as () => unknown;
  return () => mod;
}

export type ProjectConfig =
  | { ok: true; config: Record<string, string>; secretKeys: string[]; region: string }
  | { ok: false; problems: { path: string; message: string }[] };

/** Reads the project's stack file as the Pulumi CLI hands it to the program; `aws:region` is required. */
export function loadProjectConfig(project: PulumiProject, configPath: string): ProjectConfig {
  try {
    const { config, secretKeys, problems, pulumiRefuses } = loadStackFile(configPath, project.name);
    // What the Pulumi CLI refuses in any project (a key without a namespace, a malformed ciphertext).
    const refused = problems.filter((p) => pulumiRefuses.includes(p.path));
    const region = config["aws:region"];
    if (!region) refused.push({ path: "aws:region", message: "is required" });
    if (refused.length > 0) return { ok: false, problems: refused };
    return { ok: true, config, secretKeys, region };
  } catch (e) {
    if (e instanceof StackFileError) return { ok: false, problems: [{ path: e.path, message: e.message }] };
    throw e;
  }
}
