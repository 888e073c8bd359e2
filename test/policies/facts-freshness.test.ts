// The policy pack's generated facts cannot go stale unnoticed: inside the kit's checkout the pack's
// entry point (as Pulumi's policy host runs it) and the offline plan refuse a snapshot older than
// the components, naming the command that regenerates it; a current one, or the pack alone, runs.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { kitFactsSourceDigests } from "../../cli/kit-facts";
import { planCli } from "../../cli/plan-cli";
import { kitFactsStaleness } from "../../policies/rules/facts-freshness";
import { KIT_FACTS_SOURCES } from "../../policies/rules/kit-facts";

const root = join(__dirname, "..", "..");
const FIX = "npm run policy-facts";

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A kit tree in a temporary folder: the facts' sources, the policy pack, the project and its dev stack. */
function kitTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "kit-facts-"));
  made.push(dir);
  for (const f of [...Object.keys(KIT_FACTS_SOURCES), "Pulumi.yaml", "stacks/index.ts", "stacks/Pulumi.dev.yaml"]) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  cpSync(join(root, "policies"), join(dir, "policies"), {
    recursive: true,
    filter: (s) => !s.includes("node_modules"),
  });
  symlinkSync(join(root, "node_modules"), join(dir, "policies", "node_modules"), "dir");
  return dir;
}

/**
 * The instance catalogue, the one source of which family carries which accelerator, with a new GPU
 * family added (what happened in issue 26).
 */
function addGpuFamily(dir: string): string {
  const file = "components/common/instance-types.ts";
  expect(Object.keys(KIT_FACTS_SOURCES)).toContain(file);
  const text = readFileSync(join(dir, file), "utf8");
  const changed = text.replace(
    /const TYPES: InstanceTypeInfo\[\] = \[/,
    'const TYPES: InstanceTypeInfo[] = [\n  t("g7e.xlarge", 4, 32768, { kind: "nvidia", name: "rtx-pro-6000", count: 1, memoryMiBEach: 98304 }, 250, { cpuMillis: 3920, memoryMiB: 29317, pods: 58 }),',
  );
  expect(changed).not.toBe(text);
  writeFileSync(join(dir, file), changed);
  return file;
}

describe("kitFactsStaleness", () => {
  it("finds the checkout's snapshot current: it records every source of the facts as it is now", () => {
    expect(kitFactsStaleness(root)).toBeUndefined();
    expect(KIT_FACTS_SOURCES).toEqual(kitFactsSourceDigests(root));
    // The facts' sources: the generator, the accelerator records and the versions at least.
    for (const f of ["cli/kit-facts.ts", "components/versions.ts", "components/common/names.ts"])
      expect(Object.keys(KIT_FACTS_SOURCES)).toContain(f);
  });

  it("names the changed source and the command that regenerates the facts", () => {
    const dir = kitTree();
    expect(kitFactsStaleness(dir)).toBeUndefined();
    const file = addGpuFamily(dir);
    const stale = kitFactsStaleness(dir);
    expect(stale).toContain(`policies/rules/kit-facts.ts is out of date: ${file} changed since it was generated`);
    expect(stale).toContain(`Run \`${FIX}\` in ${dir}`);
  });

  it("counts a source that is gone as a change, and a CRLF checkout as none", () => {
    const dir = kitTree();
    const versions = join(dir, "components", "versions.ts");
    writeFileSync(versions, readFileSync(versions, "utf8").replace(/\n/g, "\r\n"));
    expect(kitFactsStaleness(dir)).toBeUndefined();
    unlinkSync(versions);
    expect(kitFactsStaleness(dir)).toMatch(/components\/versions\.ts \(gone\)/);
  });

  it("has nothing to compare where the generator is not (the pack copied alone or published)", () => {
    const dir = kitTree();
    addGpuFamily(dir);
    unlinkSync(join(dir, "cli", "kit-facts.ts"));
    expect(kitFactsStaleness(dir)).toBeUndefined();
  });
});

describe("the offline plan", () => {
  it("refuses to plan with stale facts: exit 2 and the fix, before the stack file or the program loads", async () => {
    const dir = kitTree();
    const file = addGpuFamily(dir);
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.join(" ")));
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    let status: number;
    try {
      status = await planCli(["--stack", "dev", "--out", join(dir, ".plan", "dev")], { kind: "kit", root: dir });
    } finally {
      spy.mockRestore();
      log.mockRestore();
    }
    expect(status).toBe(2);
    expect(errors.join("\n")).toMatch(new RegExp(`kit-facts\\.ts is out of date: ${file.replace(/\./g, "\\.")}`));
    expect(errors.join("\n")).toContain(FIX);
  });
});

/**
 * Runs a pack folder as Pulumi's policy host does (@pulumi/pulumi's run-policy-pack, TypeScript type
 * checked): resolves with the port once the pack serves (and stops it), or with the exit status.
 */
function runPack(packDir: string): Promise<{ port?: number; status?: number | null; stderr: string }> {
  return new Promise((done) => {
    // The pack's own @pulumi/pulumi (policies/package.json), here the checkout's node_modules.
    const runner = join(root, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      stdout += d;
      const port = /^(\d+)\n/.exec(stdout);
      if (port) {
        child.kill();
        done({ port: Number(port[1]), stderr });
      }
    });
    child.on("exit", (status) => done({ status, stderr }));
  });
}

describe("the policy pack's entry point, as Pulumi's policy host loads it", () => {
  it("serves from the checkout, whose facts are current", async () => {
    const run = await runPack(join(root, "policies"));
    expect(run.stderr).toBe("");
    expect(run.port).toBeGreaterThan(0);
  });

  it("serves when copied alone, with no sources to compare (as reviewers and `pulumi policy publish` use it)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pack-alone-"));
    made.push(dir);
    cpSync(join(root, "policies"), join(dir, "policies"), {
      recursive: true,
      filter: (s) => !s.includes("node_modules"),
    });
    symlinkSync(join(root, "node_modules"), join(dir, "policies", "node_modules"), "dir");
    const run = await runPack(join(dir, "policies"));
    expect(run.stderr).toBe("");
    expect(run.port).toBeGreaterThan(0);
  });

  it("refuses to start in a kit whose components changed since the facts were generated, naming the fix", async () => {
    const dir = kitTree();
    const file = addGpuFamily(dir);
    const run = await runPack(join(dir, "policies"));
    expect(run.port).toBeUndefined();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`policies/rules/kit-facts.ts is out of date: ${file} changed`);
    expect(run.stderr).toContain(FIX);
    // A RunError: the message, no stack trace.
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
