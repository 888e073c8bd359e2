#!/usr/bin/env node
// `npm run plan`: runs the plan command from one precompiled JavaScript file
// (dist-cli/plan.js), so no TypeScript is transpiled on a run. The file is (re)built with esbuild
// when it is missing or older than any source it is made from; node_modules stay external.
"use strict";
const { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { dirname, join, sep } = require("node:path");

const root = join(__dirname, "..");
const bundle = join(root, "dist-cli", "plan.js");
const SOURCE_DIRS = ["cli", "components", "stacks", "policies"];

/** Newest modification time (ms) of the files the bundle is made from. */
function newestSource() {
  let newest = statSync(__filename).mtimeMs;
  const walk = (dir) => {
    // A folder's time changes when a file in it is added, renamed or deleted.
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return newest;
}

/** How the kit bundles a program for Node: CommonJS for Node 20, node_modules left external. */
const NODE_BUNDLE_OPTIONS = require("./bundle-options.json");

/**
 * Builds dist-cli/plan.js (and its source map) from cli/plan.ts. Each file is written beside its
 * final name and renamed into place, so a plan started meanwhile never reads a half-written one.
 */
function buildPlanBundle(outfile = bundle) {
  const esbuild = require("esbuild");
  const { outputFiles } = esbuild.buildSync({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [join(root, "cli", "plan.ts")],
    outfile,
    sourcemap: true,
    write: false,
  });
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

function ensureBundle() {
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) buildPlanBundle();
}

/**
 * Import-time work the offline plan does not need, deferred to first use. `@pulumi/pulumi` loads,
 * on import, parts a plan never calls: the Automation API (with semver, npm's arborist and
 * sigstore) and function serialisation (which loads the TypeScript compiler). `@pulumi/aws`,
 * `@pulumi/awsx` and `@pulumi/kubernetes` load every service namespace (`aws.ec2`, `aws.iam`, ...
 * over 200 of them, and every API group and version) when the kit uses a few dozen. Together that is over half of the plan's start-up.
 * The stand-ins below load the real module the first time anything is read from them, so code that
 * does use them works unchanged.
 */
function deferUnusedSdkModules() {
  const Module = require("node:module");
  const sdkDir = join("node_modules", "@pulumi") + sep;
  const sdk = (...parts) => join(sdkDir, ...parts);
  /** Files whose module object is only stored at import time (read later, if ever). */
  const namespaces = [
    sdk("pulumi", "automation", "index.js"),
    // gRPC clients for the engine and resource monitor: the mock runtime talks to neither.
    ...["callback", "engine", "provider", "resource"].map((p) => sdk("pulumi", "proto", `${p}_grpc_pb.js`)),
    join("node_modules", "@grpc", "grpc-js", "build", "src", "index.js"),
    join("node_modules", "@opentelemetry", "api", "build", "src", "index.js"),
    join("node_modules", "semver", "index.js"),
  ];
  /** Files whose listed functions are re-exported at import time but called only later. */
  const functions = new Map([
    [sdk("pulumi", "runtime", "closure", "serializeClosure.js"), ["serializeFunctionAsync", "serializeFunction"]],
    [sdk("pulumi", "runtime", "closure", "codePaths.js"), ["computeCodePaths"]],
  ]);
  /** Requests that may name one of the files above; anything else is loaded at once, unresolved. */
  const candidate =
    /automation$|serializeClosure$|codePaths$|_grpc_pb$|^@grpc\/grpc-js$|^@opentelemetry\/api$|^semver$/;
  /** Packages whose `index.js` files import each sub-namespace folder (`./ec2`, `./apps/v1`). */
  const namespacePackages = [sdk("aws") + sep, sdk("awsx") + sep, sdk("kubernetes") + sep];
  const subNamespace = /^\.\/[A-Za-z0-9]+$/;

  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const from = parent && parent.filename;
    if (!from || !from.includes(sdkDir)) return load.apply(this, arguments);
    const sub =
      subNamespace.test(request) && from.endsWith("index.js") && namespacePackages.some((p) => from.includes(p));
    if (!sub && !candidate.test(request)) return load.apply(this, arguments);
    let file;
    try {
      file = Module._resolveFilename(request, parent, isMain);
    } catch {
      return load.apply(this, arguments);
    }
    if (require.cache[file]) return load.apply(this, arguments);
    const real = () => load.call(this, file, parent, false);
    const fnNames = functions.get(file.slice(file.lastIndexOf(sdkDir)));
    if (fnNames) return Object.fromEntries(fnNames.map((f) => [f, (...args) => real()[f](...args)]));
    if ((sub && file.endsWith(join(request, "index.js"))) || namespaces.some((f) => file.endsWith(f)))
      return lazyNamespace(real);
    return load.apply(this, arguments);
  };
}

/** A module namespace that loads the module the first time it is read. */
function lazyNamespace(loadModule) {
  let mod;
  const target = () => (mod ??= loadModule());
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : target()[key]),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

module.exports = { buildPlanBundle, ensureBundle, bundle, deferUnusedSdkModules, NODE_BUNDLE_OPTIONS };

if (require.main === module) {
  // The plan reports errors by message, never by stack trace; the SDK records a stack trace on each
  // of its thousands of internal promises, which was a tenth of the run.
  if (!process.env.MLSERVING_PLAN_STACK_TRACES) Error.stackTraceLimit = 0;
  ensureBundle();
  deferUnusedSdkModules();
  require(bundle);
}
