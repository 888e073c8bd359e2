import { z } from "zod";
import { maxDevicesPerNode } from "../components/capacity/node-group-builders";
import { ACCELERATOR_KINDS } from "../components/common/accelerators";
import { smallestGpuMemoryGiB } from "../components/common/accelerators/gpu-memory";
import { validateCidr } from "../components/common/cidr";
import { regionProblem } from "../components/common/regions";
import { apiAccessPlaceholders, DEPLOYER_ACCESS_MODES } from "../components/cluster/rules";
import { Environment, ENVIRONMENTS } from "../components/common/tags";
import { capacityFitProblems } from "../components/platform/capacity-checks";
import type { AcceleratorPoolSpec, CapacitySpec, PlatformSpec } from "../components/platform/spec";
import { apiAccessInputOf, platformSpecProblems, stackEnvironmentProblems } from "../components/platform/rules";
import {
  MODEL_ACCELERATORS,
  MODEL_SERVERS,
  oneOf,
  SCALING_METRICS,
  withModelDefaults,
  type ModelSpec,
} from "../components/serving/model-spec";
import { ENVIRONMENT_DEFAULTS } from "../components/platform/defaults";
import { withModelTeamDefaults } from "../components/platform/teams";
import {
  CAPACITY_LIST_LIMITS,
  CAPACITY_RESERVATION_TYPES,
  CapacityReservationType,
} from "../components/capacity/rules";
import { CLUSTER_LIST_LIMITS } from "../components/cluster/rules";
import { listLengthProblem } from "../components/common/problems";
import { MAX_USER_TAGS } from "../components/common/tags";
import { NETWORK_LIST_LIMITS } from "../components/network/rules";
import { MODEL_LIST_LIMIT } from "../components/serving/model-spec";
import { secretTopLevelKeyProblem, secretValuesOf } from "./secret-config";

/** The Pulumi project name, which is also the namespace of the kit's config keys. */
export const CONFIG_NAMESPACE = "mlserving";

/** One thing wrong with a stack file: the config key path and the rule broken. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** A stack file that does not describe a valid platform; lists every problem. */
export class StackConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

const name = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/,
      `${what} must be 3-40 lowercase letters, digits or '-', starting with a letter`,
    );
const count = (min: number, max: number) =>
  z.number().int(`must be a whole number`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const cidr = z.string().refine(validateCidr, "must be an IPv4 CIDR such as 10.0.0.0/16");

const int = z.number().int("must be a whole number");

const networkSchema = z.strictObject({
  cidrBlock: z.string().optional(),
  availabilityZoneCount: int.optional(),
  natGateways: z.enum(["single", "onePerAz"]).optional(),
  existing: z
    .strictObject({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc12345def67890"),
      cidrBlock: cidr,
      privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id")),
      publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id")).optional(),
    })
    .optional(),
});

const clusterSchema = z.strictObject({
  kubernetesVersion: z.string().optional(),
  deployerAccess: z
    .enum(DEPLOYER_ACCESS_MODES as [string, ...string[]], { error: "must be public or private" })
    .optional(),
  publicAccessCidrs: z.array(z.string()).optional(),
  privateAccessCidrs: z.array(z.string()).optional(),
  adminPrincipalArns: z.array(z.string()).optional(),
  logRetentionDays: int.optional(),
  systemNodes: z
    .strictObject({
      instanceTypes: z
        .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large"))
        .min(1, "must list at least one instance type")
        .optional(),
      minSize: count(1, 50).optional(),
      desiredSize: count(1, 50).optional(),
      maxSize: count(1, 50).optional(),
      diskSizeGiB: count(1, 1000).optional(),
    })
    .optional(),
  storageReclaimPolicy: z.enum(["Delete", "Retain"]).optional(),
});

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as g6.xlarge");

const poolSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(ACCELERATOR_KINDS as [string, ...string[]], { error: `must be one of ${ACCELERATOR_KINDS.join(", ")}` }),
  instanceTypes: z.array(instanceType).min(1, "must list at least one instance type"),
  minNodes: count(0, 100).optional(),
  maxNodes: count(1, 100),
  maxDevices: count(0, 2000).optional(),
  onDemandFallback: z.boolean().optional(),
  spot: z.boolean().optional(),
  diskSizeGiB: count(1, 4000).optional(),
  os: z.enum(["al2023", "bottlerocket"]).optional(),
  imageCacheSnapshotId: z.string().optional(),
  warmNodes: count(0, 100).optional(),
  volumeThroughputMiBps: int.optional(),
  instanceStore: z.boolean().optional(),
  reservations: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        tags: z.record(z.string(), z.string()).optional(),
        type: z.enum(CAPACITY_RESERVATION_TYPES as [string, ...string[]]).optional(),
        instanceType,
        instances: count(1, 10000),
        endsAt: z.string().optional(),
      }),
    )
    .optional(),
});

