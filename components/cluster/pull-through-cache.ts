import { policyDocument, type PolicyDocument } from "../common/iam";
import type { Problem } from "../common/problems";
import { imageRef, type ImagePin } from "../versions";

/**
 * ECR pull-through cache: the upstream registries the kit's pinned images come from, as ECR's
 * `CreatePullThroughCacheRule` names them (ECR API reference, `upstreamRegistryUrl`: "Docker Hub
 * (docker-hub) - registry-1.docker.io", "GitHub Container Registry (github-container-registry) - ghcr.io",
 * "Amazon ECR Public (ecr-public) - public.ecr.aws", "Kubernetes (k8s) - registry.k8s.io",
 * "Quay (quay) - quay.io"), keyed by the registry host an image reference starts with. The cached
 * repository's path is `<prefix>/<upstream path>`, with each rule's prefix the ECR console's default
 * namespace for that upstream (ECR user guide, "Pulling an image with a pull through cache rule").
 *
 * Docker Hub and GitHub Container Registry take a credential: an AWS Secrets Manager secret whose
 * name begins with `ecr-pullthroughcache/`, in the rule's account and Region (ECR user guide,
 * "Creating a pull through cache rule", prerequisites). NVIDIA's registry (nvcr.io, Triton) is not
 * an upstream ECR supports: its images are pulled from nvcr.io as before.
 */
export const PULL_THROUGH_UPSTREAMS = {
  "docker.io": {
    upstreamRegistryUrl: "registry-1.docker.io",
    prefix: "docker-hub",
    credential: "dockerHubCredentialArn",
    title: "Docker Hub",
  },
  "ghcr.io": {
    upstreamRegistryUrl: "ghcr.io",
    prefix: "github",
    credential: "githubCredentialArn",
    title: "GitHub Container Registry",
  },
  "public.ecr.aws": { upstreamRegistryUrl: "public.ecr.aws", prefix: "ecr-public", title: "Amazon ECR Public" },
  "registry.k8s.io": { upstreamRegistryUrl: "registry.k8s.io", prefix: "kubernetes", title: "registry.k8s.io" },
  "quay.io": { upstreamRegistryUrl: "quay.io", prefix: "quay", title: "Quay" },
} as const satisfies Record<
  string,
  { upstreamRegistryUrl: string; prefix: string; credential?: string; title: string }
>;

export type PullThroughUpstream = keyof typeof PULL_THROUGH_UPSTREAMS;
/** The config keys naming an upstream's credential secret. */
export type PullThroughCredentialKey = Extract<
  (typeof PULL_THROUGH_UPSTREAMS)[PullThroughUpstream],
  { credential: string }
>["credential"];
/** Those keys, in the upstreams' order. */
export const PULL_THROUGH_CREDENTIAL_KEYS: readonly PullThroughCredentialKey[] = Object.values(
  PULL_THROUGH_UPSTREAMS,
).flatMap((u) => ("credential" in u ? [u.credential] : []));

/** The pull-through cache of a stack, as configured (`mlserving:images.pullThroughCache`). */
export interface PullThroughCacheSpec {
  /**
   * Namespace of the cached repositories in the account's registry: each upstream's rule caches under
   * `<repositoryPrefix>/<upstream prefix>/` (e.g. `mlserving-prod/docker-hub/vllm/vllm-openai`), so two
   * stacks in one account and Region do not fight over one rule. Default: the cluster name.
   */
  repositoryPrefix: string;
  /** ARN of the Secrets Manager secret holding a Docker Hub user name and access token (`ecr-pullthroughcache/...`). */
  dockerHubCredentialArn?: string;
  /** ARN of the Secrets Manager secret holding a GitHub user name and token with `read:packages` (`ecr-pullthroughcache/...`). */
  githubCredentialArn?: string;
}

/** What an image reference is made of: its registry host, its path in that registry, its tag. */
export interface ImageParts {
  host: string;
  path: string;
  tag: string;
}

