// What the README and docs/ say against what the kit does: every `npm run` script they name
// exists, every page they link exists, the cost table is the shipped stacks' envelope, the
// side-by-side table of spot replacement options is what the plan computes for each option (and so
// are the warm-node replacements of prod's Triton and Neuron models), every
// command they show parses with the real command's options (the plan, the output recorders,
// `pulumi config set` keys), every `mlserving:` key they name is in the config schema (or a series the
// kit's recording rules record), every PromQL block parses on catalogued series, and every
// TypeScript block compiles against the package's sources.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import { PLAN_ENVIRONMENTS, PLAN_OPTIONS } from "../../cli/plan-cli";
import { loadPulumiProject, projectStackFile } from "../../cli/project-plan";
import {
  deployedStackProblem,
  RECORD_DEPLOYED_OPTIONS,
  RECORD_DEPLOYED_REQUIRED,
} from "../../cli/record-deployed-outputs";
import { RECORD_OUTPUTS_OPTIONS } from "../../cli/platform-outputs";
import { configKeys, REFERENCE_START } from "../../cli/config-reference";
import { checkStackFile } from "../../cli/stack-check";
import { replicaBounds, replicaRequests } from "../../components/platform/capacity-checks";
import { SECRET_CAPABLE_KEYS } from "../../stacks/secret-config";
import { codeBlocks, docCommands, isPlaceholder, type DocCommand } from "../docs-text";
import * as ts from "typescript";
import { satisfies } from "semver";
import { runtimeOf } from "../../components/serving/runtimes";
import { HOURS_PER_MONTH, onDemandHourly, PRICE_TABLE_DATE } from "../../components/common/pricing";
import { costEnvelope } from "../../components/platform/cost";
import { coldStartEstimate } from "../../components/platform/cold-start";
import type { AcceleratorPoolSpec, PlatformSpec } from "../../components/platform/spec";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import { replicaStartRuleGroup } from "../../components/monitoring/replica-start-rules";
import { catalogEntryFor, unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

const root = join(__dirname, "..", "..");
const pages = ["README.md", ...readdirSync(join(root, "docs")).map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);
const text = (page: string) => readFileSync(join(root, page), "utf8");
const scripts = Object.keys(JSON.parse(text("package.json")).scripts);
/** The series the kit's recording rules record. */
const RECORDED = replicaStartRuleGroup().rules.map((r) => r.record);

/** The resolved spec of a shipped stack, as the program builds it. */
function shippedSpec(stack: string) {
  const { config, secretKeys } = loadStackFile(join(root, "stacks", `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  return resolvePlatformSpec(raw, region, new Set(secretKeys));
}

/** A dollar figure as the docs write it: `$1,234.56`, or `$1,234` without cents. */
const usd = (n: number, cents = true) =>
  `$${n.toLocaleString("en-US", { minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: cents ? 2 : 0 })}`;

/** "The shipped stacks set $9,000 (dev, advisory), ...": each amount, stack and advisory mark of such a paragraph. */
function budgetClaims(page: string) {
  return text(page)
    .split("\n\n")
    .filter((p) => /shipped stacks\s+set/.test(p))
    .flatMap((p) => [...p.matchAll(/\$([\d,]+) \((dev|staging|prod)(, advisory)?\)/g)]);
}

/** "Of prod's ceiling, $56,213 is the two NodePools at their limits (16 GPUs, 24 Neuron devices)". */
function nodePoolClaims(page: string) {
  return text(page)
    .replace(/\s+/g, " ")
    .matchAll(/Of (dev|staging|prod)'s ceiling, \$([\d,]+) is the (\w+) NodePools at their limits \(([^)]*)\)/g);
}

/** "prod's `fraud-detector` grows to 7 GPUs (...) and `support-llm` to 8 (...), 15 of the GPU NodePool's 16". */
function capacityClauses(page: string) {
  return text(page)
    .replace(/\s+/g, " ")
    .matchAll(/\b(dev|staging|prod)'s `[\w-]+` (?:grows )?to \d+[^;.]*?(?:\d+ of (?:the GPU NodePool's|its) \d+)/g);
}

describe("the README and docs/", () => {
  it.each(pages)("%s names only npm scripts that exist", (page) => {
    for (const [, script] of text(page).matchAll(/npm run ([a-z][\w:-]*)/g))
      expect(scripts, `${page}: npm run ${script}`).toContain(script);
  });

  it.each(pages)("%s links only files that exist", (page) => {
    for (const [, target] of text(page).matchAll(/\]\(((?!https?:|#|mailto:)[^)#\s]+)(?:#[^)]*)?\)/g))
      expect(existsSync(resolve(dirname(join(root, page)), target)), `${page}: ${target}`).toBe(true);
  });

  it("docs/cost-and-capacity.md's table is the shipped stacks' envelope", () => {
    const table = text(join("docs", "cost-and-capacity.md"));
    for (const stack of ["dev", "staging", "prod"]) {
      const { config, secretKeys } = loadStackFile(join(root, "stacks", `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
      const { raw, region } = rawConfigFromPulumi(config);
      const e = costEnvelope(resolvePlatformSpec(raw, region, new Set(secretKeys)));
      const row = table.split("\n").find((l) => l.startsWith(`| \`${stack}\``));
      const cells = row?.split("|").map((c) => c.trim());
      expect(cells?.slice(2, 5), stack).toEqual([
        usd(e.floor.totalUsd),
        `${usd(e.floor.withSpotUsd.low)} - ${usd(e.floor.withSpotUsd.high)}`,
        usd(e.ceiling.totalUsd),
      ]);
    }
  });

  it("docs/cost-and-capacity.md's spot replacement options are the plan's figures for each option", () => {
    const specOf = (stack: string): PlatformSpec => {
      const { config, secretKeys } = loadStackFile(join(root, "stacks", `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
      const { raw, region } = rawConfigFromPulumi(config);
      return resolvePlatformSpec(raw, region, new Set(secretKeys));
    };
    const prod = specOf("prod");
    const snap = "snap-0123456789abcdef0";
    // Each row: the option applied alone to prod's GPU pool without its warm node (the first row is prod as shipped).
    const rows: [string, Partial<AcceleratorPoolSpec>, string | undefined][] = [
      ["`warmNodes: 1` (as shipped)", {}, "warm headroom"],
      ["nothing", { warmNodes: undefined }, undefined],
      ["`volumeThroughputMiBps: 1000`", { warmNodes: undefined, volumeThroughputMiBps: 1000 }, undefined],
      ["`instanceStore: true`", { warmNodes: undefined, instanceStore: true }, undefined],
      ["`imageCacheSnapshotId`", { warmNodes: undefined, imageCacheSnapshotId: snap }, undefined],
      [
        "`imageCacheSnapshotId` + `imageCacheFastRestore: true`",
        { warmNodes: undefined, imageCacheSnapshotId: snap, imageCacheFastRestore: true },
        "image-cache fast snapshot restore",
      ],
    ];
    const lines = text(join("docs", "cost-and-capacity.md")).split("\n");
    for (const [label, over, costItem] of rows) {
      const spec = {
        ...prod,
        capacity: {
          ...prod.capacity,
          pools: prod.capacity.pools.map((p) => (p.name === "gpu" ? { ...p, ...over } : p)),
        },
      };
      const i = spec.serving.models.findIndex((m) => m.name === "support-llm");
      const e = coldStartEstimate(spec, spec.serving.models[i], i);
      const row = lines.find((l) => l.split("|")[1]?.trim() === label);
      const [, , cost, replacement, verdict] = row?.split("|").map((c) => c.trim()) ?? [];
      expect(row, label).toBeDefined();
      const gpu = costEnvelope(spec).components.find((c) => c.name === "capacity:gpu")!;
      if (costItem) expect(cost, label).toContain(usd(gpu.lines.find((l) => l.item === costItem)!.floorUsd));
      else expect(cost, label).not.toMatch(/\$\d/);
      const r = e.replacement;
      expect(replacement, label).toMatch(
        new RegExp(`^${r.lands === "warm-node" ? "warm" : "new"} node, >= ${r.seconds} s[ (]`),
      );
      for (const [, name, seconds] of replacement.matchAll(/\b(node|images|weights|server) (\d+)\b/g))
        expect(e.phases.find((p) => p.phase === name)!.seconds, `${label}: ${name}`).toBe(Number(seconds));
      expect(verdict, label).toBe(r.withinNotice === undefined ? "unknown" : r.withinNotice ? "within" : "NOT within");
    }
    const staging = costEnvelope(specOf("staging")).pools.find((p) => p.name === "gpu")!;
    expect(lines.find((l) => l.split("|")[1]?.trim() === "ODCR of 1 × g6.2xlarge (staging)")).toContain(
      usd(staging.reserved!.usd),
    );
  });

  it("docs/cost-and-capacity.md's warm-node replacements of prod's Triton and Neuron models are the plan's", () => {
    const prod = shippedSpec("prod");
    const replacement = (name: string) => {
      const i = prod.serving.models.findIndex((m) => m.name === name);
      return coldStartEstimate(prod, prod.serving.models[i], i);
    };
    const page = text(join("docs", "cost-and-capacity.md")).replace(/\s+/g, " ");
    const assistant = replacement("assistant");
    const [, verdict, seconds, weights, server] =
      page.match(
        /`assistant`'s replacement is (NOT within|within) the notice.*?serves after at least (\d+) s \(weights (\d+) \+ server (\d+)\)/,
      ) ?? [];
    expect(verdict).toBe(assistant.replacement.withinNotice === false ? "NOT within" : "within");
    expect(assistant.replacement).toMatchObject({ lands: "warm-node", seconds: Number(seconds) });
    expect(assistant.phases.find((p) => p.phase === "weights")!.seconds).toBe(Number(weights));
    expect(assistant.phases.find((p) => p.phase === "server")!.seconds).toBe(Number(server));
    expect(page).toContain(`counts as ${server} s, the lower end of the "Server startup typically takes 5-10 minutes"`);
    const triton = replacement("fraud-detector").replacement;
    const [, counted] = page.match(/`fraud-detector`'s is (\d+) s counted and "unknown"/) ?? [];
    expect(triton).toMatchObject({ lands: "warm-node", seconds: Number(counted), notCounted: ["the server phase"] });
    expect(triton.withinNotice).toBeUndefined();
  });
});

/** A config key path as written after `mlserving:` (`a.b[0].c`), in the schema's spelling (`a.b[].c`). */
const schemaPath = (key: string) => key.replace(/\[\d+\]/g, "[]");
const KEY_PATHS = configKeys().map((k) => k.path);
/** Whether `path` is a key of the stack config: a leaf, a list's item, or an object holding keys. */
function isConfigKey(path: string): boolean {
  const p = schemaPath(path).replace(/\[\]$/, "");
  return KEY_PATHS.some((k) => k === p || k.startsWith(`${p}.`) || k.startsWith(`${p}[]`));
}

/** The arguments of a plan command (`npm run plan -- ...`, `[npx] mlserving-plan ...`), or undefined for another command. */
function planArgs(w: string[]): { args: string[]; kit: boolean } | undefined {
  if (w[0] === "npm" && w[1] === "run" && w[2] === "plan") return { args: w.slice(w[3] === "--" ? 4 : 3), kit: true };
  const i = w[0] === "npx" ? 1 : 0;
  return w[i] === "mlserving-plan" ? { args: w.slice(i + 1), kit: false } : undefined;
}

function parse(args: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean>;
}

const value = (v: unknown): string | undefined => (typeof v === "string" && !isPlaceholder(v) ? v : undefined);

/** What is wrong with a command the docs show, checked against the real command; [] when nothing. */
function commandProblems(c: DocCommand): string[] {
  const w = c.words;
  const problems: string[] = [];
  const plan = planArgs(w);
  if (plan) {
    const v = parse(plan.args, PLAN_OPTIONS);
    const environment = value(v.environment);
    if (environment && !PLAN_ENVIRONMENTS.includes(environment)) problems.push(`--environment ${environment}`);
    if (!plan.kit) return problems;
    // In the kit's checkout: the project, the stack file and the --config file exist.
    const project = value(v.project);
    const dir = resolve(root, project ?? ".");
    if (project && !existsSync(join(dir, "Pulumi.yaml"))) return [...problems, `--project ${project}: no Pulumi.yaml`];
    const stack = value(v.stack);
    const config = value(v.config);
    if (config && !existsSync(resolve(root, config))) problems.push(`--config ${config} does not exist`);
    if (stack && !config && !existsSync(projectStackFile(loadPulumiProject(dir), stack)))
      problems.push(`--stack ${stack}: no stack file in ${project ?? "the checkout"}`);
    return problems;
  }
  const recordDeployed = w[0] === "npx" ? w[1] === "mlserving-record-outputs" : w[0] === "mlserving-record-outputs";
  if (recordDeployed) {
    const v = parse(w.slice(w[0] === "npx" ? 2 : 1), RECORD_DEPLOYED_OPTIONS);
    for (const k of RECORD_DEPLOYED_REQUIRED) if (!v[k]) problems.push(`--${k} is required`);
    const stack = value(v.stack);
    const bad = stack && deployedStackProblem(stack);
    return bad ? [...problems, bad] : problems;
  }
  if (w[0] === "npm" && w[1] === "run" && w[2] === "record-outputs") {
    const v = parse(w.slice(w[3] === "--" ? 4 : 3), RECORD_OUTPUTS_OPTIONS);
    const stack = value(v.stack);
    if (!v.stack) problems.push("--stack is required");
    if (stack && !existsSync(join(root, "stacks", `Pulumi.${stack}.yaml`)))
      problems.push(`--stack ${stack}: no stack file`);
    return problems;
  }
  if (w[0] === "pulumi" && w[1] === "config" && w[2] === "set") {
    const key = w.slice(3).find((x) => !x.startsWith("-") && x.startsWith("mlserving:"));
    if (!key) return problems;
    const path = key.slice("mlserving:".length);
    if (!isConfigKey(path)) problems.push(`${key} is not a config key`);
    // Without --path the Pulumi CLI sets a key literally named "a.b" instead of b inside a.
    if (/[.[]/.test(path) && !w.includes("--path")) problems.push(`${key} needs --path`);
    if (
      w.includes("--secret") &&
      !SECRET_CAPABLE_KEYS.map((k) => k.replace(/\.<key>$/, "")).some((k) => schemaPath(path).startsWith(k))
    )
      problems.push(`${key} is not a key the stack accepts as a secret`);
    return problems;
  }
  if (w[0] === "pulumi") {
    const i = w.indexOf("--policy-pack");
    const pack = value(w[i + 1]);
    if (i >= 0 && pack && !existsSync(join(root, pack, "PulumiPolicy.yaml")))
      problems.push(`--policy-pack ${pack}: no policy pack`);
  }
  const script = w[0] === "node" ? w[1] : w[0] === "npx" && w[1] === "tsx" ? w[2] : undefined;
  if (script && !isPlaceholder(script) && !script.startsWith("-") && !existsSync(join(root, script)))
    problems.push(`${script} does not exist`);
  return problems;
}

describe("the commands the README and docs/ show", () => {
  const commands = pages.flatMap((page) => docCommands(text(page)).map((c) => ({ page, ...c })));

  it("are found: plan, output recorders and pulumi config commands", () => {
    expect(commands.filter((c) => planArgs(c.words)?.kit).length).toBeGreaterThan(3);
    expect(commands.some((c) => c.words.includes("mlserving-record-outputs"))).toBe(true);
    expect(commands.some((c) => c.words.join(" ").startsWith("pulumi config set --path"))).toBe(true);
  });

  it.each(pages)("%s shows commands that the real commands accept", (page) => {
    for (const c of commands.filter((x) => x.page === page)) {
      let problems: string[];
      try {
        problems = commandProblems(c);
      } catch (e) {
        problems = [(e as Error).message];
      }
      expect(problems, `${page}:${c.line}: ${c.text.trim()}`).toEqual([]);
    }
  });

  it.each(pages)(
    "%s names only mlserving: keys of the config schema, or series the kit's recording rules record",
    (page) => {
      // A recorded series (`mlserving:<metric>:<operations>`) has a second colon; a config key has none.
      for (const [name, key, operations] of text(page).matchAll(/mlserving:([a-zA-Z][\w.[\]]*[\w\]])(:\w+)?/g))
        if (operations) expect(RECORDED, `${page}: ${name}`).toContain(name);
        else expect(isConfigKey(key!), `${page}: mlserving:${key}`).toBe(true);
    },
  );

  it("refuses what the real commands refuse", () => {
    const check = (line: string) => {
      try {
        return commandProblems({ line: 1, text: line, words: docCommands(`\`${line}\``)[0]!.words });
      } catch (e) {
        return [(e as Error).message];
      }
    };
    expect(check("npm run plan -- --stack prod --projct examples/model-team")[0]).toMatch(/Unknown option '--projct'/);
    expect(check("npm run plan -- --stack prdo")).toEqual(["--stack prdo: no stack file in the checkout"]);
    expect(check("npm run plan -- --stack dev --environment qa")).toEqual(["--environment qa"]);
    expect(check("npx mlserving-plan --stack dev --output x")[0]).toMatch(/Unknown option '--output'/);
    expect(check("npx mlserving-record-outputs --stack prod --to f.json")[0]).toMatch(
      /<organization>\/<project>\/<stack>/,
    );
    expect(check("npx mlserving-record-outputs --stack a/b/c")).toEqual(["--to is required"]);
    expect(check("pulumi config set mlserving:serving.oidc.issuer x")).toEqual([
      "mlserving:serving.oidc.issuer needs --path",
    ]);
    expect(check("pulumi config set --path mlserving:serving.oidc.isuer x")).toEqual([
      "mlserving:serving.oidc.isuer is not a config key",
    ]);
    expect(check("pulumi config set --secret mlserving:team x")).toEqual([
      "mlserving:team is not a key the stack accepts as a secret",
    ]);
    expect(check("pulumi preview --policy-pack polices")).toEqual(["--policy-pack polices: no policy pack"]);
    expect(check("npx tsx cli/nope.ts")).toEqual(["cli/nope.ts does not exist"]);
    expect(check("pulumi config set --path 'mlserving:cluster.publicAccessCidrs[0]' x")).toEqual([]);
  });
});

