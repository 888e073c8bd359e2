// The kit as a library user gets it: the tarball the release workflow packs (`prepare` builds
// dist/), unpacked into a fresh project's node_modules, a consumer program compiled by tsc under
// moduleResolution node, node16 and bundler, then run on Pulumi's mock runtime.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import * as ts from "typescript";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReleaseDryRun } from "../release-workflow";

const root = join(__dirname, "..", "..");
const run = promisify(execFile);

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

/**
 * Installs the packed kit into `project`'s node_modules: the kit is only what the tarball holds;
 * its peers and every other package come from this checkout (the registry's copies at the
 * pinned versions), linked, not copied.
 */
function installKit(project: string, tarball: string): void {
  const modules = join(project, "node_modules");
  mkdirSync(join(modules, "@mlserving", "kit"), { recursive: true });
  for (const entry of readdirSync(join(root, "node_modules")))
    if (!entry.startsWith(".") && entry !== "@mlserving")
      symlinkSync(join(root, "node_modules", entry), join(modules, entry), "dir");
  execFileSync("tar", ["-xzf", tarball, "-C", join(modules, "@mlserving", "kit"), "--strip-components=1"]);
}

/** Runs the package's plan command (its `bin`, as npm links it) in `cwd`. */
async function mlservingPlan(cwd: string, ...args: string[]) {
  const kit = join(cwd, "node_modules", "@mlserving", "kit");
  const bin = JSON.parse(readFileSync(join(kit, "package.json"), "utf8")).bin["mlserving-plan"];
  try {
    const { stdout, stderr } = await run(process.execPath, [join(kit, bin), ...args], { cwd });
    return { status: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout: string; stderr: string };
    return { status: err.code ?? -1, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("the packed kit in a fresh project", () => {
  let dir = "";
  let files: string[] = [];

  let dryRun: { cmd: string; output: string }[] = [];
  let tarballPath = "";
  const madeRelease = !existsSync(join(root, ".release"));

  // The tarball is the one the release workflow's dry run packs: its steps (release check, pack,
  // publish --dry-run) run here as CI would run them, without a secret.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kit-consumer-"));
    const release = await runReleaseDryRun();
    dryRun = release.outputs;
    const tarball = release.tarball;
    tarballPath = tarball;
    files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    installKit(dir, tarball);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    writeFileSync(join(dir, "index.ts"), CONSUMER);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (madeRelease) rmSync(join(root, ".release"), { recursive: true, force: true });
  });

  it("is what the release workflow's dry run checks, packs and would publish", () => {
    expect(dryRun.map((r) => r.cmd)).toEqual([
      "npm run release:check",
      "mkdir -p .release && npm pack --pack-destination .release",
      "npm publish .release/*.tgz --dry-run --access public",
    ]);
    expect(dryRun.at(-1)!.output).toMatch(/\+ @mlserving\/kit@\d+\.\d+\.\d+/);
  });

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

  it("ships source maps that carry their sources, since the .ts files are not shipped", () => {
    const maps = files.filter((f) => f.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(50);
    const kit = join(dir, "node_modules", "@mlserving", "kit");
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(kit, map.replace(/^package\//, "")), "utf8"));
      expect(sourcesContent?.length, map).toBe(sources.length);
      expect(
        sourcesContent.every((c: unknown) => typeof c === "string" && c.length > 0),
        map,
      ).toBe(true);
    }
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

  describe("examples/model-team copied out as a team's own repository", () => {
    let team = "";
    beforeAll(() => {
      team = join(dir, "team-repo");
      cpSync(join(root, "examples", "model-team"), team, {
        recursive: true,
        filter: (src) => !/[\\/](node_modules|\.plan)$/.test(src),
      });
      installKit(team, tarballPath);
    });

    it("depends on the kit package, not on the kit's sources", () => {
      const manifest = JSON.parse(readFileSync(join(team, "package.json"), "utf8"));
      expect(Object.keys(manifest.dependencies)).toContain("@mlserving/kit");
      for (const f of readdirSync(team).filter((f) => f.endsWith(".ts")))
        expect(readFileSync(join(team, f), "utf8"), f).not.toMatch(/from "\.\.\//);
    });

    it("type-checks with its own tsconfig.json", async () => {
      const tsc = join(team, "node_modules", "typescript", "bin", "tsc");
      await run(process.execPath, [tsc, "-p", team], { cwd: team });
    });

    it("plans offline with the package's command: exit 0, no mandatory violation, output only in its .plan", async () => {
      const before = readdirSync(team).sort();
      const planned = await mlservingPlan(team, "--stack", "dev");
      expect(planned.stderr).toBe("");
      expect(planned.status).toBe(0);
      expect(planned.stdout).toMatch(/Policies: \d+ run, 0 mandatory violation/);
      const doc = JSON.parse(readFileSync(join(team, ".plan", "dev", "resources.json"), "utf8"));
      expect(doc).toMatchObject({ project: "model-team", stack: "dev" });
      expect(doc.resources.map((r: { type: string }) => r.type)).toContain("mlserving:serving:TritonServer");
      expect(readdirSync(team).sort()).toEqual([...before, ".plan"].sort());
    });

    it("a misspelt stack is refused with the stacks it has", async () => {
      const planned = await mlservingPlan(team, "--stack", "dve");
      expect(planned.status).toBe(2);
      expect(planned.stderr).toContain("did you mean --stack dev?");
    });
  });

  describe("a program that composes the components itself, copied out (examples/library-program)", () => {
    let lib = "";
    beforeAll(() => {
      lib = join(dir, "library-repo");
      cpSync(join(root, "examples", "library-program"), lib, {
        recursive: true,
        filter: (src) => !/[\\/](node_modules|\.plan)$/.test(src),
      });
      installKit(lib, tarballPath);
      // A package only this project has: the plan must resolve it from the project, not the kit.
      mkdirSync(join(lib, "node_modules", "team-only-tags"), { recursive: true });
      writeFileSync(join(lib, "node_modules", "team-only-tags", "index.js"), 'exports.costCenter = "cc-42";\n');
      const index = join(lib, "index.ts");
      writeFileSync(
        index,
        readFileSync(index, "utf8").replace(
          'const tags = { environment: "dev", team: "ml" };',
          '// eslint-disable-next-line @typescript-eslint/no-require-imports\nconst tags = { environment: "dev", team: "ml", "cost-center": require("team-only-tags").costCenter };',
        ),
      );
    });

    it("plans offline at prod's policy levels with no mandatory violation: tagged, isolated, private", async () => {
      const planned = await mlservingPlan(lib, "--stack", "dev", "--environment", "prod");
      expect(planned.stderr).toBe("");
      expect(planned.status).toBe(0);
      expect(planned.stdout).toMatch(/Policies: \d+ run, 0 mandatory violation/);
      const doc = JSON.parse(readFileSync(join(lib, ".plan", "dev", "resources.json"), "utf8"));
      const vpc = doc.resources.find((r: { type: string }) => r.type === "awsx:ec2:Vpc");
      expect(vpc.inputs.tags).toMatchObject({ environment: "dev", team: "ml", "cost-center": "cc-42" });
      const policies = doc.resources.filter(
        (r: { type: string }) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      );
      expect(
        policies.map(
          (p: { inputs: { metadata: { namespace: string; name: string } } }) =>
            `${p.inputs.metadata.namespace}/${p.inputs.metadata.name}`,
        ),
      ).toEqual(
        expect.arrayContaining(["serving/default-deny", "keda/default-deny-ingress", "kserve/default-deny-ingress"]),
      );
    });
  });
});
