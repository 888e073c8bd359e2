import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { maxDevicesPerNode } from "../components/capacity";
import { ACCELERATOR_KINDS, instanceTypeProblems } from "../components/common/accelerators";
import { isOpenToWorld, validateCidr } from "../components/common/cidr";
import { Environment, ENVIRONMENTS } from "../components/common/tags";
import type { AcceleratorPoolSpec, CapacitySpec, PlatformSpec } from "../components/platform/spec";
import { modelSpecProblems, VLLM_IN_FLIGHT_TARGET, type ModelSpec } from "../components/serving/model-spec";
import { LONGEST_ALERT_WINDOW_HOURS } from "../components/monitoring/alert-rules";
import { KUBERNETES_VERSION } from "../components/versions";

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

const networkSchema = z.strictObject({
  cidrBlock: cidr.optional(),
  availabilityZoneCount: count(2, 6).optional(),
  natGateways: z.enum(["single", "onePerAz"]).optional(),
  existing: z
    .strictObject({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc12345def67890"),
      cidrBlock: cidr,
      privateSubnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id"))
        .min(2, "EKS needs subnets in at least 2 availability zones"),
      publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id")).optional(),
    })
    .optional(),
});

const clusterSchema = z.strictObject({
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, "must be a minor version such as 1.35")
    .optional(),
  publicAccessCidrs: z.array(cidr).optional(),
  privateAccessCidrs: z.array(cidr).optional(),
  adminPrincipalArns: z
    .array(
      z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, "must be an IAM role or user ARN"),
    )
    .optional(),
  logRetentionDays: z
    .union(
      [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].map(
        (d) => z.literal(d),
      ) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>],
      { error: "must be a CloudWatch retention value (e.g. 30, 90, 365)" },
    )
    .optional(),
  systemNodes: z
    .strictObject({
      instanceTypes: z
        .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large"))
        .min(1, "must list at least one instance type")
        .optional(),
      minSize: count(1, 50).optional(),
      desiredSize: count(1, 50).optional(),
      maxSize: count(1, 50).optional(),
      diskSizeGiB: count(20, 1000).optional(),
    })
    .optional(),
  storageReclaimPolicy: z.enum(["Delete", "Retain"]).optional(),
});

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as g6.xlarge");
const duration = z.string().regex(/^\d+(s|m|h)$/, "must be a duration such as 5m");

const poolSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/, "must be a DNS label of at most 32 characters"),
  kind: z.enum(ACCELERATOR_KINDS as [string, ...string[]], { error: `must be one of ${ACCELERATOR_KINDS.join(", ")}` }),
  instanceTypes: z.array(instanceType).min(1, "must list at least one instance type"),
  minNodes: count(0, 100).optional(),
  maxNodes: count(1, 100),
  maxDevices: count(1, 2000).optional(),
  onDemandFallback: z.boolean().optional(),
  diskSizeGiB: count(50, 4000).optional(),
  os: z.enum(["al2023", "bottlerocket"]).optional(),
  imageCacheSnapshotId: z
    .string()
    .regex(/^snap-[0-9a-f]{8,17}$/, "must be an EBS snapshot id such as snap-0123456789abcdef0")
    .optional(),
});

const capacitySchema = z.strictObject({
  clusterAutoscaler: z
    .strictObject({ enabled: z.boolean().optional(), scaleDownUnneededTime: duration.optional() })
    .optional(),
  karpenter: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  gpuDevicePlugin: z.enum(["device-plugin", "gpu-operator"]).optional(),
  gpuTimeSlicingReplicas: count(2, 48).optional(),
  neuronScheduler: z.boolean().optional(),
  pools: z.array(poolSchema).optional(),
});

const monitoringSchema = z.strictObject({
  retention: z
    .string()
    .regex(/^\d+[dhw]$/, "must be a duration such as 15d")
    .optional(),
  storageGiB: count(10, 10000).optional(),
  replicas: count(1, 5).optional(),
  grafanaStorageGiB: count(1, 1000).optional(),
  alertmanagerStorageGiB: count(1, 1000).optional(),
});