describe("the PromQL the README and docs/ show", () => {
  // Each ```promql block parses, reads only catalogued series, and matches only labels they carry.
  const blocks = pages.flatMap((page) =>
    codeBlocks(text(page))
      .filter((b) => b.lang === "promql")
      .map((b) => ({ where: `${page}:${b.line}`, ...b })),
  );

  it("are found", () => expect(blocks.length).toBeGreaterThan(0));

  it.each(blocks.map((b) => [b.where, b.text] as const))("%s parses and reads catalogued series only", (_w, expr) => {
    expect(promqlSyntaxErrors(expr)).toEqual([]);
    expect(unknownMetricNames(metricNamesIn(expr))).toEqual([]);
    for (const [, name, matchers] of expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)) {
      const labels = [...matchers!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
      expect(catalogEntryFor(name!)?.info.labels, `${name}`).toEqual(expect.arrayContaining(labels));
    }
  });
});

describe("the TypeScript the README and docs/ show", () => {
  // Each ```ts block is a file of a user's Pulumi project (CommonJS, strict, like
  // examples/model-team/tsconfig.json), type-checked against the package's sources under the
  // package's import names.
  const blocks = pages.flatMap((page) =>
    codeBlocks(text(page))
      .filter((b) => b.lang === "ts" || b.lang === "typescript")
      .map((b) => ({ file: join(root, ".docs-blocks", `${page.replace(/\W/g, "_")}_${b.line}.ts`), page, ...b })),
  );

  it("are found", () => expect(blocks.length).toBeGreaterThan(2));

  it("compile against the package's sources", () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ["lib.es2022.d.ts"],
      types: ["node"],
      strict: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      baseUrl: root,
      paths: {
        "@mlserving/kit": ["components/index.ts"],
        "@mlserving/kit/policies": ["policies/rules/index.ts"],
        "@mlserving/kit/testing": ["cli/testing.ts"],
        "@mlserving/kit/stack": ["stacks/program.ts"],
      },
    };
    const virtual = new Map(blocks.map((b) => [b.file, b.text]));
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
    host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
    host.getSourceFile = (f, lang, ...rest) =>
      virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, lang) : getSourceFile.call(host, f, lang, ...rest);
    const program = ts.createProgram([...virtual.keys()], options, host);
    const problems = blocks.flatMap((b) => {
      const source = program.getSourceFile(b.file)!;
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
        const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${b.page}:${b.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      });
    });
    expect(problems).toEqual([]);
  });
});

