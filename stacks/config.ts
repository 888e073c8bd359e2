import { z } from "zod";
import { ACCELERATOR_KINDS, byDeviceField } from "../components/common/accelerators";
import { validateCidr } from "../components/common/cidr";
import { DNS_NAME } from "../components/common/dns";
import { regionProblem } from "../components/common/regions";
import { apiAccessPlaceholders, DEPLOYER_ACCESS_MODES, type DeployerAccess } from "../components/cluster/rules";
import {
  type KubeconfigCredentials,
  type NetworkPolicyEnforcingMode,
  NETWORK_POLICY_ENFORCING_MODES,
} from "../components/cluster/builders";
import { ENVIRONMENTS } from "../components/common/tags";
import { capacityFitProblems } from "../components/platform/capacity-checks";
import type { AcceleratorPoolSpec, CapacitySpec, PlatformSpec } from "../components/platform/spec";
import { apiAccessInputOf, platformSpecProblems, stackEnvironmentProblems } from "../components/platform/rules";
import { MODEL_ACCELERATORS, MODEL_SERVERS, oneOf, SCALING_METRICS } from "../components/serving/model-spec";
import { type PlatformInput, resolvePlatform } from "../components/platform/platform-spec";
import {
  CAPACITY_LIST_LIMITS,
  CAPACITY_RESERVATION_TYPES,
  CapacityReservationType,
} from "../components/capacity/rules";
import { CLUSTER_LIST_LIMITS } from "../components/cluster/rules";
import { pullThroughCachePlaceholderProblems } from "../components/cluster/pull-through-cache";
import { configKeyPath, coveredBy, listLengthProblem } from "../components/common/problems";
import { MAX_USER_TAGS, tagProblems } from "../components/common/tags";
import { NETWORK_LIST_LIMITS } from "../components/network/rules";
import { MODEL_LIST_LIMIT } from "../components/serving/model-spec";
import { ADAPTER_LIST_LIMIT } from "../components/serving/adapters";
import { GATEWAY_REPLICAS } from "../components/serving/gateway/gateway-builders";
import { parsedWholeSecret, secretTopLevelKeyProblem, secretValuesOf } from "./secret-config";

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
  // Stored as one secret, the list reaches the program as its JSON text.
  adminPrincipalArns: z
    .preprocess((v) => parsedWholeSecret(["cluster", "adminPrincipalArns"], v), z.array(z.string()))
    .optional(),
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
  networkPolicyEnforcingMode: z
    .enum(NETWORK_POLICY_ENFORCING_MODES as [string, ...string[]], { error: "must be standard or strict" })
    .optional(),
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
  imageCacheFastRestore: z.boolean().optional(),
  imageCacheImages: z.array(z.string()).optional(),
  warmNodes: count(0, 100).optional(),
  volumeThroughputMiBps: int.optional(),
  instanceStore: z.boolean().optional(),
  fastImagePull: z.boolean().optional(),
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

/** A Kubernetes quantity, written as a string (`16Gi`) or a YAML number (`4`, `1.2e10`), as Kubernetes takes both. */
const quantity = z.union([z.string(), z.number()]).transform(String);
const modelSchema = z.strictObject({
  name: z.string(),
  server: z.enum(MODEL_SERVERS, { error: `must be ${oneOf(MODEL_SERVERS)}` }),
  accelerator: z.enum(MODEL_ACCELERATORS, { error: `must be ${oneOf(MODEL_ACCELERATORS)}` }),
  runtime: z.string().optional(),
  source: z.string(),
  pinnedVersion: z.number().optional(),
  weightsGiB: z.number().optional(),
  serverStartSeconds: z.number().optional(),
  mountWeights: z.boolean().optional(),
  compileCache: z.boolean().optional(),
  replicas: z.strictObject({ min: count(0, 100), max: count(1, 100) }).optional(),
  wakeTimeoutSeconds: z.number().optional(),
  autoscaling: z
    .strictObject({
      metric: z.enum(SCALING_METRICS, { error: `must be ${oneOf(SCALING_METRICS)}` }),
      target: z.number(),
    })
    .optional(),
  resources: z
    .strictObject({
      ...byDeviceField((r) => count(1, r.maxDevicesPerReplica).optional()),
      cpu: quantity.optional(),
      memory: quantity.optional(),
    })
    .optional(),
  canary: z
    .strictObject({ source: z.string(), trafficPercent: z.number(), pinnedVersion: z.number().optional() })
    .optional(),
  abTest: z
    .strictObject({
      source: z.string(),
      pinnedVersion: z.number().optional(),
      header: z.strictObject({ name: z.string(), value: z.string() }),
    })
    .optional(),
  shadow: z
    .strictObject({ source: z.string(), pinnedVersion: z.number().optional(), mirrorPercent: z.number().optional() })
    .optional(),
  llm: z
    .strictObject({
      maxModelLen: z.number().optional(),
      maxNumSeqs: z.number().optional(),
      kvCacheBytesPerToken: z.number().optional(),
    })
    .optional(),
  allowedCidrs: z.array(z.string()).optional(),
  adapters: z.array(z.strictObject({ name: z.string(), source: z.string(), rank: z.number() })).optional(),
});