const registrySchema = z.strictObject({
  replicas: count(1, 5).optional(),
  dbInstanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.medium")
    .optional(),
  dbStorageGiB: count(20, 10000).optional(),
  backupRetentionDays: count(7, 35).optional(),
  multiAz: z.boolean().optional(),
  noncurrentVersionDays: count(1, 3650).optional(),
  hostname: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name")
    .optional(),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "must be an ACM certificate ARN")
    .optional(),
});

const quantity = z.union([z.string(), z.number()]).transform(String);
const modelSchema = z.strictObject({
  name: z.string(),
  server: z.enum(["triton", "kserve"], { error: "must be triton or kserve" }),
  accelerator: z.enum(["nvidia", "neuron", "cpu"], { error: "must be nvidia, neuron or cpu" }),
  source: z.string(),
  replicas: z.strictObject({ min: count(0, 100), max: count(1, 100) }).optional(),
  autoscaling: z
    .strictObject({
      metric: z.enum(["queue-time", "in-flight", "gpu-utilization"], {
        error: "must be queue-time, in-flight or gpu-utilization",
      }),
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
  canary: z.strictObject({ source: z.string(), trafficPercent: z.number() }).optional(),
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
  models: z.array(modelSchema).optional(),
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
      z.string().regex(/^[\w .:/=+@-]{1,128}$/, "tag keys must be 1-128 characters"),
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
  alerting: alertingSchema.optional(),
  alertSlackWebhookUrl: z.string().min(1).optional(),
  alertPagerdutyRoutingKey: z.string().min(1).optional(),
  alertWebhookUrl: z.string().min(1).optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

type Defaults = Omit<PlatformSpec, "environment" | "team" | "region" | "clusterName" | "tags" | "serving" | "alerting">;

const GPU_TYPES = ["g6.xlarge", "g6.2xlarge", "g5.xlarge", "g5.2xlarge", "g6e.xlarge"];
const INFERENTIA_TYPES = ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"];
const pool = (
  p: Pick<AcceleratorPoolSpec, "name" | "kind" | "instanceTypes" | "maxNodes" | "maxDevices" | "onDemandFallback">,
): AcceleratorPoolSpec => ({ minNodes: 0, diskSizeGiB: 200, os: "al2023", ...p });
const capacity = (autoscaler: CapacitySpec["autoscaler"], pools: AcceleratorPoolSpec[]): CapacitySpec => ({
  autoscaler,
  scaleDownUnneededTime: "5m",
  gpuDevicePlugin: "device-plugin",
  neuronScheduler: false,
  pools,
});

/**
 * Per-environment defaults. dev is cheap (one NAT gateway, small system group, short log
 * retention); staging mirrors prod's shape at a smaller size; prod is highly available
 * (NAT per AZ, three system nodes) and keeps volumes when their claims are deleted.
 */
export const ENVIRONMENT_DEFAULTS: Record<Environment, Defaults> = {
  dev: {
    network: { cidrBlock: "10.10.0.0/16", availabilityZoneCount: 3, natGateways: "single" },
    cluster: {
      kubernetesVersion: KUBERNETES_VERSION,
      publicAccessCidrs: [],
      privateAccessCidrs: [],
      adminPrincipalArns: [],
      logRetentionDays: 30,
      systemNodes: {
        instanceTypes: ["m7i.large", "m6i.large"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 3,
        diskSizeGiB: 50,
      },
      storageReclaimPolicy: "Delete",
    },
    loadBalancerController: { replicas: 1 },
    // Accelerators scale to zero on spot, driven by Cluster Autoscaler (no controller to pay for).
    capacity: capacity("cluster-autoscaler", [
      pool({
        name: "gpu",
        kind: "nvidia",
        instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge", "g4dn.xlarge"],
        maxNodes: 2,
        maxDevices: 2,
        onDemandFallback: false,
      }),
      pool({
        name: "inferentia",
        kind: "neuron",
        instanceTypes: INFERENTIA_TYPES,
        maxNodes: 1,
        maxDevices: 6,
        onDemandFallback: false,
      }),
    ]),
    // 4 days: more than the 3-day SLO ticket window, which Prometheus needs whole to evaluate it.
    monitoring: { retention: "4d", storageGiB: 20, replicas: 1, grafanaStorageGiB: 5, alertmanagerStorageGiB: 2 },
    registry: {
      replicas: 1,
      dbInstanceClass: "db.t4g.medium",
      dbStorageGiB: 20,
      backupRetentionDays: 7,
      multiAz: false,
      protectState: false,
      noncurrentVersionDays: 30,
    },
  },
  staging: {
    network: { cidrBlock: "10.20.0.0/16", availabilityZoneCount: 3, natGateways: "single" },
    cluster: {
      kubernetesVersion: KUBERNETES_VERSION,
      publicAccessCidrs: [],
      privateAccessCidrs: [],
      adminPrincipalArns: [],
      logRetentionDays: 90,
      systemNodes: {
        instanceTypes: ["m7i.large", "m6i.large"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
        diskSizeGiB: 50,
      },
      storageReclaimPolicy: "Delete",
    },
    loadBalancerController: { replicas: 2 },
    capacity: capacity("karpenter", [
      pool({
        name: "gpu",
        kind: "nvidia",
        instanceTypes: GPU_TYPES,
        maxNodes: 4,
        maxDevices: 4,
        onDemandFallback: true,
      }),
      pool({
        name: "inferentia",
        kind: "neuron",
        instanceTypes: INFERENTIA_TYPES,
        maxNodes: 2,
        maxDevices: 8,
        onDemandFallback: true,
      }),
    ]),
    monitoring: { retention: "15d", storageGiB: 50, replicas: 1, grafanaStorageGiB: 10, alertmanagerStorageGiB: 5 },
    registry: {
      replicas: 2,
      dbInstanceClass: "db.t4g.medium",
      dbStorageGiB: 20,
      backupRetentionDays: 14,
      multiAz: false,
      protectState: false,
      noncurrentVersionDays: 90,
    },
  },
  prod: {
    network: { cidrBlock: "10.30.0.0/16", availabilityZoneCount: 3, natGateways: "onePerAz" },
    cluster: {
      kubernetesVersion: KUBERNETES_VERSION,
      publicAccessCidrs: [],
      privateAccessCidrs: [],
      adminPrincipalArns: [],
      logRetentionDays: 365,
      systemNodes: {
        instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
        minSize: 3,
        desiredSize: 3,
        maxSize: 6,
        diskSizeGiB: 80,
      },
      storageReclaimPolicy: "Retain",
    },
    loadBalancerController: { replicas: 2 },
    capacity: capacity("karpenter", [
      pool({
        name: "gpu",
        kind: "nvidia",
        instanceTypes: GPU_TYPES,
        maxNodes: 16,
        maxDevices: 16,
        onDemandFallback: true,
      }),
      pool({
        name: "inferentia",
        kind: "neuron",
        instanceTypes: INFERENTIA_TYPES,
        maxNodes: 6,
        maxDevices: 24,
        onDemandFallback: true,
      }),
    ]),
    monitoring: { retention: "30d", storageGiB: 200, replicas: 2, grafanaStorageGiB: 20, alertmanagerStorageGiB: 10 },
    registry: {
      replicas: 2,
      dbInstanceClass: "db.m7g.large",
      dbStorageGiB: 100,
      backupRetentionDays: 30,
      multiAz: true,
      protectState: true,
      noncurrentVersionDays: 365,
    },
  },
};

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
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [{ path: keyPath(issue.path), message: "is required" }];
    }
    return [{ path: keyPath(issue.path), message: issue.message }];
  });
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
): PlatformSpec {
  const problems: ConfigProblem[] = [];
  if (!region) problems.push({ path: "aws:region", message: "is required (pulumi config set aws:region <region>)" });
  else if (!/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region))
    problems.push({ path: "aws:region", message: "must be an AWS region such as us-east-1" });

  const parsed = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new StackConfigError([...problems, ...zodProblems(parsed.error)]);
  const cfg = parsed.data;
  const d = ENVIRONMENT_DEFAULTS[cfg.environment];
  const minSize = cfg.cluster?.systemNodes?.minSize ?? d.cluster.systemNodes.minSize;
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
    capacity: resolveCapacity(cfg.capacity, d.capacity, cfg.environment, problems),
    monitoring: { ...d.monitoring, ...definedOnly(cfg.monitoring ?? {}) },
    registry: { ...d.registry, ...definedOnly(cfg.registry ?? {}) },
    alerting: resolveAlerting(cfg, secretKeys, problems),
    serving: {
      ingressDomain: cfg.serving?.ingressDomain ?? `models.${cfg.environment}.internal`,
      ...(cfg.serving?.certificateArn ? { certificateArn: cfg.serving.certificateArn } : {}),
      models: (cfg.serving?.models ?? []).map((m) => resolveModel(m, cfg.environment)),
    },
  };
  problems.push(...crossFieldProblems(spec));
  if (problems.length > 0) throw new StackConfigError(problems);
  return spec;
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
        diskSizeGiB: p.diskSizeGiB ?? 200,
        os: p.os ?? "al2023",
        imageCacheSnapshotId: p.imageCacheSnapshotId,
      }))
    : d.pools;
  return {
    autoscaler,
    scaleDownUnneededTime: cfg?.clusterAutoscaler?.scaleDownUnneededTime ?? d.scaleDownUnneededTime,
    gpuDevicePlugin: cfg?.gpuDevicePlugin ?? d.gpuDevicePlugin,
    gpuTimeSlicingReplicas: cfg?.gpuTimeSlicingReplicas ?? d.gpuTimeSlicingReplicas,
    neuronScheduler: cfg?.neuronScheduler ?? d.neuronScheduler,
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
    out[field] = pulumi.secret(value);
  }
  return out;
}