describe("figures the README and docs/ quote", () => {
  it.each(pages)("%s: what a shipped stack's model runs with is its runtime's arguments", (page) => {
    // "the shipped prod stack serves `support-llm` ...: `--tensor-parallel-size 1`", up to the sentence's end.
    for (const m of text(page).matchAll(/shipped (dev|staging|prod) stack serves `([\w-]+)`(.*?)\.(?:\s|\)|$)/gs)) {
      const [, stack, name, rest] = m;
      const model = shippedSpec(stack!).serving.models.find((x) => x.name === name);
      expect(model, `${page}: ${stack} serves no model ${name}`).toBeDefined();
      const args = (runtimeOf(model!).modelArgs?.(model!) ?? []).join(" ");
      for (const [, flag] of rest!.matchAll(/`(--[a-z-]+ \S+)`/g))
        expect(` ${args} `, `${page}: ${stack} ${name} ${flag}`).toContain(` ${flag} `);
    }
  });

  it("names the shipped prod stack's LLM arguments somewhere (the check above has something to check)", () => {
    expect(pages.some((p) => /shipped (dev|staging|prod) stack serves `[\w-]+`[^.]*`--/.test(text(p)))).toBe(true);
  });

  it.each(pages)("%s: the lowest Node version it names is the lowest the package's engines accept", (page) => {
    const engines = JSON.parse(text("package.json")).engines.node as string;
    // "Node.js 20.17 or newer", "(22: 22.9 or newer)", "Node 20+"
    const claims = [
      ...text(page).matchAll(/Node(?:\.js)? (\d+(?:\.\d+)?)(?: or newer|\+)/g),
      ...text(page).matchAll(/\((\d+): (\d+\.\d+) or newer\)/g),
    ].map((m) => m[m.length - 1]!);
    for (const claim of claims) {
      const [major, minor = 0] = claim.split(".").map(Number);
      expect(satisfies(`${major}.${minor}.0`, engines), `${page}: Node ${claim}`).toBe(true);
      const before = minor! > 0 ? `${major}.${minor! - 1}.0` : `${major! - 1}.99.0`;
      expect(satisfies(before, engines), `${page}: Node ${claim} is not the lowest (${before} is accepted)`).toBe(
        false,
      );
    }
  });

  const STACKS = ["dev", "staging", "prod"] as const;
  const envelopes = Object.fromEntries(STACKS.map((s) => [s, costEnvelope(shippedSpec(s))]));

  it.each(pages)("%s: a stack's idle floor and ceiling quoted in bold are the plan's", (page) => {
    for (const [, what, stack, amount] of text(page).matchAll(
      /\*\*(Idle floor|Ceiling)\*\* \((dev|staging|prod): (\$[\d,.]+)\)/g,
    )) {
      const e = envelopes[stack!]!;
      expect(amount, `${page}: ${what} of ${stack}`).toBe(
        usd(what === "Ceiling" ? e.ceiling.totalUsd : e.floor.totalUsd),
      );
    }
  });

  it.each(pages)("%s: the price table's date and the month's hours are the kit's", (page) => {
    for (const [, date] of text(page).matchAll(/list prices of (\d{4}-\d\d-\d\d)/g))
      expect(date, page).toBe(PRICE_TABLE_DATE);
    for (const [, hours] of text(page).matchAll(/a month \((\d+) hours\)/g))
      expect(Number(hours), page).toBe(HOURS_PER_MONTH);
  });

  it.each(pages)(
    "%s: a table row pricing N × an instance type in a shipped stack is N × its on-demand month there",
    (page) => {
      for (const row of text(page)
        .split("\n")
        .filter((l) => l.startsWith("|"))) {
        const stack = /\((dev|staging|prod)\)/.exec(row)?.[1];
        const instances = /(\d+) × ([a-z0-9-]+\.[a-z0-9]+)/.exec(row);
        const amount = /\$([\d,]+\.\d\d)/.exec(row)?.[1];
        if (!stack || !instances || !amount) continue;
        const hourly = onDemandHourly(shippedSpec(stack).region, instances[2]!);
        expect(hourly, `${page}: ${instances[2]} in ${stack}`).toBeDefined();
        expect(`$${amount}`, `${page}: ${row}`).toBe(usd(Number(instances[1]) * hourly! * HOURS_PER_MONTH));
      }
    },
  );

  it.each(pages)("%s: the budgets it says the shipped stacks set are theirs", (page) => {
    for (const [, amount, stack, advisory] of budgetClaims(page)) {
      const budget = shippedSpec(stack!).budget;
      expect(`$${amount}`, `${page}: ${stack}'s budget`).toBe(usd(budget?.monthlyCeilingUsd ?? NaN, false));
      if (advisory) expect(budget?.enforcement, `${page}: ${stack}'s budget enforcement`).toBe("advisory");
    }
  });

  // Each check above passes where its pattern finds nothing: a reworded claim would switch it off
  // silently. Every kind of claim it checks is made somewhere, so each check has something to check.
  it.each([
    ["the lowest Node version", /Node(?:\.js)? \d+(?:\.\d+)?(?: or newer|\+)/],
    ["an idle floor or ceiling in bold", /\*\*(Idle floor|Ceiling)\*\* \((dev|staging|prod): \$[\d,.]+\)/],
    ["the price table's date", /list prices of \d{4}-\d\d-\d\d/],
    ["the month's hours", /a month \(\d+ hours\)/],
    [
      "a table row pricing N × an instance type",
      /^\|(?=.*\((dev|staging|prod)\))(?=.*\d+ × [a-z0-9-]+\.[a-z0-9]+)(?=.*\$[\d,]+\.\d\d)/m,
    ],
  ])("makes a claim of this kind somewhere, for its check to check: %s", (_kind, pattern) => {
    expect(pages.some((p) => pattern.test(text(p)))).toBe(true);
  });

  // These claims are found by the checks' own readers, so a reworded sentence the check no longer
  // reads fails here instead of passing unchecked.
  it.each([
    ["the shipped stacks' budgets", budgetClaims],
    ["a stack's NodePools' share of its ceiling", nodePoolClaims],
    ["the devices a shipped stack's models grow to", capacityClauses],
  ] as const)("finds a claim its check reads: %s", (_kind, claims) => {
    expect(pages.some((p) => [...claims(p)].length > 0)).toBe(true);
  });

  it.each(pages)("%s: the share of a stack's ceiling it gives its NodePools is theirs", (page) => {
    for (const [, stack, amount, count, devices] of nodePoolClaims(page)) {
      const spec = shippedSpec(stack!);
      const pools = envelopes[stack!]!.pools.filter((p) => p.autoscaler === "karpenter");
      const words = ["zero", "one", "two", "three", "four", "five"];
      expect(words[pools.length], `${page}: ${stack}'s NodePools`).toBe(count);
      expect(`$${amount}`, `${page}: ${stack}'s NodePools at their limits`).toBe(
        usd(Math.round(pools.reduce((t, p) => t + p.ceiling.usd, 0)), false),
      );
      const limits = spec.capacity.pools.map(
        (p) => `${p.maxDevices} ${p.kind === "nvidia" ? "GPUs" : "Neuron devices"}`,
      );
      expect(devices, `${page}: ${stack}'s device limits`).toBe(limits.join(", "));
    }
  });

  it("an unknown key's message sends the reader to the page with the configuration reference", () => {
    const checked = checkStackFile(join(root, "test", "fixtures", "bad-stacks", "unknown-top-level-key.yaml"));
    const message = checked.ok ? "" : checked.problems.find((p) => /unknown key/.test(p.message))!.message;
    const page = /docs\/[\w-]+\.md/.exec(message)?.[0];
    expect(page, message).toBeDefined();
    expect(text(page!)).toContain(REFERENCE_START);
  });

  it.each(pages)(
    "%s: the devices a shipped stack's models grow to, and its GPU pool's limit, are the capacity check's",
    (page) => {
      for (const [clause, stack] of capacityClauses(page)) {
        const spec = shippedSpec(stack!);
        const devices = (name: string) => {
          const m = spec.serving.models.find((x) => x.name === name);
          expect(m, `${page}: ${stack} has no model ${name}`).toBeDefined();
          return replicaBounds(m!).max * replicaRequests(m!).devices;
        };
        let total = 0;
        for (const [, name, n] of clause.matchAll(/`([\w-]+)` (?:grows )?to (\d+)/g)) {
          expect(Number(n), `${page}: ${clause}`).toBe(devices(name!));
          total += Number(n);
        }
        const [, sum, limit] = /(\d+) of (?:the GPU NodePool's|its) (\d+)/.exec(clause)!;
        expect(Number(sum), `${page}: ${clause}`).toBe(total);
        expect(Number(limit), `${page}: ${clause}`).toBe(
          spec.capacity.pools.find((p) => p.kind === "nvidia")!.maxDevices,
        );
      }
    },
  );

  it("checks the capacity sentence of docs/cost-and-capacity.md (the pattern above finds it)", () => {
    expect([...capacityClauses(join("docs", "cost-and-capacity.md"))].length).toBeGreaterThan(0);
  });
});