const capacitySchema = z.strictObject({
  clusterAutoscaler: z
    .strictObject({ enabled: z.boolean().optional(), scaleDownUnneededTime: z.string().optional() })
    .optional(),
  karpenter: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  gpuDevicePlugin: z.enum(["device-plugin", "gpu-operator"]).optional(),
  gpuTimeSlicingReplicas: int.optional(),
  neuronScheduler: z.boolean().optional(),
  createSpotServiceLinkedRole: z.boolean().optional(),
  pools: z.array(poolSchema).optional(),
});

const monitoringSchema = z.strictObject({
  retention: z.string().optional(),
  storageGiB: int.optional(),
  replicas: int.optional(),
  grafanaStorageGiB: int.optional(),
  alertmanagerStorageGiB: int.optional(),
});

const registrySchema = z.strictObject({
  replicas: int.optional(),
  dbInstanceClass: z.string().optional(),
  dbStorageGiB: int.optional(),
  backupRetentionDays: int.optional(),
  multiAz: z.boolean().optional(),
  noncurrentVersionDays: int.optional(),
  hostname: z.string().optional(),
  certificateArn: z.string().optional(),
});

const quantity = z.union([z.string(), z.number()]).transform(String);
const modelSchema = z.strictObject({
  name: z.string(),
  server: z.enum(MODEL_SERVERS, { error: `must be ${oneOf(MODEL_SERVERS)}` }),
  accelerator: z.enum(MODEL_ACCELERATORS, { error: `must be ${oneOf(MODEL_ACCELERATORS)}` }),
  runtime: z.string().optional(),
  source: z.string(),
  pinnedVersion: z.number().optional(),
  weightsGiB: z.number().optional(),
  mountWeights: z.boolean().optional(),
  replicas: z.strictObject({ min: count(0, 100), max: count(1, 100) }).optional(),
  autoscaling: z
    .strictObject({
      metric: z.enum(SCALING_METRICS, { error: `must be ${oneOf(SCALING_METRICS)}` }),
      target: z.number(),
    })
    .optional(),
  resources: z
    .strictObject({
      gpus: count(1, 8).optional(),
      neuronDevices: count(1, 16).optional(),
      cpu: quantity.optional(),
      memory: z.string().optional(),
    })
    .optional(),
  canary: z
    .strictObject({ source: z.string(), trafficPercent: z.number(), pinnedVersion: z.number().optional() })
    .optional(),
  llm: z.strictObject({ maxModelLen: z.number().optional(), maxNumSeqs: z.number().optional() }).optional(),
  allowedCidrs: z.array(z.string()).optional(),
});

const servingSchema = z.strictObject({
  ingressDomain: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS suffix such as models.internal")
    .optional(),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "must be an ACM certificate ARN")
    .optional(),
  allowedCidrs: z.array(z.string()).optional(),
  oidc: z
    .strictObject({
      issuer: z.string(),
      authorizationEndpoint: z.string(),
      tokenEndpoint: z.string(),
      userInfoEndpoint: z.string(),
      clientId: z.string().min(1),
      onUnauthenticatedRequest: z.enum(["authenticate", "deny"], { error: "must be authenticate or deny" }).optional(),
    })
    .optional(),
  models: z.array(modelSchema).optional(),
});

