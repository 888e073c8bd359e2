// The package's public surface, one report per entry point of package.json `exports` (API Extractor,
// api/*.api.md). `npm test` runs it as `npm run api:check`: a surface that differs from the checked-in
// report fails, naming the entry point. `npm run api` rewrites the reports, for review with the change.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel } from "@microsoft/api-extractor";

const root = join(__dirname, "..");
/** Declarations of the entry points, emitted by tsconfig.api.json. */
const TYPES = join(root, ".api", "types");

/** What tsconfig.api.json compiles. */
const SOURCE_FOLDERS = ["components", "stacks", "policies", "cli"];

/** Each entry point of package.json `exports` and the report that records it. */
export const API_ENTRY_POINTS = [
  { subpath: ".", source: "components/index.ts", report: "kit" },
  { subpath: "./policies", source: "policies/rules/index.ts", report: "kit-policies" },
  { subpath: "./testing", source: "cli/testing.ts", report: "kit-testing" },
  // The stack program names the platform's types, which `@mlserving/kit` exports: the report lists them.
  { subpath: "./stack", source: "stacks/program.ts", report: "kit-stack", typesFrom: "." },
] as const;

type EntryPoint = (typeof API_ENTRY_POINTS)[number];

const declarations = (entry: EntryPoint) => join(TYPES, entry.source.replace(/\.ts$/, ".d.ts"));

function extractorConfig(entry: EntryPoint): ExtractorConfig {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: declarations(entry),
      // Only the entry point's declarations and what they import (not the sources tsconfig.api.json lists).
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: "ES2022",
            module: "commonjs",
            moduleResolution: "node",
            lib: ["ES2022"],
            types: ["node"],
            strict: true,
            esModuleInterop: true,
            resolveJsonModule: true,
            skipLibCheck: true,
          },
          files: [declarations(entry)],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        reportFolder: join(root, "api"),
        reportTempFolder: join(root, ".api", "reports"),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // Every type a public signature names is public too: a name left out is an error.
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning },
          "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
          "ae-undocumented": { logLevel: ExtractorLogLevel.None },
          "ae-unresolved-link": { logLevel: ExtractorLogLevel.None },
          "ae-forgotten-export":
            "typesFrom" in entry
              ? { logLevel: ExtractorLogLevel.None, addToApiReportFile: true }
              : { logLevel: ExtractorLogLevel.Error },
        },
        // TSDoc style is not what this report reviews.
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(root, "package.json"),
  });
}

function report(entry: EntryPoint, update: boolean, compilerState: CompilerState): boolean {
  const result = Extractor.invoke(extractorConfig(entry), { localBuild: update, compilerState });
  if (result.apiReportChanged && !update)
    console.error(
      `${entry.subpath} (${entry.source}): the public API differs from api/${entry.report}.api.md; ` +
        "review the change and run `npm run api` to record it",
    );
  return result.succeeded;
}

/** Newest modification time of the files under `dir` (ms). */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const path = join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

function main() {
  const update = process.argv.includes("--update");
  // Declarations of every source, into .api/types. `npm run typecheck` emits them (tsconfig.api.json);
  // they are emitted again only when a source is newer than the last emit.
  const buildInfo = join(TYPES, ".tsbuildinfo");
  const emitted = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0;
  if (SOURCE_FOLDERS.some((f) => newest(join(root, f)) > emitted))
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.api.json")], {
      stdio: "inherit",
    });
  // One compiler program for every entry point: the Pulumi SDKs' declarations are read once.
  const compilerState = CompilerState.create(extractorConfig(API_ENTRY_POINTS[0]), {
    additionalEntryPoints: API_ENTRY_POINTS.map(declarations),
  });
  const failed = API_ENTRY_POINTS.filter((entry) => !report(entry, update, compilerState));
  if (failed.length > 0) {
    console.error(
      `API report ${update ? "could not be written" : "check failed"}: ${failed.map((e) => e.subpath).join(", ")}`,
    );
    process.exitCode = 1;
  }
}

if (require.main === module) main();
