import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../common/handles";
import { throwIfProblems } from "../common/problems";
import {
  cachedRepositoryLifecyclePolicy,
  ecrRegistryHost,
  type PullThroughMirror,
  PULL_THROUGH_UPSTREAMS,
  pullThroughCacheProblems,
  type PullThroughCacheSpec,
  type PullThroughUpstream,
  pullThroughNodePolicy,
  pullThroughUpstreams,
  repositoryCreationRolePolicy,
  repositoryCreationTrustPolicy,
  ruleRepositoryPrefix,
} from "./pull-through-cache";

/** What pods need to pull through the cache: the registry (an output: it holds the account id), the prefix, the upstreams, what to wait for. */
export interface ImageMirrorHandle {
  readonly registry: pulumi.Output<string>;
  readonly repositoryPrefix: string;
  readonly upstreams: readonly PullThroughUpstream[];
  /** The rules, the creation template and the nodes' permissions: pods pulling through the cache wait for them. */
  readonly ready: pulumi.Resource[];
}

export interface ImageMirrorArgs {
  /** The cluster whose nodes pull (its account, Region, tags). Required. */
  cluster: Pick<ClusterHandle, "name" | "region" | "partition" | "accountId" | "tags">;
  /** The cache: repository prefix and the upstreams' credential secrets (`mlserving:images.pullThroughCache`). Required. */
  cache: PullThroughCacheSpec;
  /**
   * Every image the pods pulling through the cache pull: a rule is made for each upstream ECR can
   * cache among them (images from other registries, e.g. nvcr.io, are pulled as they are). Required.
   */
  images: readonly string[];
  /** Roles of the nodes that pull: each may import into and create the cached repositories. Required. */
  nodeRoles: aws.iam.Role[];
}

/**
 * An ECR pull-through cache for the stack's images: a `PullThroughCacheRule` per upstream registry
 * its images come from (Docker Hub and GitHub Container Registry with the credential secret the stack
 * names), a repository creation template per rule (AES-256 at rest, the kit's tags, a lifecycle
 * policy that expires what no node pulls any more) with the role ECR creates the repositories as, and,
 * on each node role, the three actions a first pull through a rule needs, on the cached repositories only. Pods then pull `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/...`
 * (cluster/pull-through-cache.ts `pulledImageRef`): from ECR in the Region, not anonymously from Docker Hub.
 */
export class ImageMirror extends pulumi.ComponentResource {
  readonly handle: ImageMirrorHandle;
  readonly rules: aws.ecr.PullThroughCacheRule[] = [];

  constructor(name: string, args: ImageMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems(
      `ImageMirror "${name}"`,
      pullThroughCacheProblems(args.cache, args.cluster.region, args.images).map((p) => ({
        path: `cache.${p.path}`,
        message: p.message,
      })),
    );
    super("mlserving:cluster:ImageMirror", name, {}, opts);
    const { cluster, cache } = args;
    const parent = { parent: this };
    const upstreams = pullThroughUpstreams(args.images);
    for (const upstream of upstreams) {
      const u = PULL_THROUGH_UPSTREAMS[upstream];
      const credentialArn = "credential" in u ? cache[u.credential] : undefined;
      this.rules.push(
        new aws.ecr.PullThroughCacheRule(
          `${name}-${u.prefix}`,
          {
            ecrRepositoryPrefix: ruleRepositoryPrefix(cache.repositoryPrefix, upstream),
            upstreamRegistryUrl: u.upstreamRegistryUrl,
            ...(credentialArn ? { credentialArn } : {}),
          },
          parent,
        ),
      );
    }
    const rulePrefixes = upstreams.map((u) => ruleRepositoryPrefix(cache.repositoryPrefix, u));
    const scope = pulumi.all([cluster.partition, cluster.accountId]).apply(([partition, accountId]) => ({
      partition,
      accountId,
      region: cluster.region,
    }));
    // ECR creates each cached repository from the template of its rule's prefix (ECR API reference,
    // CreateRepositoryCreationTemplate `prefix`: "When using a pull through cache rule, the repository
    // prefix you specify during rule creation is what you should specify as your repository creation
    // template prefix as well"); with resource tags it does so as a role of ours.
    const creationRole = new aws.iam.Role(
      `${name}-repository-creation`,
      {
        description: `ECR creates ${cluster.name}'s cached repositories as this role`,
        assumeRolePolicy: scope.apply((s) => JSON.stringify(repositoryCreationTrustPolicy(s.accountId))),
        tags: cluster.tags,
      },
      parent,
    );
    const creationPolicy = new aws.iam.RolePolicy(
      `${name}-repository-creation`,
      {
        role: creationRole.name,
        policy: scope.apply((s) => JSON.stringify(repositoryCreationRolePolicy(s, rulePrefixes))),
      },
      parent,
    );
    const templates = upstreams.map(
      (upstream) =>
        new aws.ecr.RepositoryCreationTemplate(
          `${name}-${PULL_THROUGH_UPSTREAMS[upstream].prefix}`,
          {
            prefix: ruleRepositoryPrefix(cache.repositoryPrefix, upstream),
            description: `Images ${cluster.name} pulls through the cache from ${PULL_THROUGH_UPSTREAMS[upstream].title}`,
            appliedFors: ["PULL_THROUGH_CACHE"],
            customRoleArn: creationRole.arn,
            // AES-256, ECR's default encryption at rest: a KMS key would need grants on a key
            // (the AWS managed aws/ecr) that does not exist before ECR first uses it.
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            // A cached repository stays in sync with its upstream only while its tags are mutable
            // (ECR user guide, "Sync an upstream registry"); the kit pins tags in versions.ts.
            imageTagMutability: "MUTABLE",
            lifecyclePolicy: JSON.stringify(cachedRepositoryLifecyclePolicy()),
            resourceTags: cluster.tags,
          },
          { parent: this, dependsOn: [creationPolicy] },
        ),
    );
    const policy = scope.apply((s) => JSON.stringify(pullThroughNodePolicy(s, rulePrefixes)));
    const grants = args.nodeRoles.map(
      (role, i) => new aws.iam.RolePolicy(`${name}-node-${i}`, { role: role.name, policy }, parent),
    );
    this.handle = {
      registry: cluster.accountId.apply((a) => ecrRegistryHost(a, cluster.region)),
      repositoryPrefix: cache.repositoryPrefix,
      upstreams,
      ready: [...this.rules, ...templates, ...grants],
    };
    this.registerOutputs({ registry: this.handle.registry });
  }
}

/**
 * Builds with the pull-through cache's references when there is one: `build(mirror)` once the
 * registry (which holds the account id) is known, `build(undefined)` at once otherwise. The one
 * way components hand a mirror to the pure builders that name images.
 */
export function withImageMirror<T>(
  mirror: Pick<ImageMirrorHandle, "registry" | "repositoryPrefix" | "upstreams"> | undefined,
  build: (mirror: PullThroughMirror | undefined) => T,
): T | pulumi.Output<T> {
  if (!mirror) return build(undefined);
  return mirror.registry.apply((registry) =>
    build({ registry, repositoryPrefix: mirror.repositoryPrefix, upstreams: mirror.upstreams }),
  ) as pulumi.Output<T>;
}