function resolveModel(
  m: NonNullable<NonNullable<StackConfig["serving"]>["models"]>[number],
  environment: Environment,
): ModelSpec {
  const neuron = m.accelerator === "neuron";
  return {
    name: m.name,
    server: m.server,
    accelerator: m.accelerator,
    source: m.source,
    replicas: m.replicas ?? (environment === "prod" ? { min: 2, max: 6 } : { min: 1, max: 2 }),
    autoscaling:
      m.autoscaling ??
      (neuron ? { metric: "in-flight", target: VLLM_IN_FLIGHT_TARGET } : { metric: "queue-time", target: 20 }),
    resources: {
      ...(m.resources?.gpus !== undefined ? { gpus: m.resources.gpus } : {}),
      ...(m.resources?.neuronDevices !== undefined ? { neuronDevices: m.resources.neuronDevices } : {}),
      cpu: m.resources?.cpu ?? "2",
      memory: m.resources?.memory ?? "8Gi",
    },
    ...(m.canary ? { canary: m.canary } : {}),
  };
}

function servingProblems(spec: PlatformSpec): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const poolKinds = new Set(spec.capacity.pools.map((p) => p.kind));
  const names = new Set<string>();
  spec.serving.models.forEach((m, i) => {
    const at = `${CONFIG_NAMESPACE}:serving.models[${i}]`;
    for (const p of modelSpecProblems(m, spec.environment))
      problems.push({ path: `${at}.${p.field}`, message: p.message });
    if (names.has(m.name)) problems.push({ path: `${at}.name`, message: `model name ${m.name} is used twice` });
    names.add(m.name);
    if (m.accelerator !== "cpu" && !poolKinds.has(m.accelerator)) {
      problems.push({
        path: `${at}.accelerator`,
        message: `no ${m.accelerator} pool under capacity.pools to run it on`,
      });
    }
  });
  return problems;
}