const teamSchema = z.strictObject({
  name: z.string(),
  quota: z.strictObject({
    cpu: quantity,
    memory: z.string(),
    gpus: int.optional(),
    neuronDevices: int.optional(),
    pods: int,
  }),
  runtimes: z.array(z.string()).max(16, "must list at most 16 runtimes").optional(),
  models: z.array(z.string()).max(1000, "must list at most 1000 models").optional(),
});

const alertingSchema = z.strictObject({
  slackChannel: z
    .string()
    .regex(/^[#@]?[\w-]{1,80}$/, "must be a Slack channel such as #ml-alerts")
    .optional(),
});

/**
 * Alert receivers' URLs and keys: each its own top-level key, so Pulumi records each one as a
 * secret (or not) and a plaintext value is caught.
 */
const ALERT_SECRET_KEYS = {
  alertSlackWebhookUrl: "slackWebhookUrl",
  alertPagerdutyRoutingKey: "pagerdutyRoutingKey",
  alertWebhookUrl: "webhookUrl",
} as const;

/** Schema of the `mlserving:*` keys of a stack file. Unknown keys are errors. */
export const stackConfigSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
  team: name("team"),
  clusterName: z
    .string()
    .regex(/^[a-z][a-z0-9-]{2,38}$/, "must be 3-39 lowercase letters, digits or '-', starting with a letter")
    .optional(),
  tags: z
    .record(
      z.string().regex(/^[\w .:/=+@-]{1,128}$/, "tag keys must be 1-128 letters, digits, spaces or _ . : / = + @ -"),
      z.string().max(256, "tag values must be at most 256 characters"),
    )
    .optional(),
  network: networkSchema.optional(),
  cluster: clusterSchema.optional(),
  loadBalancerController: z.strictObject({ replicas: count(1, 5).optional() }).optional(),
  capacity: capacitySchema.optional(),
  monitoring: monitoringSchema.optional(),
  registry: registrySchema.optional(),
  serving: servingSchema.optional(),
  // Bounded here so a huge list is refused before each item is checked; modelTeamsProblems holds the real bound.
  teams: z.array(teamSchema).max(1000, "must list at most 1000 teams").optional(),
  alerting: alertingSchema.optional(),
  budget: z
    .strictObject({
      monthlyCeilingUsd: z.number().positive("must be a positive amount of US dollars"),
      enforcement: z.enum(["mandatory", "advisory"], { error: "must be mandatory or advisory" }).optional(),
    })
    .optional(),
  alertSlackWebhookUrl: z.string().min(1).optional(),
  alertPagerdutyRoutingKey: z.string().min(1).optional(),
  alertWebhookUrl: z.string().min(1).optional(),
  servingOidcClientSecret: z.string().min(1).optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

export interface ResolveOptions {
  /**
   * The spec is for a real deployment (`pulumi up`/`preview`), not the offline plan: the
   * shipped placeholder CIDRs are refused. Default: false.
   */
  deploying?: boolean;
  /** The stack's name: one named for an environment must set that environment (stackEnvironmentProblems). */
  stackName?: string;
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? `${CONFIG_NAMESPACE}:${String(p)}` : `.${String(p)}`;
  }
  return out || CONFIG_NAMESPACE;
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({
        path: keyPath([...issue.path, k]),
        message: "unknown key (check its spelling against the README's configuration reference)",
      }));
    }
    // A bad map key (a tag key) is reported by the key, `tags[""]`, with the key's rule.
    if (issue.code === "invalid_key") {
      const key = issue.path[issue.path.length - 1];
      return [
        {
          path: `${keyPath(issue.path.slice(0, -1))}[${JSON.stringify(String(key))}]`,
          message: issue.issues.map((i) => i.message).join("; "),
        },
      ];
    }
    // A missing enum (environment) is reported as missing, not as "must be one of".
    if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) {
      return [{ path: keyPath(issue.path), message: "is required" }];
    }
    return [{ path: keyPath(issue.path), message: issue.message }];
  });
}

