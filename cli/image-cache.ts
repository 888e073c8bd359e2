/**
 * `npm run image-cache -- --stack <name> [--pool <pool>] [--config <stack file>] [--out <dir>]`: writes, for
 * each Karpenter NVIDIA pool of the stack (or the one named), the script that builds its image-cache
 * snapshot (components/platform/image-cache.ts) to `<out>/image-cache-<pool>.sh` (default out:
 * `.plan/<stack>/`), and prints the images it pre-pulls. Run the script with AWS credentials, then
 * record the snapshot id and the images it prints under the pool; re-run it whenever versions.ts or
 * the pool's models change an image (the plan refuses a stale snapshot). No cloud call here.
 *
 * Exit status: 0 written; 2 a usage error or an invalid stack file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stackNameProblem } from "./stack-file";
import { checkStackFile } from "./stack-check";
import { loadPulumiProject, projectStackFile } from "./project-plan";
import { StackConfigError } from "../stacks/config";
import { imageCacheScript, poolNodeImages, stackPullThroughCache } from "../components/platform/image-cache";
import { BOTTLEROCKET_RELEASE } from "../components/versions";
import { ACCELERATORS } from "../components/common/accelerators";

const USAGE = "usage: npm run image-cache -- --stack <name> [--pool <pool>] [--config <stack file>] [--out <dir>]";

/** The scripts of the stack's image-cache pools, by pool name. */
export function imageCacheScripts(
  configPath: string,
  only?: string,
  stackName?: string,
): { pool: string; images: string[]; script: string }[] {
  // The stack file is checked as the plan checks it: a file the plan refuses writes no script.
  const checked = checkStackFile(configPath, stackName);
  if (!checked.ok) throw new StackConfigError(checked.problems);
  const { spec } = checked;
  const pools = spec.capacity.pools.filter(
    (p) =>
      ACCELERATORS[p.kind].imageCache &&
      spec.capacity.autoscaler === "karpenter" &&
      (only === undefined || p.name === only),
  );
  if (pools.length === 0)
    throw new Error(
      only === undefined
        ? "the stack has no Karpenter pool of a kind that boots from an image cache (image-cache snapshots are Bottlerocket data volumes of Karpenter pools)"
        : `the stack has no Karpenter pool named ${only} of a kind that boots from an image cache`,
    );
  const cache = stackPullThroughCache(spec);
  return pools.map((pool) => {
    const images = poolNodeImages(spec, pool);
    return {
      pool: pool.name,
      images,
      script: imageCacheScript({
        region: spec.region,
        pool: pool.name,
        images,
        kubernetesVersion: spec.cluster.kubernetesVersion,
        bottlerocketRelease: BOTTLEROCKET_RELEASE,
        volumeGiB: pool.diskSizeGiB,
        ...(cache ? { pullThroughCache: cache } : {}),
      }),
    };
  });
}

function main(argv: string[]): number {
  let values: { stack?: string; pool?: string; config?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        pool: { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const stackProblem = values.stack ? stackNameProblem(values.stack) : "--stack is required";
  if (!values.stack || stackProblem) {
    console.error(`${stackProblem}\n${USAGE}`);
    return 2;
  }
  const root = resolve(__dirname, "..");
  const configPath = values.config ?? projectStackFile(loadPulumiProject(root), values.stack);
  const out = values.out ?? join(root, ".plan", values.stack);
  try {
    const scripts = imageCacheScripts(configPath, values.pool, values.stack);
    mkdirSync(out, { recursive: true });
    for (const s of scripts) {
      const file = join(out, `image-cache-${s.pool}.sh`);
      writeFileSync(file, s.script, { mode: 0o755 });
      console.log(`pool ${s.pool}: ${file} pre-pulls ${s.images.length} image(s):`);
      for (const i of s.images) console.log(`  ${i}`);
    }
    console.log(
      "Run each script with AWS credentials (SUBNET_ID=subnet-... INSTANCE_PROFILE=<profile> bash " +
        "<file>), then record the imageCacheSnapshotId and imageCacheImages it prints under the pool.",
    );
    return 0;
  } catch (e) {
    if (e instanceof StackConfigError) console.error(e.message);
    else console.error(`image-cache: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
