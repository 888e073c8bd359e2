import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(__dirname, "..", "..");
const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8"));

describe("Pulumi project", () => {
  it("names the stack program file as main, so Pulumi never falls back to package.json's library entry", () => {
    // A directory `main` makes Pulumi's Node.js runner resolve package.json "exports" (dist/), not stacks/.
    expect(project.main).toBe("stacks/index.ts");
    expect(existsSync(join(root, project.main))).toBe(true);
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
    expect(project.stackConfigDir).toBe("stacks");
    for (const env of ["dev", "staging", "prod"])
      expect(existsSync(join(root, "stacks", `Pulumi.${env}.yaml`)), env).toBe(true);
  });

  it("exports a function from the program, which Pulumi calls for the stack's outputs", async () => {
    const tsx = join(root, "node_modules", ".bin", "tsx");
    // Asynchronous, so the worker's event loop (and vitest's RPC) keeps running while it loads.
    const run = await promisify(execFile)(
      tsx,
      ["-e", `process.stdout.write(typeof require(${JSON.stringify(join(root, project.main))}))`],
      { cwd: root, encoding: "utf8" },
    );
    expect(run.stdout).toBe("function");
  });

  it("compiles the program in stacks/ with the kit's compiler settings (Pulumi reads only stacks/tsconfig.json there)", () => {
    const cfg = JSON.parse(readFileSync(join(root, "stacks", "tsconfig.json"), "utf8"));
    const rootCfg = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8"));
    for (const k of ["target", "module", "moduleResolution", "strict", "resolveJsonModule"])
      expect(cfg.compilerOptions[k], k).toEqual(rootCfg.compilerOptions[k]);
  });
});
