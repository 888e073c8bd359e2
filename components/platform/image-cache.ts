/**
 * The image-cache snapshot of a Karpenter NVIDIA pool (`capacity.pools[].imageCacheSnapshotId`): an EBS
 * snapshot of a Bottlerocket data volume (/dev/xvdb, where containerd keeps its images) that already
 * holds every image the pool's pods pull, so a new node starts with them (karpenter-builders.ts mounts
 * it). The kit builds it with `npm run image-cache -- --stack <stack>` (cli/image-cache.ts), which
 * writes the script below for each such pool, and refuses a stack whose recorded snapshot images
 * (`capacity.pools[].imageCacheImages`) are not the images its pods pull now: re-run it whenever
 * versions.ts or the pool's models change an image. Pure: no Pulumi imports.
 *
 * The steps are those of aws-samples/bottlerocket-images-cache (snapshot.sh): launch a Bottlerocket
 * instance reachable through SSM, pull each image into containerd's `k8s.io` namespace through the
 * admin container (`apiclient exec admin sheltie ctr ... images pull`), stop the instance, snapshot
 * its data volume, terminate it.
 */
import {
  ecrRegistryHost,
  pulledImageRef,
  type PullThroughUpstream,
  pullThroughUpstreams,
} from "../cluster/pull-through-cache";
import { Problem, ProblemList } from "../common/problems";
import { candidatePools } from "./capacity-checks";
import { IMAGES, imageRef } from "../versions";
import { modelImages } from "../serving/model-images";
import { acceleratorNodeImages } from "./images";
import type { AcceleratorPoolSpec, PlatformSpec } from "./spec";

/**
 * Every image a node of the pool pulls for the stack's pods: the servers and fetchers of the models
 * the pool may run (serving/model-images.ts `modelImages`), and the pause image of its warm-headroom
 * placeholders. Sorted, as pinned (versions.ts).
 */
export function poolNodeImages(spec: PlatformSpec, pool: AcceleratorPoolSpec): string[] {
  const models = spec.serving.models.filter((m) => candidatePools(spec, m).some((p) => p.name === pool.name));
  const images = new Set(models.flatMap((m) => modelImages(m)));
  if ((pool.warmNodes ?? 0) > 0) images.add(imageRef(IMAGES.pause));
  return [...images].sort();
}

/**
 * A pool whose snapshot was recorded with other images than its pods pull now is refused: a new node
 * would boot believing its images cached and pull the missing ones at the pool's cold start.
 * Paths are relative to the spec (`capacity.pools[i].imageCacheImages`).
 */
export function imageCacheProblems(spec: PlatformSpec): Problem[] {
  const problems = new ProblemList();
  spec.capacity.pools.forEach((pool, i) => {
    const recorded = pool.imageCacheImages;
    if (recorded === undefined) return;
    const at = `capacity.pools[${i}].imageCacheImages`;
    if (pool.imageCacheSnapshotId === undefined) {
      problems.add(at, "lists the images of an image-cache snapshot: set it with imageCacheSnapshotId, or drop it");
      return;
    }
    // Compared as containerd stored them: the names the pods ask for, so turning the pull-through
    // cache on or off (or moving its prefix) makes a snapshot stale too.
    const cache = stackPullThroughCache(spec);
    const now = poolNodeImages(spec, pool).map((i) => cachedPullName(i, cache));
    const held = recorded.map(recordedPullName);
    const missing = now.filter((i) => !held.includes(i));
    const extra = held.filter((i) => !now.includes(i));
    if (missing.length > 0 || extra.length > 0)
      problems.add(
        at,
        `snapshot ${pool.imageCacheSnapshotId} is stale: ${missing.length > 0 ? `it lacks ${missing.join(", ")}` : ""}${missing.length > 0 && extra.length > 0 ? "; " : ""}${extra.length > 0 ? `it holds ${extra.join(", ")}, which pool ${pool.name}'s pods no longer pull` : ""}. ` +
          `Rebuild it (npm run image-cache -- --stack <stack> --pool ${pool.name}) and record the new ` +
          `imageCacheSnapshotId and imageCacheImages`,
      );
  });
  return problems.list;
}

