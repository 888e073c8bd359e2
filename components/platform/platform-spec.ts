import type { Environment } from "../common/tags";
import { throwIfProblems } from "../common/problems";
import { type AcceleratorPoolInput, ENVIRONMENT_DEFAULTS, withPoolDefaults } from "./defaults";
import { platformSpecProblems } from "./rules";
import type { BudgetSpec, CapacitySpec, PlatformSpec, ServingSpec } from "./spec";
import type { PullThroughCacheSpec } from "../cluster/pull-through-cache";
import { smallestDeviceMemoryGiB } from "../common/accelerators/gpu-memory";
import { type ModelInput, withModelDefaults } from "../serving/model-spec";
import { GATEWAY_DEFAULT_REPLICAS } from "../serving/gateway/gateway-builders";
import { withModelTeamDefaults } from "./teams";

/** Any part of a value, to any depth; arrays are replaced whole, never merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** The cluster part of a platform, as {@link PlatformInput} completes it. */
export type PlatformClusterSpec = PlatformSpec["cluster"];
/** An existing VPC, as {@link PlatformInput} completes it. */
export type ExistingNetworkSpec = NonNullable<PlatformSpec["network"]["existing"]>;

/**
 * A platform as a stack file or a program writes it: the environment, team and region, and any
 * part of the rest, in the stack file's short forms (a pool by its name, kind, types and maxNodes;
 * a model by its name, server, accelerator and source; a team by its name and quota). Arrays
 * (instance types, pools, models, teams) replace the environment's default whole.
 * {@link resolvePlatform} completes it; the stack program and `platformSpec` both go through it.
 */
