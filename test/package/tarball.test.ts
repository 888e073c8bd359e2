// The kit as a library user gets it: `npm pack` (which builds dist/ through `prepare`), the
// tarball unpacked into a fresh project's node_modules, a consumer program compiled by tsc under
// moduleResolution node, node16 and bundler, then run on Pulumi's mock runtime.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import * as ts from "typescript";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import { MlPlatform, platformSpec, InvalidArgsError } from "@mlserving/kit";
import { allPolicies } from "@mlserving/kit/policies";

const spec = platformSpec("dev", {
  team: "ml-platform",
  region: "us-west-2",
  cluster: { deployerAccess: "public", publicAccessCidrs: ["203.0.113.0/24"], logRetentionDays: 60 },
});
export const platform = new MlPlatform("ml", spec);
export const clusterName: pulumi.Output<string> = platform.cluster.cluster.name;
export const policyNames: string[] = allPolicies.map((p) => p.name);
export const retention: number = spec.cluster.logRetentionDays;
let refused = "";
try {
  platformSpec("prod", { team: "ml-platform", region: "us-west-2", cluster: { logRetentionDays: -1 } });
} catch (e) {
  if (e instanceof InvalidArgsError) refused = e.message;
}
export const refusedMessage = refused;
`;

const tsconfig = (module: string, moduleResolution: string, emit: boolean) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module,
      moduleResolution,
      strict: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: [],
      ...(emit ? { outDir: `out-${moduleResolution}` } : { noEmit: true }),
    },
    files: ["index.ts"],
  });

describe("the packed kit in a fresh project", () => {
  let dir = "";
  let files: string[] = [];

  // Timeouts are generous: packing builds the library with tsc, and on a shared, loaded machine
  // each step can take several times as long as on a quiet one.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kit-consumer-"));
    await run(npm, ["pack", "--pack-destination", dir, "--silent"], { cwd: root });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error("npm pack wrote no tarball");
    files = execFileSync("tar", ["-tzf", join(dir, tarball)], { encoding: "utf8" })
      .trim()
      .split("\n");
    // The kit's own dependencies come from this checkout (the registry's copies at the pinned
    // versions); the kit itself is only what the tarball holds.
    const modules = join(dir, "node_modules");
    mkdirSync(join(modules, "@mlserving", "kit"), { recursive: true });
    for (const entry of readdirSync(join(root, "node_modules")))
      if (!entry.startsWith(".") && entry !== "@mlserving")
        symlinkSync(join(root, "node_modules", entry), join(modules, entry), "dir");
    execFileSync("tar", ["-xzf", join(dir, tarball), "-C", join(modules, "@mlserving", "kit"), "--strip-components=1"]);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    writeFileSync(join(dir, "index.ts"), CONSUMER);
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("holds the built library, its licence and changelog, and no sources", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package/LICENSE",
        "package/CHANGELOG.md",
        "package/package.json",
        "package/dist/components/index.js",
        "package/dist/components/index.d.ts",
        "package/dist/policies/rules/index.js",
        "package/dist/policies/rules/index.d.ts",
      ]),
    );
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((f) => f.includes("tsbuildinfo"))).toEqual([]);
  });

  it.each([
    [ts.ModuleResolutionKind.Node10, ts.ModuleKind.CommonJS],
    [ts.ModuleResolutionKind.Node16, ts.ModuleKind.Node16],
    [ts.ModuleResolutionKind.Bundler, ts.ModuleKind.ESNext],
  ])("both entry points resolve to their declarations under moduleResolution %s", (moduleResolution, module) => {
    const from = join(dir, "index.ts");
    for (const [spec, dts] of [
      ["@mlserving/kit", "dist/components/index.d.ts"],
      ["@mlserving/kit/policies", "dist/policies/rules/index.d.ts"],
    ]) {
      const r = ts.resolveModuleName(spec, from, { moduleResolution, module }, ts.sys);
      expect(r.resolvedModule?.resolvedFileName, spec).toBe(join(dir, "node_modules", "@mlserving", "kit", dts));
    }
  });

  it("a consumer compiles with tsc under moduleResolution node and node16, and runs on mocks", async () => {
    writeFileSync(join(dir, "tsconfig.node.json"), tsconfig("commonjs", "node", true));
    writeFileSync(join(dir, "tsconfig.node16.json"), tsconfig("node16", "node16", false));
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await Promise.all(
      ["tsconfig.node.json", "tsconfig.node16.json"].map((p) => run(process.execPath, [tsc, "-p", p], { cwd: dir })),
    );

    // Pulumi's mock runtime (cli/mock-runtime.ts, the harness every component test uses) runs the
    // compiled consumer; the kit and the runner share the one @pulumi/pulumi of this checkout.
    writeFileSync(
      join(dir, "run.ts"),
      `import { runOnMocks } from ${JSON.stringify(join(root, "cli", "mock-runtime"))};
runOnMocks({ project: "consumer", stack: "dev", region: "us-west-2" }, () => require("./out-node/index.js")).then(
  ({ resources, result }) => {
    const r = result as Record<string, unknown>;
    console.log(JSON.stringify({ types: [...new Set(resources.map((x) => x.type))], policyNames: r.policyNames, retention: r.retention, refusedMessage: r.refusedMessage }));
  },
  (e) => { console.error(e); process.exit(1); },
);
`,
    );
    const { stdout: out } = await run(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "run.ts"],
      { cwd: dir },
    );
    const ran = JSON.parse(out.trim().split("\n").pop()!);
    expect(ran.types).toEqual(
      expect.arrayContaining([
        "mlserving:platform:MlPlatform",
        "aws:eks/cluster:Cluster",
        "mlserving:network:Network",
        "mlserving:capacity:AcceleratorNodeGroup",
      ]),
    );
    expect(ran.policyNames).toContain("accelerator-nodes-tainted");
    expect(ran.retention).toBe(60);
    expect(ran.refusedMessage).toMatch(/cluster\.logRetentionDays/);
  });
});
