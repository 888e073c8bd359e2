/**
 * Plans a Pulumi project offline (a model team's, e.g. examples/model-team, or any program that
 * uses the kit): its program runs on the mock runtime, and what it reads with
 * `pulumi.StackReference` is answered from recorded outputs (`platform-outputs.<stack>.json` beside
 * its Pulumi.yaml).
 */
import { existsSync, readFileSync } from "node:fs";
import Module from "node:module";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import NODE_BUNDLE_OPTIONS from "./bundle-options.json";
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
  /** Where its stack files are (`stackConfigDir`, default the project's folder). */
  stackConfigDir: string;
}

/** Reads a project's Pulumi.yaml: its name (the namespace of its config keys), program and stack files. */
export function loadPulumiProject(dir: string): PulumiProject {
  const file = join(dir, "Pulumi.yaml");
  if (!existsSync(file)) throw new Error(`no Pulumi.yaml in ${dir}`);
  const doc = parse(readFileSync(file, "utf8")) as { name?: unknown; main?: unknown; stackConfigDir?: unknown };
  if (typeof doc?.name !== "string" || doc.name === "") throw new Error(`${file}: name is required`);
  const main = resolve(dir, typeof doc.main === "string" ? doc.main : "index.ts");
  const entry = existsSync(main) && !main.endsWith(".ts") ? join(main, "index.ts") : main;
  if (!existsSync(entry)) throw new Error(`${file}: the program ${entry} does not exist`);
  const stackConfigDir = resolve(dir, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : ".");
  return { dir: resolve(dir), name: doc.name, main: entry, stackConfigDir };
}

/** The project's stack file for `stack`, as the Pulumi CLI finds it. */
export function projectStackFile(project: PulumiProject, stack: string): string {
  return join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
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
 * The root of this kit's checkout that holds `dir` (its examples), if any: the folder whose
 * package.json is the kit's and which has the kit's sources.
 */
export function kitCheckoutOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const manifest = join(d, "package.json");
    if (existsSync(manifest) && existsSync(join(d, "components", "index.ts"))) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (name === KIT_PACKAGE) return d;
    }
    if (dirname(d) === d) return undefined;
  }
}

/** The kit's package name, as projects import it. */
export const KIT_PACKAGE = "@mlserving/kit";

/**
 * The project's program as a function. Its entry file is bundled with esbuild in memory and
 * loaded as a module of the project's folder: the packages it imports (the kit, the Pulumi SDKs,
 * anything else the project installed) resolve from the project's own node_modules, the versions
 * it installed, and nothing is written to disk. A project inside this kit's checkout (the
 * examples) imports `@mlserving/kit` from the checkout's sources instead. Pulumi runs `export =`
 * functions and plain modules alike; so does this. The module's code runs when the returned
 * function is called (inside the stack), not here.
 */
export function loadProjectProgram(project: PulumiProject): () => unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  const kit = kitCheckoutOf(project.dir);
  const { outputFiles } = esbuild.buildSync({
    ...(NODE_BUNDLE_OPTIONS as import("esbuild").BuildOptions),
    entryPoints: [project.main],
    write: false,
    outfile: join(project.dir, "program.js"),
    ...(kit ? { alias: kitSourceAliases(kit) } : {}),
  });
  const code = outputFiles.find((f) => f.path.endsWith(".js"))!.text;
  // A module that lives (for resolution) beside the program's entry file, run only when the plan
  // runs the program: as under Pulumi, top-level code runs inside the stack, with its config set.
  return () => {
    const filename = join(dirname(project.main), `.mlserving-plan-${process.pid}.js`);
    const mod = new Module(filename, module);
    mod.filename = filename;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(filename));
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(code, filename);
    const exported = mod.exports as unknown;
    if (typeof exported === "function") return (exported as () => unknown)();
    const def = (exported as { default?: unknown }).default;
    if (typeof def === "function") return (def as () => unknown)();
    return exported;
  };
}

/** The package's entry points, mapped to this checkout's sources. */
function kitSourceAliases(root: string): Record<string, string> {
  return {
    [`${KIT_PACKAGE}/policies`]: join(root, "policies", "rules", "index.ts"),
    [`${KIT_PACKAGE}/testing`]: join(root, "cli", "testing.ts"),
    [`${KIT_PACKAGE}/stack`]: join(root, "stacks", "program.ts"),
    [KIT_PACKAGE]: join(root, "components", "index.ts"),
  };
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