/** Splits `host/path:tag` (the kit pins every image with its registry host and a tag). */
export function imageParts(ref: string): ImageParts {
  const slash = ref.indexOf("/");
  const colon = ref.lastIndexOf(":");
  if (slash < 0 || colon < slash) throw new Error(`image ${ref} is not <registry>/<path>:<tag>`);
  return { host: ref.slice(0, slash), path: ref.slice(slash + 1, colon), tag: ref.slice(colon + 1) };
}

/** The pull-through upstream an image comes from, or undefined when ECR cannot cache its registry (nvcr.io). */
export function pullThroughUpstreamOf(ref: string): PullThroughUpstream | undefined {
  const { host } = imageParts(ref);
  return host in PULL_THROUGH_UPSTREAMS ? (host as PullThroughUpstream) : undefined;
}

/**
 * The repository name an image is cached under: `<repositoryPrefix>/<upstream prefix>/<path>`. A Docker
 * Hub official image (one path segment, e.g. `nginx`) is `library/<name>` upstream, and ECR wants the
 * `library/` segment in the pull (ECR user guide: "For Docker Hub official images, the /library prefix must be included").
 */
export function cachedRepositoryName(ref: string, repositoryPrefix: string): string | undefined {
  const upstream = pullThroughUpstreamOf(ref);
  if (!upstream) return undefined;
  const { path } = imageParts(ref);
  const upstreamPath = upstream === "docker.io" && !path.includes("/") ? `library/${path}` : path;
  return `${repositoryPrefix}/${PULL_THROUGH_UPSTREAMS[upstream].prefix}/${upstreamPath}`;
}

/** The rule prefix (`ecrRepositoryPrefix`) of one upstream. */
export function ruleRepositoryPrefix(repositoryPrefix: string, upstream: PullThroughUpstream): string {
  return `${repositoryPrefix}/${PULL_THROUGH_UPSTREAMS[upstream].prefix}`;
}

/**
 * `ecrRepositoryPrefix` of CreatePullThroughCacheRule: 2-30 characters,
 * `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*` (ECR API reference).
 */
const ECR_PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const ECR_RULE_PREFIX_MAX = 30;
const LONGEST_UPSTREAM_PREFIX = Math.max(...Object.values(PULL_THROUGH_UPSTREAMS).map((u) => u.prefix.length));

/**
 * A Secrets Manager secret ARN a rule accepts as `credentialArn` (ECR API reference pattern
 * `^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$`).
 */
const CREDENTIAL_ARN =
  /^arn:aws(-\w+)*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;

/**
 * What is wrong with a pull-through cache for a stack in `region` whose model pods pull `images`:
 * the prefix's form and length, each credential's ARN (the `ecr-pullthroughcache/` name, the stack's
 * Region), and a credential for each upstream that needs one and an image comes from. Paths are
 * relative to `pullThroughCache`.
 */