interface ListLimit {
  max: number;
  what: string;
  hint?: string;
}

/** Every list (and map) of the config with its bound, from the domain rules; `[]` is any index. */
const CONFIG_LIST_LIMITS: [string[], ListLimit][] = [
  [["cluster", "publicAccessCidrs"], CLUSTER_LIST_LIMITS.publicAccessCidrs],
  [["cluster", "privateAccessCidrs"], CLUSTER_LIST_LIMITS.privateAccessCidrs],
  [["cluster", "adminPrincipalArns"], CLUSTER_LIST_LIMITS.adminPrincipalArns],
  [["cluster", "systemNodes", "instanceTypes"], CLUSTER_LIST_LIMITS.systemNodeInstanceTypes],
  [["network", "existing", "privateSubnetIds"], NETWORK_LIST_LIMITS.privateSubnetIds],
  [["network", "existing", "publicSubnetIds"], NETWORK_LIST_LIMITS.publicSubnetIds],
  [["capacity", "pools"], CAPACITY_LIST_LIMITS.pools],
  [["capacity", "pools", "[]", "instanceTypes"], CAPACITY_LIST_LIMITS.instanceTypes],
  [["serving", "models"], MODEL_LIST_LIMIT],
  [["tags"], { max: MAX_USER_TAGS, what: "tags", hint: "AWS allows 50 per resource and the kit adds its own" }],
];

/** The bound of the list (or map) at a key path as the README writes it (`capacity.pools[].instanceTypes`). */
export function listLimitAt(keyPath: string): ListLimit | undefined {
  return CONFIG_LIST_LIMITS.find(([path]) => path.join(".").replace(/\.\[\]/g, "[]") === keyPath)?.[1];
}

/**
 * Lists over their bounds, found before anything else looks at the config: one problem per list,
 * in time linear in the file, so a runaway list (72,000 admin ARNs) is refused at once.
 */
export function listLimitProblems(raw: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const visit = (value: unknown, rest: readonly string[], at: (string | number)[], limit: ListLimit) => {
    if (rest.length === 0) {
      const list = Array.isArray(value)
        ? value
        : value !== null && typeof value === "object"
          ? Object.keys(value)
          : undefined;
      const problem = listLengthProblem(list, limit.max, limit.what, limit.hint);
      if (problem) problems.push({ path: keyPath(at), message: problem });
      return;
    }
    if (rest[0] === "[]") {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, rest.slice(1), [...at, i], limit));
    } else if (value !== null && typeof value === "object" && !Array.isArray(value))
      visit((value as Record<string, unknown>)[rest[0]], rest.slice(1), [...at, rest[0]], limit);
  };
  for (const [path, limit] of CONFIG_LIST_LIMITS) visit(raw, path, [], limit);
  return problems;
}

/**
 * Validates the raw config of a stack (the `mlserving:*` keys without their namespace, plus
 * `aws:region`) and resolves it into a {@link PlatformSpec}. Throws a {@link StackConfigError}
 * listing every problem by its config key path.
 */
