#!/usr/bin/env node
// `npm run bench [-- --runs N] [-- --no-scaling]`: the offline plan against its anchor, measured
// as whole processes from outside.
//
// 1. Paired: `npm run plan -- --stack prod` against the same platform as an EKS Blueprints CDK app
//    synthesized offline from compiled JavaScript (bench/eks-blueprints, installed on demand with
//    its own lockfile; not a dependency of the kit). The two run in turn, A B A B ..., after one
//    warm-up pair; the ratio is taken pair by pair and its median printed with both medians.
// 2. Scaling: the prod stack with 1, 50 and 200 models (stack files generated into a temp folder).
//
// Wall time is read around each process; peak memory (the largest single process) comes from GNU
// time (`/usr/bin/time -f %M`), where it is installed. Nothing here asserts a threshold.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { tmpdir, cpus, totalmem, loadavg } = require("node:os");
const { join } = require("node:path");

const root = join(__dirname, "..");
const anchorDir = join(__dirname, "eks-blueprints");
const gnuTime = ["/usr/bin/time", "/usr/local/bin/gtime"].find((p) => existsSync(p));

function parseArgs(argv) {
  const opts = { runs: 7, scaling: true, scalingRuns: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") opts.runs = Number(argv[++i]);
    else if (argv[i] === "--scaling-runs") opts.scalingRuns = Number(argv[++i]);
    else if (argv[i] === "--no-scaling") opts.scaling = false;
    else
      throw new Error(
        `unknown argument ${argv[i]}; usage: npm run bench -- [--runs N] [--scaling-runs N] [--no-scaling]`,
      );
  }
  if (!(opts.runs >= 1 && opts.scalingRuns >= 1)) throw new Error("--runs and --scaling-runs must be at least 1");
  return opts;
}

/** Installs and compiles the anchor app when it is missing or older than its sources. */
function prepareAnchor() {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  if (!existsSync(join(anchorDir, "node_modules", "@aws-quickstart", "eks-blueprints"))) {
    console.log("Installing the anchor (bench/eks-blueprints: npm ci) ...");
    execFileSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: anchorDir, stdio: "inherit" });
  }
  const app = join(anchorDir, "dist", "app.js");
  const src = join(anchorDir, "src", "app.ts");
  if (!existsSync(app) || statSync(app).mtimeMs < statSync(src).mtimeMs) {
    console.log("Compiling the anchor (tsc) ...");
    execFileSync(join(anchorDir, "node_modules", ".bin", "tsc"), ["-p", join(anchorDir, "tsconfig.json")], {
      stdio: "inherit",
    });
  }
  return app;
}

/** Runs a command to completion; returns wall seconds, peak RSS in MiB (or NaN) and its exit status. */
function measure(command, args, opts = {}) {
  const file = join(tmpdir(), `mlserving-bench-${process.pid}.time`);
  const [cmd, argv] = gnuTime ? [gnuTime, ["-o", file, "-f", "%M", command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const run = spawnSync(cmd, argv, { cwd: opts.cwd ?? root, encoding: "utf8", env: opts.env ?? process.env });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  let peakMiB = NaN;
  if (gnuTime && existsSync(file)) {
    const kib = Number(readFileSync(file, "utf8").trim().split("\n").pop());
    peakMiB = kib / 1024;
    rmSync(file, { force: true });
  }
  if (run.status !== (opts.expectStatus ?? 0))
    throw new Error(`${command} ${args.join(" ")} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return { wall, peakMiB };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 2) => (Number.isNaN(x) ? "n/a" : x.toFixed(digits));

/**
 * The prod stack file with `n` models (the prod models, repeated under new names). The budget is
 * raised with them, so the plan still exits 0 (the mandatory budget policy would refuse 200 models
 * at prod's ceiling); pools keep their limits, so the capacity warnings grow with `n`.
 */
function stackFileWithModels(dir, n) {
  const { parse, stringify } = require("yaml");
  const doc = parse(readFileSync(join(root, "stacks", "Pulumi.prod.yaml"), "utf8"));
  const templates = doc.config["mlserving:serving"].models;
  doc.config["mlserving:serving"].models = Array.from({ length: n }, (_, i) => {
    const t = templates[i % templates.length];
    return { ...structuredClone(t), name: `${t.name}-${i + 1}` };
  });
  const budget = doc.config["mlserving:budget"];
  if (budget) budget.monthlyCeilingUsd = Math.max(budget.monthlyCeilingUsd, 10_000 * n);
  const file = join(dir, `Pulumi.models-${n}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const app = prepareAnchor();
  require(join(root, "cli", "run-plan.js")).ensureBundle();
  const work = mkdtempSync(join(tmpdir(), "mlserving-bench-"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const plan = (stack, config) => [
    npm,
    [
      "run",
      "--silent",
      "plan",
      "--",
      "--stack",
      stack,
      "--out",
      join(work, stack),
      ...(config ? ["--config", config] : []),
    ],
  ];
  const anchor = () => measure(process.execPath, [app]);

  const cpu = cpus()[0];
  console.log(
    `Machine: ${cpus().length} x ${cpu ? cpu.model.trim() : "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${process.platform}; load average at start ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `\nPaired: A = npm run plan -- --stack prod, B = EKS Blueprints synth (node ${app.slice(root.length + 1)})`,
  );
  console.log(`${opts.runs} pairs after one warm-up pair, A B A B ...`);
  measure(...plan("prod"));
  anchor();
  const a = [];
  const b = [];
  for (let i = 0; i < opts.runs; i++) {
    a.push(measure(...plan("prod")));
    b.push(anchor());
    const r = a[i].wall / b[i].wall;
    console.log(`  pair ${i + 1}: A ${fmt(a[i].wall)} s, B ${fmt(b[i].wall)} s, A/B ${fmt(r)}`);
  }
  const ratios = a.map((x, i) => x.wall / b[i].wall);
  const peakRatios = a.map((x, i) => x.peakMiB / b[i].peakMiB);
  console.log("\n                       median wall s   median peak MiB");
  console.log(
    `  A kit plan (prod)     ${fmt(median(a.map((x) => x.wall))).padStart(13)}   ${fmt(median(a.map((x) => x.peakMiB)), 0).padStart(15)}`,
  );
  console.log(
    `  B EKS Blueprints      ${fmt(median(b.map((x) => x.wall))).padStart(13)}   ${fmt(median(b.map((x) => x.peakMiB)), 0).padStart(15)}`,
  );
  console.log(`  A/B (pair by pair)    ${fmt(median(ratios)).padStart(13)}   ${fmt(median(peakRatios)).padStart(15)}`);
  console.log(`  A/B min..max          ${`${fmt(Math.min(...ratios))}..${fmt(Math.max(...ratios))}`.padStart(13)}`);

  if (opts.scaling) {
    console.log(`\nScaling: the prod stack with n models, ${opts.scalingRuns} runs each (median)`);
    console.log("  models   wall s   peak MiB");
    for (const n of [1, 50, 200]) {
      const file = stackFileWithModels(work, n);
      const runs = Array.from({ length: opts.scalingRuns }, () => measure(...plan(`models-${n}`, file)));
      console.log(
        `  ${String(n).padStart(6)}   ${fmt(median(runs.map((x) => x.wall))).padStart(6)}   ${fmt(median(runs.map((x) => x.peakMiB)), 0).padStart(8)}`,
      );
    }
  }
  console.log(
    `\nLoad average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  rmSync(work, { recursive: true, force: true });
}

try {
  main();
} catch (e) {
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