function capacityProblems(c: CapacitySpec): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) =>
    problems.push({ path: `${CONFIG_NAMESPACE}:capacity.${path}`, message });
  const names = new Set<string>();
  c.pools.forEach((p, i) => {
    const at = `pools[${i}]`;
    if (names.has(p.name)) add(`${at}.name`, `pool name ${p.name} is used twice`);
    names.add(p.name);
    for (const pr of instanceTypeProblems(p.kind, p.instanceTypes)) add(`${at}.instanceTypes[${pr.index}]`, pr.message);
    if (p.instanceTypes.length < 3)
      add(
        `${at}.instanceTypes`,
        "spot capacity needs at least 3 instance types so one spot pool running dry does not stop scaling",
      );
    if (p.minNodes > p.maxNodes) add(`${at}.minNodes`, `must not exceed maxNodes (${p.minNodes} > ${p.maxNodes})`);
    if (c.autoscaler === "karpenter" && p.minNodes > 0)
      add(`${at}.minNodes`, "Karpenter pools have no minimum; they start empty and grow with pending pods");
    if (p.os === "bottlerocket" && (p.kind !== "nvidia" || c.autoscaler !== "cluster-autoscaler"))
      add(
        `${at}.os`,
        "bottlerocket is offered for nvidia node groups (Cluster Autoscaler) only; Karpenter pools choose it through imageCacheSnapshotId",
      );
    if (p.imageCacheSnapshotId && (p.kind !== "nvidia" || c.autoscaler !== "karpenter"))
      add(`${at}.imageCacheSnapshotId`, "image-cache snapshots are supported for nvidia pools under Karpenter only");
  });
  return problems;
}