export function resolvePlatformSpec(
  raw: Record<string, unknown>,
  region: string | undefined,
  secretKeys: ReadonlySet<string> = new Set(),
  options: ResolveOptions = {},
): PlatformSpec {
  const problems: ConfigProblem[] = [];
  if (!region) problems.push({ path: "aws:region", message: "is required (pulumi config set aws:region <region>)" });
  else if (regionProblem(region)) problems.push({ path: "aws:region", message: regionProblem(region) as string });

  const tooLong = listLimitProblems(raw);
  if (tooLong.length > 0) throw new StackConfigError([...problems, ...tooLong]);
  for (const key of secretKeys) {
    const [ns, ...rest] = key.split(":");
    const name = rest.join(":");
    const secretProblem = ns === CONFIG_NAMESPACE ? secretTopLevelKeyProblem(name, raw[name]) : undefined;
    if (secretProblem) problems.push({ path: key, message: secretProblem });
  }
  const parsed = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new StackConfigError([...problems, ...zodProblems(parsed.error)]);
  const cfg = parsed.data;
  const d = ENVIRONMENT_DEFAULTS[cfg.environment];
  const minSize = cfg.cluster?.systemNodes?.minSize ?? d.cluster.systemNodes.minSize;
  const capacity = resolveCapacity(cfg.capacity, d.capacity, cfg.environment, problems);
  const gpuMemoryGiB = smallestGpuMemoryGiB(
    capacity.pools.filter((p) => p.kind === "nvidia").flatMap((p) => p.instanceTypes),
  );
  const spec: PlatformSpec = {
    environment: cfg.environment,
    team: cfg.team,
    region: region ?? "",
    clusterName: cfg.clusterName ?? `mlserving-${cfg.environment}`,
    tags: cfg.tags ?? {},
    network: {
      cidrBlock: cfg.network?.cidrBlock ?? d.network.cidrBlock,
      availabilityZoneCount: cfg.network?.availabilityZoneCount ?? d.network.availabilityZoneCount,
      natGateways: cfg.network?.natGateways ?? d.network.natGateways,
      existing: cfg.network?.existing && {
        ...cfg.network.existing,
        publicSubnetIds: cfg.network.existing.publicSubnetIds ?? [],
      },
    },
    cluster: {
      kubernetesVersion: cfg.cluster?.kubernetesVersion ?? d.cluster.kubernetesVersion,
      // Secure by default: without a choice the endpoint stays private, unless public CIDRs are listed.
      deployerAccess:
        (cfg.cluster?.deployerAccess as PlatformSpec["cluster"]["deployerAccess"] | undefined) ??
        ((cfg.cluster?.publicAccessCidrs ?? []).length > 0 ? "public" : "private"),
      publicAccessCidrs: cfg.cluster?.publicAccessCidrs ?? d.cluster.publicAccessCidrs,
      privateAccessCidrs: cfg.cluster?.privateAccessCidrs ?? d.cluster.privateAccessCidrs,
      adminPrincipalArns: cfg.cluster?.adminPrincipalArns ?? d.cluster.adminPrincipalArns,
      logRetentionDays: cfg.cluster?.logRetentionDays ?? d.cluster.logRetentionDays,
      systemNodes: {
        instanceTypes: cfg.cluster?.systemNodes?.instanceTypes ?? d.cluster.systemNodes.instanceTypes,
        minSize,
        desiredSize: cfg.cluster?.systemNodes?.desiredSize ?? Math.max(minSize, d.cluster.systemNodes.desiredSize),
        maxSize: cfg.cluster?.systemNodes?.maxSize ?? Math.max(minSize, d.cluster.systemNodes.maxSize),
        diskSizeGiB: cfg.cluster?.systemNodes?.diskSizeGiB ?? d.cluster.systemNodes.diskSizeGiB,
      },
      storageReclaimPolicy: cfg.cluster?.storageReclaimPolicy ?? d.cluster.storageReclaimPolicy,
    },
    loadBalancerController: { replicas: cfg.loadBalancerController?.replicas ?? d.loadBalancerController.replicas },
    capacity,
    monitoring: { ...d.monitoring, ...definedOnly(cfg.monitoring ?? {}) },
    registry: { ...d.registry, ...definedOnly(cfg.registry ?? {}) },
    alerting: resolveAlerting(cfg, secretKeys, problems),
    ...(cfg.budget
      ? {
          budget: {
            monthlyCeilingUsd: cfg.budget.monthlyCeilingUsd,
            enforcement: cfg.budget.enforcement ?? "mandatory",
          },
        }
      : {}),
    secretValues: secretValuesOf(raw, secretKeys, CONFIG_NAMESPACE),
    serving: {
      ingressDomain: cfg.serving?.ingressDomain ?? `models.${cfg.environment}.internal`,
      ...(cfg.serving?.certificateArn ? { certificateArn: cfg.serving.certificateArn } : {}),
      ...(cfg.serving?.allowedCidrs ? { allowedCidrs: cfg.serving.allowedCidrs } : {}),
      ...resolveEndpointOidc(cfg, secretKeys, problems),
      models: (cfg.serving?.models ?? []).map((m) => resolveModel(m, cfg.environment, gpuMemoryGiB)),
    },
    ...(cfg.teams ? { teams: cfg.teams.map(withModelTeamDefaults) } : {}),
  };
  for (const p of platformSpecProblems(spec))
    problems.push({ path: `${CONFIG_NAMESPACE}:${p.path}`, message: p.message });
  // Each model must fit an instance type of its pools (checked once the rest is valid).
  if (problems.length === 0)
    for (const p of capacityFitProblems(spec))
      problems.push({ path: `${CONFIG_NAMESPACE}:${p.path}`, message: p.message });
  if (options.stackName !== undefined)
    for (const p of stackEnvironmentProblems(options.stackName, spec.environment))
      problems.push({ path: `${CONFIG_NAMESPACE}:${p.path}`, message: p.message });
  if (options.deploying) problems.push(...deployPlaceholderProblems(spec));
  if (problems.length > 0) throw new StackConfigError(problems);
  return spec;
}