export interface PlatformInput {
  environment: Environment;
  team: string;
  region: string;
  clusterName?: string;
  tags?: Record<string, string>;
  network?: Partial<Omit<PlatformSpec["network"], "existing">> & {
    existing?: Omit<ExistingNetworkSpec, "publicSubnetIds"> & Partial<Pick<ExistingNetworkSpec, "publicSubnetIds">>;
  };
  cluster?: Partial<Omit<PlatformClusterSpec, "systemNodes">> & {
    systemNodes?: Partial<PlatformClusterSpec["systemNodes"]>;
  };
  loadBalancerController?: Partial<PlatformSpec["loadBalancerController"]>;
  capacity?: Partial<Omit<CapacitySpec, "pools">> & { pools?: AcceleratorPoolInput[] };
  monitoring?: Partial<PlatformSpec["monitoring"]>;
  registry?: Partial<PlatformSpec["registry"]>;
  alerting?: PlatformSpec["alerting"];
  budget?: Pick<BudgetSpec, "monthlyCeilingUsd"> & Partial<Pick<BudgetSpec, "enforcement">>;
  secretValues?: readonly string[];
  serving?: Partial<Omit<ServingSpec, "oidc" | "gateway" | "models">> & {
    oidc?: Omit<NonNullable<ServingSpec["oidc"]>, "onUnauthenticatedRequest"> &
      Partial<Pick<NonNullable<ServingSpec["oidc"]>, "onUnauthenticatedRequest">>;
    gateway?: Partial<NonNullable<ServingSpec["gateway"]>>;
    /** Models in the stack file's short form (`ModelInput`), completed by `withModelDefaults`. */
    models?: ModelInput[];
  };
  teams?: Parameters<typeof withModelTeamDefaults>[0][];
  images?: {
    pullThroughCache?: Partial<Pick<PullThroughCacheSpec, "repositoryPrefix">> &
      Omit<PullThroughCacheSpec, "repositoryPrefix">;
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The one place a platform's defaults are applied: the environment's (`ENVIRONMENT_DEFAULTS`), the
 * names the stack program uses (`mlserving-<env>` cluster, `models.<env>.internal` domain), a
 * private API endpoint unless public CIDRs are listed, each pool's (`withPoolDefaults`), model's
 * (`withModelDefaults`, limits sized to the smallest device of each kind's pools) and team's
 * (`withModelTeamDefaults`). It checks nothing: callers hold the result to `platformSpecProblems`.
 */
export function resolvePlatform(input: PlatformInput): PlatformSpec {
  const env = input.environment;
  const d = ENVIRONMENT_DEFAULTS[env];
  const cluster = input.cluster ?? {};
  const systemNodes = cluster.systemNodes ?? {};
  const minSize = systemNodes.minSize ?? d.cluster.systemNodes.minSize;
  const c = input.capacity ?? {};
  const capacity: CapacitySpec = {
    autoscaler: c.autoscaler ?? d.capacity.autoscaler,
    scaleDownUnneededTime: c.scaleDownUnneededTime ?? d.capacity.scaleDownUnneededTime,
    gpuDevicePlugin: c.gpuDevicePlugin ?? d.capacity.gpuDevicePlugin,
    gpuTimeSlicingReplicas: c.gpuTimeSlicingReplicas ?? d.capacity.gpuTimeSlicingReplicas,
    neuronScheduler: c.neuronScheduler ?? d.capacity.neuronScheduler,
    createSpotServiceLinkedRole: c.createSpotServiceLinkedRole ?? d.capacity.createSpotServiceLinkedRole,
    pools: c.pools ? c.pools.map((p) => withPoolDefaults(p, env)) : d.capacity.pools,
  };
  const deviceMemoryGiB = smallestDeviceMemoryGiB(capacity.pools);
  const clusterName = input.clusterName ?? `mlserving-${env}`;
  const network = input.network ?? {};
  const serving = input.serving ?? {};
  const publicAccessCidrs = cluster.publicAccessCidrs ?? d.cluster.publicAccessCidrs;
  return {
    environment: env,
    team: input.team,
    region: input.region,
    clusterName,
    tags: input.tags ?? {},
    network: {
      cidrBlock: network.cidrBlock ?? d.network.cidrBlock,
      availabilityZoneCount: network.availabilityZoneCount ?? d.network.availabilityZoneCount,
      natGateways: network.natGateways ?? d.network.natGateways,
      existing: network.existing && { ...network.existing, publicSubnetIds: network.existing.publicSubnetIds ?? [] },
    },
    cluster: {
      kubernetesVersion: cluster.kubernetesVersion ?? d.cluster.kubernetesVersion,
      // Secure by default: without a choice the endpoint stays private, unless public CIDRs are listed.
      deployerAccess: cluster.deployerAccess ?? (publicAccessCidrs.length > 0 ? "public" : "private"),
      publicAccessCidrs,
      privateAccessCidrs: cluster.privateAccessCidrs ?? d.cluster.privateAccessCidrs,
      adminPrincipalArns: cluster.adminPrincipalArns ?? d.cluster.adminPrincipalArns,
      logRetentionDays: cluster.logRetentionDays ?? d.cluster.logRetentionDays,
      systemNodes: {
        instanceTypes: systemNodes.instanceTypes ?? d.cluster.systemNodes.instanceTypes,
        minSize,
        desiredSize: systemNodes.desiredSize ?? Math.max(minSize, d.cluster.systemNodes.desiredSize),
        maxSize: systemNodes.maxSize ?? Math.max(minSize, d.cluster.systemNodes.maxSize),
        diskSizeGiB: systemNodes.diskSizeGiB ?? d.cluster.systemNodes.diskSizeGiB,
      },
      storageReclaimPolicy: cluster.storageReclaimPolicy ?? d.cluster.storageReclaimPolicy,
      networkPolicyEnforcingMode: cluster.networkPolicyEnforcingMode ?? d.cluster.networkPolicyEnforcingMode,
      ...(cluster.kubeconfigCredentials ? { kubeconfigCredentials: cluster.kubeconfigCredentials } : {}),
    },
    loadBalancerController: {
      replicas: input.loadBalancerController?.replicas ?? d.loadBalancerController.replicas,
    },
    capacity,
    monitoring: { ...d.monitoring, ...definedOnly(input.monitoring ?? {}) },
    registry: { ...d.registry, ...definedOnly(input.registry ?? {}) },
    alerting: input.alerting ?? {},
    ...(input.budget
      ? {
          budget: {
            monthlyCeilingUsd: input.budget.monthlyCeilingUsd,
            enforcement: input.budget.enforcement ?? "mandatory",
          },
        }
      : {}),
    ...(input.secretValues !== undefined ? { secretValues: input.secretValues } : {}),
    serving: {
      ingressDomain: serving.ingressDomain ?? `models.${env}.internal`,
      ...(serving.certificateArn ? { certificateArn: serving.certificateArn } : {}),
      ...(serving.privateZone !== undefined ? { privateZone: serving.privateZone } : {}),
      ...(serving.allowedCidrs ? { allowedCidrs: serving.allowedCidrs } : {}),
      ...(serving.oidc
        ? {
            oidc: {
              ...serving.oidc,
              onUnauthenticatedRequest: serving.oidc.onUnauthenticatedRequest ?? "authenticate",
            },
          }
        : {}),
      ...(serving.gateway
        ? {
            gateway: {
              replicas: serving.gateway.replicas ?? GATEWAY_DEFAULT_REPLICAS,
              ...(serving.gateway.jwt ? { jwt: serving.gateway.jwt } : {}),
            },
          }
        : {}),
      models: (serving.models ?? []).map((m) => withModelDefaults(m, env, { deviceMemoryGiB })),
    },
    ...(input.teams ? { teams: input.teams.map(withModelTeamDefaults) } : {}),
    ...(input.images?.pullThroughCache
      ? {
          images: {
            pullThroughCache: {
              ...input.images.pullThroughCache,
              repositoryPrefix: input.images.pullThroughCache.repositoryPrefix ?? clusterName,
            },
          },
        }
      : {}),
  };
}

/**
 * What a program gives `platformSpec`: the team and region, which no environment can decide, and
 * any part of the rest as {@link PlatformInput} takes it (the stack file's short forms).
 */
export type PlatformSpecOverrides = Omit<PlatformInput, "environment">;

/**
 * A whole `PlatformSpec` for `MlPlatform`, resolved as the stack program resolves a stack file
 * ({@link resolvePlatform}): the environment's defaults, the stack program's names, then `overrides`.
 * Throws an `InvalidArgsError` naming every key path that breaks a rule (`platformSpecProblems`).
 *
 * @example
 * const spec = platformSpec("dev", {
 *   team: "ml-platform",
 *   region: "us-west-2",
 *   serving: { models: [{ name: "resnet50", server: "triton", accelerator: "nvidia", source: "s3://models/resnet50/1" }] },
 * });
 * new MlPlatform("ml", spec);
 */
export function platformSpec(environment: Environment, overrides: PlatformSpecOverrides): PlatformSpec {
  if (ENVIRONMENT_DEFAULTS[environment] === undefined)
    throw new Error(`platformSpec: environment must be one of ${Object.keys(ENVIRONMENT_DEFAULTS).join(", ")}`);
  const spec = resolvePlatform({ ...overrides, environment });
  throwIfProblems(`platformSpec("${environment}")`, platformSpecProblems(spec));
  return spec;
}