export function pullThroughCacheProblems(
  spec: PullThroughCacheSpec,
  region: string,
  images: readonly string[],
): Problem[] {
  const problems: Problem[] = [];
  const maxRoot = ECR_RULE_PREFIX_MAX - LONGEST_UPSTREAM_PREFIX - 1;
  if (!ECR_PREFIX.test(spec.repositoryPrefix) || spec.repositoryPrefix.length > maxRoot)
    problems.push({
      path: "repositoryPrefix",
      message:
        `must be at most ${maxRoot} lowercase letters, digits, '.', '_', '-' or '/' (ECR's rule prefix, ${spec.repositoryPrefix}/${"x".repeat(LONGEST_UPSTREAM_PREFIX)}, ` +
        `is at most ${ECR_RULE_PREFIX_MAX}); "${spec.repositoryPrefix}" is not (it defaults to the ` +
        `cluster name: set it when that is longer)`,
    });
  const used = new Set(pullThroughUpstreams(images));
  for (const [host, u] of Object.entries(PULL_THROUGH_UPSTREAMS) as [
    PullThroughUpstream,
    (typeof PULL_THROUGH_UPSTREAMS)[PullThroughUpstream],
  ][]) {
    if (!("credential" in u)) continue;
    const arn = spec[u.credential];
    if (arn === undefined) {
      if (used.has(host))
        problems.push({
          path: u.credential,
          message:
            `is required: ${images.filter((i) => pullThroughUpstreamOf(i) === host).join(", ")} come(s) ` +
            `from ${u.title}, whose pull-through cache rule needs a Secrets Manager secret named ecr-pullthroughcache/... ` +
            `with its user name and access token (ECR user guide, "Creating a pull through cache rule"); give its ARN`,
        });
      continue;
    }
    const m = CREDENTIAL_ARN.exec(arn);
    if (!m)
      problems.push({
        path: u.credential,
        message: `must be the ARN of a Secrets Manager secret whose name begins with ecr-pullthroughcache/ (arn:aws:secretsmanager:<region>:<account>:secret:ecr-pullthroughcache/<name>); ${JSON.stringify(arn)} is not`,
      });
    else if (m[2] !== region)
      problems.push({
        path: u.credential,
        message:
          `must be a secret in the stack's region ${region} (a pull-through cache rule reads its credential ` +
          `from its own account and Region); ${arn} is in ${m[2]}`,
      });
  }
  return problems;
}

/** The account of the shipped stack files' placeholder credential ARNs (the AWS documentation's example account). */
export const PLACEHOLDER_ACCOUNT_ID = "111122223333";

/** Credential ARNs that still name the placeholder account: the offline plan accepts them, a deployment must not. */
export function pullThroughCachePlaceholderProblems(spec: PullThroughCacheSpec): Problem[] {
  return PULL_THROUGH_CREDENTIAL_KEYS.flatMap((key) =>
    spec[key]?.split(":")[4] === PLACEHOLDER_ACCOUNT_ID
      ? [
          {
            path: key,
            message:
              `is the shipped placeholder (account ${PLACEHOLDER_ACCOUNT_ID}); create the secret (docs/capacity.md, ` +
              `"Images through an ECR pull-through cache") and give its ARN`,
          },
        ]
      : [],
  );
}

/** The ECR repository ARN pattern of everything cached under one rule prefix (`repository/${RepositoryName}`, Service Authorization Reference, Amazon ECR). */
export function cachedRepositoriesArn(
  s: { partition: string; region: string; accountId: string },
  rulePrefix: string,
): string {
  return `arn:${s.partition}:ecr:${s.region}:${s.accountId}:repository/${rulePrefix}/*`;
}

/**
 * What a node needs, besides the pull-only managed policy it has (`AmazonEC2ContainerRegistryPullOnly`),
 * to pull through a cache rule: the first pull of an upstream image creates its repository and imports
 * the image as the caller (ECR user guide, "IAM permissions required to sync an upstream registry":
 * `ecr:BatchImportUpstreamImage`, and `ecr:CreateRepository` "if the repository storing the cached
 * images doesn't already exist"), and `ecr:TagResource`: the repository creation template tags what
 * it creates, and ECR authorizes tags given to a creating action as tagging (Service Authorization
 * Reference, ECR's operations: BatchGetImage lists BatchImportUpstreamImage, CreateRepository and
 * TagResource; user guide, "Using Tag-Based Access Control"). All three take the `repository`
 * resource, so all are held to the repositories under the stack's rule prefixes.
 */
export function pullThroughNodePolicy(
  s: { partition: string; region: string; accountId: string },
  rulePrefixes: readonly string[],
): PolicyDocument {
  return policyDocument({
    Sid: "PullThroughCacheImport",
    Effect: "Allow",
    Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:TagResource"],
    Resource: rulePrefixes.map((p) => cachedRepositoriesArn(s, p)),
  });
}