/**
 * Values the offline plan accepts but a real deployment must not use: the shipped
 * documentation-range CIDRs. The offline plan prints them; `pulumi up` refuses them.
 */
export function deployPlaceholderProblems(spec: PlatformSpec): ConfigProblem[] {
  return apiAccessPlaceholders(apiAccessInputOf(spec)).map((p) => ({
    path: `${CONFIG_NAMESPACE}:cluster.${p.path}`,
    message: p.message,
  }));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveCapacity(
  cfg: StackConfig["capacity"],
  d: CapacitySpec,
  environment: Environment,
  problems: ConfigProblem[],
): CapacitySpec {
  const ca = cfg?.clusterAutoscaler?.enabled;
  const karpenter = cfg?.karpenter?.enabled;
  let autoscaler = d.autoscaler;
  if (ca === true && karpenter === true) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:capacity`,
      message: "choose one node autoscaler: clusterAutoscaler.enabled and karpenter.enabled are both true",
    });
  } else if (karpenter === true || ca === false) {
    autoscaler = "karpenter";
  } else if (ca === true || karpenter === false) {
    autoscaler = "cluster-autoscaler";
  }
  if (ca === false && karpenter === false) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:capacity`,
      message: "accelerator pools need a node autoscaler: enable clusterAutoscaler or karpenter",
    });
  }
  const pools = cfg?.pools
    ? cfg.pools.map((p): AcceleratorPoolSpec => ({
        name: p.name,
        kind: p.kind as AcceleratorPoolSpec["kind"],
        instanceTypes: p.instanceTypes,
        minNodes: p.minNodes ?? 0,
        maxNodes: p.maxNodes,
        maxDevices: p.maxDevices ?? p.maxNodes * Math.max(1, maxDevicesPerNode(p.instanceTypes)),
        // Outside dev, spot shortages fall back to on-demand unless a pool says otherwise.
        onDemandFallback: p.onDemandFallback ?? environment !== "dev",
        spot: p.spot ?? true,
        diskSizeGiB: p.diskSizeGiB ?? 200,
        os: p.os ?? "al2023",
        imageCacheSnapshotId: p.imageCacheSnapshotId,
        ...(p.warmNodes ? { warmNodes: p.warmNodes } : {}),
        ...(p.volumeThroughputMiBps !== undefined ? { volumeThroughputMiBps: p.volumeThroughputMiBps } : {}),
        ...(p.instanceStore ? { instanceStore: true } : {}),
        ...(p.reservations
          ? {
              reservations: p.reservations.map((r) => ({
                ...r,
                type: (r.type ?? "odcr") as CapacityReservationType,
              })),
            }
          : {}),
      }))
    : d.pools;
  return {
    autoscaler,
    scaleDownUnneededTime: cfg?.clusterAutoscaler?.scaleDownUnneededTime ?? d.scaleDownUnneededTime,
    gpuDevicePlugin: cfg?.gpuDevicePlugin ?? d.gpuDevicePlugin,
    gpuTimeSlicingReplicas: cfg?.gpuTimeSlicingReplicas ?? d.gpuTimeSlicingReplicas,
    neuronScheduler: cfg?.neuronScheduler ?? d.neuronScheduler,
    createSpotServiceLinkedRole: cfg?.createSpotServiceLinkedRole ?? autoscaler === "karpenter",
    pools,
  };
}