/** Rules that involve several fields or the environment. */
function crossFieldProblems(spec: PlatformSpec): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `${CONFIG_NAMESPACE}:${path}`, message });
  problems.push(...capacityProblems(spec.capacity));
  problems.push(...servingProblems(spec));
  const sys = spec.cluster.systemNodes;
  if (!(sys.minSize <= sys.desiredSize && sys.desiredSize <= sys.maxSize)) {
    add(
      "cluster.systemNodes",
      `must satisfy minSize <= desiredSize <= maxSize (got ${sys.minSize} <= ${sys.desiredSize} <= ${sys.maxSize})`,
    );
  }
  spec.cluster.privateAccessCidrs.forEach((c, i) => {
    if (isOpenToWorld(c))
      add(`cluster.privateAccessCidrs[${i}]`, "0.0.0.0/0 is not a network you control; list your VPN or peered CIDRs");
  });
  spec.cluster.publicAccessCidrs.forEach((c, i) => {
    if (isOpenToWorld(c))
      add(
        `cluster.publicAccessCidrs[${i}]`,
        "0.0.0.0/0 opens the Kubernetes API to the internet; list your own CIDRs or leave the endpoint private",
      );
  });
  const retention = /^(\d+)([dhw])$/.exec(spec.monitoring.retention);
  if (
    retention &&
    +retention[1] * { h: 1, d: 24, w: 168 }[retention[2] as "h" | "d" | "w"] <= LONGEST_ALERT_WINDOW_HOURS
  )
    add(
      "monitoring.retention",
      `must be longer than the longest alert window (${LONGEST_ALERT_WINDOW_HOURS}h, the SLO ticket's 3 days): with no margin, block-wise deletion and the size limit leave that window incomplete`,
    );
  if (spec.environment === "prod") {
    if (spec.network.natGateways !== "onePerAz" && !spec.network.existing)
      add("network.natGateways", "prod must run one NAT gateway per availability zone (onePerAz)");
    if (spec.network.availabilityZoneCount < 3 && !spec.network.existing)
      add("network.availabilityZoneCount", "prod must span at least 3 availability zones");
    if (sys.minSize < 2) add("cluster.systemNodes.minSize", "prod needs at least 2 system nodes");
    if (spec.cluster.storageReclaimPolicy !== "Retain")
      add("cluster.storageReclaimPolicy", "prod must retain volumes (Retain) so monitoring and registry data survive");
    if (spec.registry.backupRetentionDays < 30)
      add("registry.backupRetentionDays", "prod keeps at least 30 days of database backups");
    if (!spec.registry.multiAz) add("registry.multiAz", "prod runs the registry database Multi-AZ");
    if (spec.registry.replicas < 2) add("registry.replicas", "prod runs at least 2 registry servers");
    if (!spec.alerting.slackWebhookUrl && !spec.alerting.pagerdutyRoutingKey && !spec.alerting.webhookUrl) {
      add(
        "alertPagerdutyRoutingKey",
        "prod needs at least one alert receiver (alertPagerdutyRoutingKey, alertSlackWebhookUrl or alertWebhookUrl)",
      );
    }
    if (!spec.alerting.slackWebhookUrl && !spec.alerting.webhookUrl) {
      add(
        "alertSlackWebhookUrl",
        "prod needs a non-paging receiver for warnings (alertSlackWebhookUrl or alertWebhookUrl): PagerDuty gets critical alerts only, so without one every warning reaches nobody",
      );
    }
  }
  return problems;
}