const servingSchema = z.strictObject({
  ingressDomain: z.string().regex(DNS_NAME, "must be a DNS suffix such as models.internal").optional(),
  privateZone: z.boolean().optional(),
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
  gateway: z
    .strictObject({
      replicas: count(GATEWAY_REPLICAS.min, GATEWAY_REPLICAS.max).optional(),
      jwt: z
        .strictObject({ issuer: z.string(), jwksUri: z.string(), audiences: z.array(z.string()).optional() })
        .optional(),
    })
    .optional(),
  models: z.array(modelSchema).optional(),
});

const teamSchema = z.strictObject({
  name: z.string(),
  quota: z.strictObject({
    cpu: quantity,
    memory: quantity,
    ...byDeviceField(() => int.optional()),
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

const imagesSchema = z.strictObject({
  pullThroughCache: z
    .strictObject({
      repositoryPrefix: z.string().optional(),
      dockerHubCredentialArn: z.string().optional(),
      githubCredentialArn: z.string().optional(),
    })
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
  alertHeartbeatUrl: "heartbeatUrl",
} as const;

/** Schema of the `mlserving:*` keys of a stack file. Unknown keys are errors. */
export const stackConfigSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
  // Held to TEAM_NAME by platformSpecProblems (teamNameProblems), the rule platformSpec shares.
  team: z.string(),
  clusterName: z
    .string()
    .regex(/^[a-z][a-z0-9-]{2,38}$/, "must be 3-39 lowercase letters, digits or '-', starting with a letter")
    .optional(),
  // Keys and values are held to AWS's rules by tagProblems (the rules the components share).
  tags: z.record(z.string(), z.string()).optional(),
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
  images: imagesSchema.optional(),
  budget: z
    .strictObject({
      monthlyCeilingUsd: z.number().positive("must be a positive amount of US dollars"),
      enforcement: z.enum(["mandatory", "advisory"], { error: "must be mandatory or advisory" }).optional(),
    })
    .optional(),
  alertSlackWebhookUrl: z.string().min(1).optional(),
  alertPagerdutyRoutingKey: z.string().min(1).optional(),
  alertWebhookUrl: z.string().min(1).optional(),
  alertHeartbeatUrl: z.string().min(1).optional(),
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
  /** The AWS provider's `aws:profile` and `aws:assumeRoles` as Pulumi hands them (strings), for the kubeconfig. Default: none. */
  awsProvider?: AwsProviderConfig;
  /**
   * The stack's `aws:defaultTags` (`{ tags: { ... } }`), which the AWS provider adds to every
   * resource the kit creates, IAM roles included: held to the same tag rules as `mlserving:tags`.
   */
  awsDefaultTags?: unknown;
  /** Internal: how many times the config was resolved again without values the schema refused. */
  schemaRepairs?: number;
}

/** The AWS provider's config keys the kit reads, as Pulumi passes them to a program (`aws:profile`, `aws:assumeRoles`). */
export interface AwsProviderConfig {
  profile?: string;
  assumeRoles?: string;
}

/**
 * What the kubeconfig's `aws eks get-token` needs to act as the AWS provider does: its profile
 * (`aws:profile`) and the role it assumes (`aws:assumeRoles`, @pulumi/aws 7: a list of
 * `{ roleArn, externalId?, sessionName?, ... }`). `get-token` assumes at most one role and takes
 * no external id (its options: --cluster-name, --role-arn, ...), so a chain or an external id is
 * refused: put it in an AWS CLI profile (role_arn, source_profile, external_id) and set `aws:profile`.
 */
function kubeconfigCredentialsOf(
  aws: AwsProviderConfig | undefined,
  problems: ConfigProblem[],
): { kubeconfigCredentials?: KubeconfigCredentials } {
  const credentials: KubeconfigCredentials = {};
  if (aws?.profile) credentials.profile = aws.profile;
  if (aws?.assumeRoles !== undefined) {
    let roles: unknown;
    try {
      roles = JSON.parse(aws.assumeRoles);
    } catch {
      roles = undefined;
    }
    const problem = (path: string, message: string) => problems.push({ path: `aws:assumeRoles${path}`, message });
    if (!Array.isArray(roles)) problem("", "must be a list of roles ({ roleArn: ... }), as @pulumi/aws 7 reads it");
    else if (roles.length > 1)
      problem(
        "",
        `lists ${roles.length} roles, a chain the kubeconfig's aws eks get-token cannot follow (it ` +
          `assumes one role, --role-arn); write the chain as an AWS CLI profile (role_arn, source_profile) and set aws:profile`,
      );
    else if (roles.length === 1) {
      const role = roles[0] as Record<string, unknown> | null;
      if (typeof role?.roleArn !== "string" || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(role.roleArn))
        problem("[0].roleArn", "must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)");
      else if (role.externalId !== undefined)
        problem(
          "[0].externalId",
          "the kubeconfig's aws eks get-token takes no external id; write the role as an AWS CLI profile " +
            "(role_arn, external_id, source_profile) and set aws:profile",
        );
      else credentials.roleArn = role.roleArn;
    }
  }
  return Object.keys(credentials).length > 0 ? { kubeconfigCredentials: credentials } : {};
}

/** Problems with `aws:defaultTags`: a mapping whose `tags` AWS accepts on every resource. */
function awsDefaultTagsProblems(value: unknown, kitTags: unknown): ConfigProblem[] {
  if (value === undefined) return [];
  const key = "aws:defaultTags";
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isMap(value)) return [{ path: key, message: "must be a mapping such as { tags: { cost-center: ml } }" }];
  if (value.tags === undefined) return [];
  if (!isMap(value.tags)) return [{ path: `${key}.tags`, message: "must be a mapping of tag keys to values" }];
  const problems = tagProblems(value.tags).map((p) => ({ path: `${key}.tags${p.path}`, message: p.message }));
  // The provider merges its default tags into each resource's own: together they share the bound.
  const both = new Set([...Object.keys(value.tags), ...Object.keys(isMap(kitTags) ? kitTags : {})]);
  if (problems.length === 0 && both.size > MAX_USER_TAGS)
    problems.push({
      path: `${key}.tags`,
      message:
        `with mlserving:tags makes ${both.size} tags on every resource; together they list at most ${MAX_USER_TAGS} ` +
        `(AWS allows 50 per resource and the kit adds its own)`,
    });
  return problems;
}

/** A zod issue's path as the stack file's key path (`mlserving:serving.models[0].name`, `mlserving:tags["a b"]`). */
function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return CONFIG_NAMESPACE;
  const steps = path.map((p) => (typeof p === "number" ? p : String(p)));
  return configKeyPath(`${CONFIG_NAMESPACE}:${String(steps[0])}`, steps.slice(1));
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({
        path: keyPath([...issue.path, k]),
        message: "unknown key (check its spelling against the configuration reference, docs/configuration.md)",
      }));
    }
    // A bad map key (a tag key) is reported by the key, `tags[""]`, with the key's rule.
    if (issue.code === "invalid_key") {
      const key = issue.path[issue.path.length - 1];
      return [
        {
          path: configKeyPath(keyPath(issue.path.slice(0, -1)), [String(key)]),
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
  [["capacity", "pools", "[]", "imageCacheImages"], CAPACITY_LIST_LIMITS.imageCacheImages],
  [["serving", "models"], MODEL_LIST_LIMIT],
  [["serving", "models", "[]", "adapters"], ADAPTER_LIST_LIMIT],
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

  problems.push(...awsDefaultTagsProblems(options.awsDefaultTags, raw.tags));
  const tooLong = listLimitProblems(raw);
  if (tooLong.length > 0) throw new StackConfigError([...problems, ...tooLong]);
  for (const key of secretKeys) {
    const [ns, ...rest] = key.split(":");
    const name = rest.join(":");
    const secretProblem = ns === CONFIG_NAMESPACE ? secretTopLevelKeyProblem(name, raw[name]) : undefined;
    if (secretProblem) problems.push({ path: key, message: secretProblem });
  }
  const parsed = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Every problem at once: the rules still check what the schema accepted. The values it
    // refused are left out (with what holds them when they are required) and the rest resolved;
    // what the rules then say about a refused value is left out as already explained.
    const schema = [...problems, ...zodProblems(parsed.error)];
    const rest = withoutRefusedValues(raw, parsed.error);
    if (rest === undefined || (options.schemaRepairs ?? 0) >= MAX_SCHEMA_REPAIRS) throw new StackConfigError(schema);
    let later: ConfigProblem[] = [];
    try {
      resolvePlatformSpec(rest, region, secretKeys, { ...options, schemaRepairs: (options.schemaRepairs ?? 0) + 1 });
    } catch (e) {
      if (!(e instanceof StackConfigError)) throw e;
      later = e.problems;
    }
    const explained = coveredBy(schema);
    const seen = new Set(schema.map((p) => `${p.path}\0${p.message}`));
    throw new StackConfigError([
      ...schema,
      ...later.filter((p) => !explained(p) && !seen.has(`${p.path}\0${p.message}`)),
    ]);
  }
  const cfg = parsed.data;
  // The stack file's own shapes (autoscaler switches, secrets) become a PlatformInput here; every
  // default is applied by resolvePlatform, the path platformSpec takes too.
  const capacity = capacityInput(cfg.capacity, problems);
  const kubeconfig = kubeconfigCredentialsOf(options.awsProvider, problems);
  const alerting = resolveAlerting(cfg, secretKeys, problems);
  const oidc = resolveEndpointOidc(cfg, secretKeys, problems);
  const spec = resolvePlatform({
    environment: cfg.environment,
    team: cfg.team,
    region: region ?? "",
    clusterName: cfg.clusterName,
    tags: cfg.tags,
    network: cfg.network,
    cluster: {
      ...cfg.cluster,
      deployerAccess: cfg.cluster?.deployerAccess as DeployerAccess | undefined,
      networkPolicyEnforcingMode: cfg.cluster?.networkPolicyEnforcingMode as NetworkPolicyEnforcingMode | undefined,
      ...kubeconfig,
    },
    loadBalancerController: cfg.loadBalancerController,
    capacity,
    monitoring: cfg.monitoring,
    registry: cfg.registry,
    alerting,
    budget: cfg.budget,
    secretValues: secretValuesOf(raw, secretKeys, CONFIG_NAMESPACE),
    serving: { ...cfg.serving, oidc: oidc.oidc },
    teams: cfg.teams,
    images: cfg.images,
  });
  for (const p of platformSpecProblems(spec))
    problems.push({ path: `${CONFIG_NAMESPACE}:${p.path}`, message: p.message });
  // Each model must fit an instance type of its pools; a fit problem of a value already refused
  // (a malformed request, a pool's unknown type) is left out, every other one is listed too.
  const fit = capacityFitProblems(spec).map((p) => ({ path: `${CONFIG_NAMESPACE}:${p.path}`, message: p.message }));
  const refused = coveredBy(problems);
  problems.push(...fit.filter((p) => !refused(p)));
  if (options.stackName !== undefined)
    for (const p of stackEnvironmentProblems(options.stackName, spec.environment))
      problems.push({ path: `${CONFIG_NAMESPACE}:${p.path}`, message: p.message });
  if (options.deploying) problems.push(...deployPlaceholderProblems(spec));
  if (problems.length > 0) throw new StackConfigError(problems);
  return spec;
}

/** How many times a config is resolved again without the values the schema refused (each round leaves out more). */
const MAX_SCHEMA_REPAIRS = 8;

/**
 * A copy of `raw` without the values the schema refused: an unknown key, a bad map key, a value of
 * the wrong type or shape. A refused value that is missing (required) takes with it the nearest map
 * entry holding it outside a list (a model without its source drops the models list), so the
 * rest resolves. Undefined when nothing can be left out (a required top-level key).
 */
function withoutRefusedValues(raw: Record<string, unknown>, error: z.ZodError): Record<string, unknown> | undefined {
  const copy = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  const at = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>(
      (v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
      copy,
    );
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  const remove = (path: readonly PropertyKey[]): boolean => {
    // The deepest map entry on the path (a list's items are not removed: indexes would shift),
    // above the value itself when it is already missing.
    const from = at(path) === undefined ? path.length - 2 : path.length - 1;
    for (let i = from; i >= 0; i--) {
      const holder = at(path.slice(0, i));
      const key = path[i];
      if (isMap(holder) && typeof key === "string" && key in holder) {
        if (i === 0 && at(path) === undefined) return false; // a required top-level key
        delete holder[key];
        return true;
      }
    }
    return false;
  };
  let changed = false;
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") for (const k of issue.keys) changed = remove([...issue.path, k]) || changed;
    else changed = remove(issue.path) || changed;
  }
  return changed ? copy : undefined;
}

/**
 * Values the offline plan accepts but a real deployment must not use: the shipped
 * documentation-range CIDRs. The offline plan prints them; `pulumi up` refuses them.
 */
export function deployPlaceholderProblems(spec: PlatformSpec): ConfigProblem[] {
  const cache = spec.images?.pullThroughCache;
  return [
    ...apiAccessPlaceholders(apiAccessInputOf(spec)).map((p) => ({
      path: `${CONFIG_NAMESPACE}:cluster.${p.path}`,
      message: p.message,
    })),
    ...(cache ? pullThroughCachePlaceholderProblems(cache) : []).map((p) => ({
      path: `${CONFIG_NAMESPACE}:images.pullThroughCache.${p.path}`,
      message: p.message,
    })),
  ];
}

/** The stack file's capacity as a PlatformInput's: its two autoscaler switches become the one choice. */
function capacityInput(cfg: StackConfig["capacity"], problems: ConfigProblem[]): PlatformInput["capacity"] {
  const ca = cfg?.clusterAutoscaler?.enabled;
  const karpenter = cfg?.karpenter?.enabled;
  let autoscaler: CapacitySpec["autoscaler"] | undefined;
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
  return {
    autoscaler,
    scaleDownUnneededTime: cfg?.clusterAutoscaler?.scaleDownUnneededTime,
    gpuDevicePlugin: cfg?.gpuDevicePlugin,
    gpuTimeSlicingReplicas: cfg?.gpuTimeSlicingReplicas,
    neuronScheduler: cfg?.neuronScheduler,
    createSpotServiceLinkedRole: cfg?.createSpotServiceLinkedRole,
    pools: cfg?.pools?.map((p) => ({
      ...p,
      kind: p.kind as AcceleratorPoolSpec["kind"],
      reservations: p.reservations?.map((r) => ({ ...r, type: r.type as CapacityReservationType | undefined })),
    })),
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
): Pick<NonNullable<PlatformInput["serving"]>, "oidc"> {
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
      onUnauthenticatedRequest: oidc.onUnauthenticatedRequest,
      clientId: oidc.clientId,
      clientSecret: secret ?? "",
    },
  };
}