/**
 * The stack's pull-through cache as the script pulls through it: the rule prefix and the upstreams
 * the stack has rules for (cluster/image-mirror.ts makes one per upstream of these images).
 */
export function stackPullThroughCache(spec: PlatformSpec): ImageCacheScriptInput["pullThroughCache"] {
  const cache = spec.images?.pullThroughCache;
  return cache
    ? { repositoryPrefix: cache.repositoryPrefix, upstreams: pullThroughUpstreams(acceleratorNodeImages(spec)) }
    : undefined;
}

/** A recorded image as the script printed it (the account's registry host written out) in {@link cachedPullName}'s form. */
function recordedPullName(image: string): string {
  return image.replace(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//, "$REGISTRY/");
}

/** What the script needs besides the pool's images. */
export interface ImageCacheScriptInput {
  region: string;
  pool: string;
  /** The images to pre-pull, as pinned ({@link poolNodeImages}). */
  images: readonly string[];
  /** Kubernetes minor version of the Bottlerocket variant (`aws-k8s-<version>`). */
  kubernetesVersion: string;
  /** Bottlerocket release the pool's nodes run (versions.ts BOTTLEROCKET_RELEASE, e.g. v1.61.0). */
  bottlerocketRelease: string;
  /** The data volume's size, GiB: the pool's `diskSizeGiB` (a node's /dev/xvdb may not be smaller than its snapshot). */
  volumeGiB: number;
  /** The stack's pull-through cache: its images are pulled (and cached by containerd) under the ECR names pods use. */
  pullThroughCache?: { repositoryPrefix: string; upstreams: readonly PullThroughUpstream[] };
}

/**
 * How containerd names an image once pulled: the name the pod will ask for. With the pull-through
 * cache, that is the cached repository in the account's registry, whose host the script reads at run
 * time (`$REGISTRY`, from `aws sts get-caller-identity`), as cluster/pull-through-cache.ts `pulledImageRef` writes it.
 */
export function cachedPullName(image: string, cache: ImageCacheScriptInput["pullThroughCache"]): string {
  return pulledImageRef(image, cache && { registry: "$REGISTRY", ...cache });
}

/** The SSM parameter of the Bottlerocket AMI (Bottlerocket docs, "Finding an AMI ID": `/aws/service/bottlerocket/<variant>/<arch>/<version>/image_id`). */
export function bottlerocketAmiParameter(kubernetesVersion: string, release: string): string {
  return `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}/x86_64/${release.replace(/^v/, "")}/image_id`;
}

/**
 * The script that builds the pool's snapshot (bash, AWS CLI v2). It takes the subnet to launch in
 * (one with a route to SSM and the registries, e.g. a private subnet of the cluster) and an instance
 * profile the SSM agent may use (AmazonSSMManagedInstanceCore), then prints the snapshot id and the
 * lines to record. Pulls from ECR log in with the credentials that run the script (`aws ecr
 * get-login-password`): through a pull-through cache they need the nodes' pull permissions on the
 * cached repositories (`pullThroughNodePolicy`: a first pull imports the image and creates its repository).
 */
export function imageCacheScript(input: ImageCacheScriptInput): string {
  const cache = input.pullThroughCache;
  const pulls = input.images.map((i) => cachedPullName(i, cache));
  const ecr = pulls.some((p) => p.startsWith("$REGISTRY/"));
  return [
    "#!/usr/bin/env bash",
    `# Image-cache snapshot of pool ${input.pool}: written by npm run image-cache; re-run it when versions.ts changes an image.`,
    "# Usage: SUBNET_ID=subnet-... INSTANCE_PROFILE=<profile name> bash <this file>",
    "set -euo pipefail",
    `export AWS_REGION=${input.region} AWS_PAGER=""`,
    ': "${SUBNET_ID:?set SUBNET_ID to a subnet with a route to SSM and the registries}"',
    ': "${INSTANCE_PROFILE:?set INSTANCE_PROFILE to an instance profile with AmazonSSMManagedInstanceCore}"',
    ...(ecr
      ? [`REGISTRY="$(aws sts get-caller-identity --query Account --output text)${ecrRegistryHost("", input.region)}"`]
      : []),
    `AMI_ID=$(aws ssm get-parameter --name ${bottlerocketAmiParameter(input.kubernetesVersion, input.bottlerocketRelease)} ` +
      `--query Parameter.Value --output text)`,
    "# The admin host container runs ctr in the host's namespaces (aws-samples/bottlerocket-images-cache ebs-snapshot-instance.yaml).",
    'INSTANCE_ID=$(aws ec2 run-instances --image-id "$AMI_ID" --instance-type m7i.xlarge --subnet-id "$SUBNET_ID" \\',
    "  --user-data $'[settings.host-containers.admin]\\nenabled = true\\n' \\",
    '  --iam-instance-profile Name="$INSTANCE_PROFILE" --metadata-options HttpTokens=required \\',
    `  --block-device-mappings 'DeviceName=/dev/xvdb,Ebs={VolumeSize=${input.volumeGiB},VolumeType=gp3,Encrypted=true}' \\`,
    `  --tag-specifications 'ResourceType=instance,Tags=[{Key=mlserving.io/image-cache,Value=${input.pool}}]' \\`,
    "  --query 'Instances[0].InstanceId' --output text)",
    "trap 'aws ec2 terminate-instances --instance-ids \"$INSTANCE_ID\" >/dev/null' EXIT",
    'until [ "$(aws ssm describe-instance-information --filters Key=InstanceIds,Values="$INSTANCE_ID" ' +
      '--query "InstanceInformationList[0].PingStatus" --output text)" = Online ]; do sleep 10; done',
    "pull() {",
    '  local auth=""',
    '  case "$1" in *.dkr.ecr.*) auth="--user AWS:$(aws ecr get-login-password)";; esac',
    "  # The CRI plugin manages images labelled io.cri-containerd.image=managed; an ECR token (12 h) is the pull's --user.",
    '  local id=$(aws ssm send-command --instance-ids "$INSTANCE_ID" --document-name AWS-RunShellScript --timeout-seconds 3600 \\',
    '    --parameters "{\\"commands\\":[\\"apiclient exec admin sheltie ctr -a /run/containerd/containerd.sock ' +
      '-n k8s.io images pull --label io.cri-containerd.image=managed $auth $1\\"]}" \\',
    "    --query Command.CommandId --output text)",
    "  local status=Pending",
    '  while [[ "$status" =~ ^(Pending|InProgress|Delayed)$ ]]; do sleep 10',
    '    status=$(aws ssm get-command-invocation --command-id "$id" --instance-id "$INSTANCE_ID" --query Status --output text 2>/dev/null || echo Pending)',
    "  done",
    '  [ "$status" = Success ] || { echo "pull of $1: $status" >&2; exit 1; }',
    '  echo "pulled $1"',
    "}",
    ...pulls.map((p) => `pull "${p}"`),
    'aws ec2 stop-instances --instance-ids "$INSTANCE_ID" >/dev/null',
    'aws ec2 wait instance-stopped --instance-ids "$INSTANCE_ID"',
    'VOLUME_ID=$(aws ec2 describe-instances --instance-ids "$INSTANCE_ID" --query "Reservations[0].Instances[0].BlockDeviceMappings[?DeviceName==\'/dev/xvdb\'].Ebs.VolumeId" --output text)',
    `SNAPSHOT_ID=$(aws ec2 create-snapshot --volume-id "$VOLUME_ID" --description "mlserving image ` +
      `cache of pool ${input.pool}" --query SnapshotId --output text)`,
    'until [ "$(aws ec2 describe-snapshots --snapshot-ids "$SNAPSHOT_ID" --query \'Snapshots[0].State\' --output text)" = completed ]; do sleep 15; done',
    `echo "Record in the stack file, under the pool ${input.pool}:"`,
    'echo "  imageCacheSnapshotId: $SNAPSHOT_ID"',
    // The names containerd stored (with the cache, the account's registry written out), which the plan compares.
    `echo "  imageCacheImages: [${pulls.join(", ")}]"`,
    "",
  ].join("\n");
}