/**
 * Permissions of the role ECR assumes to create a cached repository from a creation template that
 * carries resource tags (ECR user guide, "Creating a repository creation template": a template using
 * KMS keys or resource tags needs a custom role; "Create a custom policy for repository creation
 * templates": `ecr:CreateRepository`, `ecr:TagResource`), on the cached repositories only. The
 * template encrypts with AES-256 (ECR's default), so the role needs no KMS grant.
 */
export function repositoryCreationRolePolicy(
  s: { partition: string; region: string; accountId: string },
  rulePrefixes: readonly string[],
): PolicyDocument {
  return policyDocument({
    Sid: "CreateCachedRepositories",
    Effect: "Allow",
    Action: ["ecr:CreateRepository", "ecr:TagResource"],
    Resource: rulePrefixes.map((p) => cachedRepositoriesArn(s, p)),
  });
}

/**
 * Trust policy of that role: ECR, for this account only (the confused-deputy guard of the IAM user
 * guide, `aws:SourceAccount`).
 */
export function repositoryCreationTrustPolicy(accountId: string): PolicyDocument {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: "ecr.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

/** Days a cached image may go unpulled before it expires (and is pulled through again on its next pull). */
export const CACHED_IMAGE_UNPULLED_DAYS = 30;

/**
 * Lifecycle policy of the cached repositories: an image no node pulled for
 * {@link CACHED_IMAGE_UNPULLED_DAYS} days expires, tagged or not (ECR user guide, "Examples of
 * lifecycle policies in Amazon ECR", template: `tagStatus` `any`, `countType` `sinceImagePulled`), so
 * the images of old pins stop costing storage once versions.ts moves on, while every image in use,
 * each platform manifest of a multi-architecture image included, is pulled as nodes come and stays.
 * An expired image is simply pulled through again on its next pull.
 */
export function cachedRepositoryLifecyclePolicy() {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire images no node pulled for ${CACHED_IMAGE_UNPULLED_DAYS} days`,
        selection: {
          tagStatus: "any",
          countType: "sinceImagePulled",
          countUnit: "days",
          countNumber: CACHED_IMAGE_UNPULLED_DAYS,
        },
        action: { type: "expire" },
      },
    ],
  };
}

/** A pull-through cache as the image references need it: the registry host and the stack's prefix. */
export interface PullThroughMirror {
  /** `<account>.dkr.ecr.<region>.amazonaws.com` (`.amazonaws.com.cn` in China). */
  registry: string;
  repositoryPrefix: string;
  /** Upstreams the stack has rules for: an image from any other registry is pulled from it directly. */
  upstreams: readonly PullThroughUpstream[];
}

/** The private registry's host (ECR user guide, "Private registry concepts": `aws_account_id.dkr.ecr.region.amazonaws.com`). */
export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/** The upstreams the images come from that ECR can cache, sorted. */
export function pullThroughUpstreams(images: readonly string[]): PullThroughUpstream[] {
  return [...new Set(images.map(pullThroughUpstreamOf).filter((u) => u !== undefined))].sort();
}

/**
 * Where a pod pulls an image from: through the stack's ECR pull-through cache when it has a rule for
 * the image's registry (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream prefix>/<path>:<tag>`,
 * {@link cachedRepositoryName}), from the image's own registry otherwise (no cache, or a registry
 * ECR cannot cache, such as nvcr.io). Every container of a model pod, and every pod that pre-pulls
 * a model's images, names its image through this one function.
 */
export function pulledImageRef(image: string | ImagePin, mirror?: PullThroughMirror): string {
  const ref = typeof image === "string" ? image : imageRef(image);
  const upstream = mirror && pullThroughUpstreamOf(ref);
  if (!mirror || !upstream || !mirror.upstreams.includes(upstream)) return ref;
  const repository = cachedRepositoryName(ref, mirror.repositoryPrefix);
  return repository ? `${mirror.registry}/${repository}:${imageParts(ref).tag}` : ref;
}
