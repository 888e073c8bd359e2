import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KIT_FACTS_PATH, kitFactsSource, VENDORED_MODULES, vendoredPath, vendoredSource } from "../../cli/kit-facts";
import * as kit from "../../components/common/accelerators";
import { INSTANCE_TYPES } from "../../components/common/instance-types";
import * as pack from "../../policies/rules/accelerators";
import { allPolicies } from "../../policies/rules";

const root = join(__dirname, "..", "..");
const policiesDir = join(root, "policies");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === "node_modules"
      ? []
      : e.isDirectory()
        ? tsFiles(join(dir, e.name))
        : e.name.endsWith(".ts")
          ? [join(dir, e.name)]
          : [],
  );
}

describe("the policy pack needs nothing outside its folder", () => {
  it("policies/rules/kit-facts.ts is what `npm run policy-facts` writes from the components now", async () => {
    const file = join(root, KIT_FACTS_PATH);
    expect(readFileSync(file, "utf8"), "stale: run `npm run policy-facts`").toBe(await kitFactsSource(file));
    for (const name of VENDORED_MODULES)
      expect(readFileSync(join(root, vendoredPath(name)), "utf8"), `stale ${name}: run \`npm run policy-facts\``).toBe(
        await vendoredSource(root, name),
      );
  });

  it("the pack's accelerator lookups agree with the components' for every instance type", () => {
    const types = INSTANCE_TYPES.map((t) => t.name);
    expect(types.length).toBeGreaterThan(10);
    for (const t of [...types, "m7i.large", "g6.huge", "nope"]) {
      expect(pack.kindOf(t), t).toBe(kit.kindOf(t));
      expect(pack.devicesPerInstance(t), t).toBe(kit.devicesPerInstance(t));
      expect(pack.familyOf(t), t).toBe(kit.familyOf(t));
    }
    for (const ami of [
      "AL2023_x86_64_NVIDIA",
      "BOTTLEROCKET_ARM_64_NVIDIA",
      "AL2023_x86_64_NEURON",
      "AL2023_x86_64_STANDARD",
    ])
      expect(pack.kindOfAmiType(ami), ami).toBe(kit.ACCELERATOR_REGISTRY.kindOfAmiType(ami));
    expect(pack.DEVICE_RESOURCE).toEqual(kit.DEVICE_RESOURCE);
    expect(pack.ACCELERATOR_TAINT_KEY).toEqual(kit.ACCELERATOR_TAINT_KEY);
  });

  it("every import is inside policies/ or a package policies/package.json lists", () => {
    const manifest = JSON.parse(readFileSync(join(policiesDir, "package.json"), "utf8"));
    const deps = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }));
    const bad: string[] = [];
    for (const file of tsFiles(policiesDir)) {
      for (const m of readFileSync(file, "utf8").matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
        const spec = m[1];
        if (spec.startsWith(".")) {
          if (relative(policiesDir, resolve(dirname(file), spec)).startsWith("..")) bad.push(`${file}: ${spec}`);
        } else if (!spec.startsWith("node:")) {
          const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
          if (!deps.has(name)) bad.push(`${file}: ${spec} (not in policies/package.json)`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("policies/ has its own lockfile for the packages it lists", () => {
    const manifest = JSON.parse(readFileSync(join(policiesDir, "package.json"), "utf8"));
    const lock = JSON.parse(readFileSync(join(policiesDir, "package-lock.json"), "utf8"));
    expect(lock.packages[""].dependencies).toEqual(manifest.dependencies);
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }))
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
  });

  describe("copied alone, it loads the way Pulumi's policy host loads a TypeScript pack", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-pack-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("ts-node (with type checking, as @pulumi/pulumi's run-policy-pack registers it) resolves every module", async () => {
      cpSync(policiesDir, join(dir, "policies"), { recursive: true, filter: (src) => !src.includes("node_modules") });
      const packDir = join(dir, "policies");
      // The packages `npm ci` installs from policies/package-lock.json, taken from this checkout.
      symlinkSync(join(root, "node_modules"), join(packDir, "node_modules"), "dir");
      // What cmd/run-policy-pack/run.js does before it requires the pack's entry point; the entry
      // point itself starts the policy server, so the loader requires the rules it assembles.
      writeFileSync(
        join(packDir, "load.js"),
        `const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
  typeCheck: true,
  skipProject: false,
  compiler: typescriptRequire,
  compilerOptions: { target: "ES2020", module: "commonjs", moduleResolution: "node", ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json") },
});
const { allPolicies } = require("./rules");
const { PolicyPack } = require("@pulumi/policy");
console.log(JSON.stringify({ policies: allPolicies.map((p) => p.name), packClass: typeof PolicyPack }));
`,
      );
      // Asynchronous: type checking the pack takes many seconds, and a synchronous child would block
      // the worker's event loop, so vitest's RPC could not hear from it meanwhile.
      const { stdout: out } = await promisify(execFile)(process.execPath, ["load.js"], {
        cwd: packDir,
        encoding: "utf8",
      });
      const loaded = JSON.parse(out.trim().split("\n").pop()!);
      expect(loaded.packClass).toBe("function");
      // Every rule of the pack, the newest included, loads from the folder alone.
      expect(loaded.policies).toEqual(allPolicies.map((p) => p.name));
    });
  });
});