/** Receivers' URLs and keys must be stored as secrets, and stay secrets in the spec. */
function resolveAlerting(
  cfg: StackConfig,
  secretKeys: ReadonlySet<string>,
  problems: ConfigProblem[],
): PlatformSpec["alerting"] {
  const out: PlatformSpec["alerting"] = cfg.alerting?.slackChannel ? { slackChannel: cfg.alerting.slackChannel } : {};
  for (const [key, field] of Object.entries(ALERT_SECRET_KEYS) as [
    keyof typeof ALERT_SECRET_KEYS,
    (typeof ALERT_SECRET_KEYS)[keyof typeof ALERT_SECRET_KEYS],
  ][]) {
    const value = cfg[key];
    if (value === undefined) continue;
    const fullKey = `${CONFIG_NAMESPACE}:${key}`;
    if (!secretKeys.has(fullKey))
      problems.push({
        path: fullKey,
        message: `must be stored as a secret: pulumi config set --secret ${fullKey} <value>`,
      });
    out[field] = value; // MlPlatform makes it a Pulumi secret.
  }
  return out;
}

/** OIDC of the model endpoints: the client secret must be stored as a secret, and stays one. */
function resolveEndpointOidc(
  cfg: StackConfig,
  secretKeys: ReadonlySet<string>,
  problems: ConfigProblem[],
): Pick<PlatformSpec["serving"], "oidc"> {
  const oidc = cfg.serving?.oidc;
  const key = `${CONFIG_NAMESPACE}:servingOidcClientSecret`;
  const secret = cfg.servingOidcClientSecret;
  if (!oidc) {
    if (secret !== undefined)
      problems.push({
        path: key,
        message: "is set without mlserving:serving.oidc; remove it or configure serving.oidc",
      });
    return {};
  }
  if (secret === undefined)
    problems.push({
      path: key,
      message: `is required with serving.oidc: pulumi config set --secret ${key} <the OIDC client's secret>`,
    });
  else if (!secretKeys.has(key))
    problems.push({ path: key, message: `must be stored as a secret: pulumi config set --secret ${key} <value>` });
  return {
    oidc: {
      issuer: oidc.issuer,
      authorizationEndpoint: oidc.authorizationEndpoint,
      tokenEndpoint: oidc.tokenEndpoint,
      userInfoEndpoint: oidc.userInfoEndpoint,
      onUnauthenticatedRequest: oidc.onUnauthenticatedRequest ?? "authenticate",
      clientId: oidc.clientId,
      clientSecret: secret ?? "",
    },
  };
}

function resolveModel(
  m: NonNullable<NonNullable<StackConfig["serving"]>["models"]>[number],
  environment: Environment,
  gpuMemoryGiB: number | undefined,
): ModelSpec {
  return withModelDefaults(m, environment, { gpuMemoryGiB });
}
