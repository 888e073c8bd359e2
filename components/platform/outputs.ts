import { z } from "zod";
import { ACCELERATOR_KINDS, type AcceleratorKind, type AcceleratorSchedulerNames } from "../common/accelerators";
import type { Problem } from "../common/problems";
import { ENVIRONMENTS, type Environment } from "../common/tags";
import type { EndpointOidc } from "../serving/callers";
import { PULL_THROUGH_UPSTREAMS, type PullThroughMirror } from "../cluster/pull-through-cache";

/**
 * The platform stack's outputs for the teams that deploy models into it: one typed contract,
 * built by the platform program (`platformOutputs` in stacks/program.ts) and read by
 * `PlatformReference` in a model team's stack. Plain data only (strings, numbers, lists, maps),
 * so a recorded copy plans a model team's stack offline. Bump {@link PLATFORM_OUTPUTS_VERSION}
 * when a field changes meaning or goes away.
 */
export interface PlatformOutputs {
  /** Version of this contract; a reference refuses any other. */
  platformOutputsVersion: typeof PLATFORM_OUTPUTS_VERSION;
  /** The platform's environment: its rules apply to models deployed into it (2+ replicas in prod, scale to zero in dev only). */
  environment: Environment;
  /**
   * Kubeconfig of the cluster (a Pulumi secret). It holds no credential: it authenticates with
   * `aws eks get-token`, so the caller's own AWS identity needs an EKS access entry.
   */
  kubeconfig: string;
  cluster: PlatformClusterOutputs;
  serving: PlatformServingOutputs;
  registry: PlatformRegistryOutputs;
  monitoring: PlatformMonitoringOutputs;
}

/** Facts of the EKS cluster. */
export interface PlatformClusterOutputs {
  name: string;
  arn: string;
  /** API server URL. */
  endpoint: string;
  /** Base64 PEM of the cluster's certificate authority. */
  certificateAuthority: string;
  region: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
  partition: string;
  accountId: string;
  /** Kubernetes minor version of the control plane, e.g. `1.35`. */
  kubernetesVersion: string;
  /** Security group EKS attaches to the control plane and managed nodes. */
  clusterSecurityGroupId: string;
  /** Role of the system nodes. */
  nodeRoleArn: string;
  vpcId: string;
  privateSubnetIds: string[];
  /** How workloads get AWS credentials: EKS Pod Identity (`aws.eks.PodIdentityAssociation` on the cluster name); no OIDC provider is created. */
  workloadIdentity: "eks-pod-identity";
}

/** A model team's namespace, created by the platform stack from `mlserving:teams`. */
export interface PlatformTeamOutputs {
  /** The namespace (the team's name). */
  namespace: string;
  /** KServe runtimes with a ServingRuntime in the namespace. */
  kserveRuntimes: string[];
  /** Models the team may deploy; absent when any name no one else uses is allowed. */
  models?: string[];
}

/**
 * The stack output key (in `serving`) of the scheduler a kind's pods use: `<kind>SchedulerName`, so
 * the Neuron scheduler extension's is `neuronSchedulerName`, the key platforms have always exported.
 */
export type SchedulerNameOutputKey<K extends AcceleratorKind = AcceleratorKind> = `${K}SchedulerName`;

/** The output key of a kind's scheduler name ({@link SchedulerNameOutputKey}). */
export function schedulerNameOutputKey<K extends AcceleratorKind>(kind: K): SchedulerNameOutputKey<K> {
  return `${kind}SchedulerName`;
}

/**
 * The scheduler each kind's pods use, one `serving` output per kind whose support installs one
 * (`neuronSchedulerName` when the Neuron scheduler extension is on); absent for the others.
 */
export type PlatformSchedulerNameOutputs = { [K in AcceleratorKind as SchedulerNameOutputKey<K>]?: string };

/** A platform's scheduler names, by kind, as its `serving` outputs carry them. */
export function schedulerNameOutputs(names: AcceleratorSchedulerNames): PlatformSchedulerNameOutputs {
  return Object.fromEntries(
    ACCELERATOR_KINDS.flatMap((k) => (names[k] === undefined ? [] : [[schedulerNameOutputKey(k), names[k]]])),
  );
}

/** The scheduler names, by kind, that a platform's `serving` outputs carry. */
export function schedulerNamesOf(serving: PlatformSchedulerNameOutputs): AcceleratorSchedulerNames {
  return Object.fromEntries(
    ACCELERATOR_KINDS.flatMap((k) => {
      const name = serving[schedulerNameOutputKey(k)];
      return name === undefined ? [] : [[k, name]];
    }),
  );
}

/** Where and how models are served. */
export interface PlatformServingOutputs extends PlatformSchedulerNameOutputs {
  /** The platform's own serving namespace. */
  namespace: string;
  /** KServe runtimes with a ServingRuntime in {@link namespace}. */
  kserveRuntimes: string[];
  /** ServingRuntime name of each runtime id the platform knows (`triton` -> `kserve-tritonserver`). */
  servingRuntimeNames: Record<string, string>;
  /** Secret with the registry's read credentials, in the serving namespace and every team namespace. */
  registryCredentialsSecret: string;
  /** ALB group every model Ingress joins (one internal ALB per environment). */
  ingressGroup: string;
  /** IngressClass of model Ingresses. */
  ingressClass: string;
  /** Models are reached at `<model>.<ingressDomain>`. */
  ingressDomain: string;
  /** ACM certificate of the models' ALB; absent when it listens on HTTP inside the VPC. */
  certificateArn?: string;
  /** ALB OIDC authentication of model endpoints (no client secret: it is in each model namespace); absent when off. */
  endpointOidc?: EndpointOidc;
  /** Team namespaces, by team name. */
  teams: Record<string, PlatformTeamOutputs>;
  /**
   * The LLM gateway (`mlserving:serving.gateway`): the Gateway a team's LLM attaches its HTTPRoute to,
   * from the team's namespace, which the Gateway admits. Absent when the platform runs none (or
   * recorded its outputs before it was exported): LLMs then go through the ALB.
   */
  llmGateway?: PlatformLlmGatewayOutputs;
  /**
   * The platform's ECR pull-through cache (`mlserving:images.pullThroughCache`): a team's pods pull
   * the images of the upstreams it has rules for through it, with the nodes' permissions the platform
   * granted. Absent when the platform has none (or recorded its outputs before it was exported).
   */
  imageMirror?: PullThroughMirror;
}

/** The platform's LLM gateway as a model team's route names it. */
export interface PlatformLlmGatewayOutputs {
  /** The Gateway's name. */
  name: string;
  /** Its namespace. */
  namespace: string;
  /** The listener routes attach to (`parentRefs[].sectionName`). */
  listener: string;
}

/** The MLflow registry. */
export interface PlatformRegistryOutputs {
  /** In-cluster MLflow tracking URI (`models:/` sources are resolved through it). */
  trackingUri: string;
  /** Host name of the MLflow UI on the internal ALB; absent when none is set. */
  hostname?: string;
  /** S3 bucket holding the registry's artifacts. */
  artifactBucket: string;
  /** ARN of the KMS key the artifact bucket encrypts with; models that mount their weights read registry versions staged in the bucket with it. */
  artifactKeyArn?: string;
}

/** Monitoring. */
export interface PlatformMonitoringOutputs {
  namespace: string;
  /** In-cluster URL of Prometheus (KEDA's scaling queries run against it). */
  prometheusUrl: string;
  /**
   * Labels a ServiceMonitor, PodMonitor or PrometheusRule needs for Prometheus to select it.
   * Empty: Prometheus selects every one, in every namespace.
   */
  monitorSelectorLabels: Record<string, string>;
}

export const PLATFORM_OUTPUTS_VERSION = 1 as const;

/** The stack output keys of the contract (each a top-level output of the platform stack). */
export const PLATFORM_OUTPUT_KEYS = [
  "platformOutputsVersion",
  "environment",
  "kubeconfig",
  "cluster",
  "serving",
  "registry",
  "monitoring",
] as const satisfies readonly (keyof PlatformOutputs)[];

/** Outputs the platform stack marks secret. */
export const PLATFORM_SECRET_OUTPUTS: readonly (keyof PlatformOutputs)[] = ["kubeconfig"];

const text = z.string().min(1, "must not be empty");
const strings = z.array(text);
/** Each kind's scheduler-name output ({@link PlatformSchedulerNameOutputs}), optional. */
const schedulerNameFields = Object.fromEntries(
  ACCELERATOR_KINDS.map((k) => [schedulerNameOutputKey(k), text.optional()]),
) as { [K in AcceleratorKind as SchedulerNameOutputKey<K>]: z.ZodOptional<typeof text> };
const team = z.strictObject({
  namespace: text,
  kserveRuntimes: strings,
  models: strings.optional(),
});
const schema = z.strictObject({
  platformOutputsVersion: z.literal(PLATFORM_OUTPUTS_VERSION, {
    error:
      `must be ${PLATFORM_OUTPUTS_VERSION} (this kit reads version ${PLATFORM_OUTPUTS_VERSION} of ` +
      `the platform outputs; upgrade the kit or the platform stack so they agree)`,
  }),
  environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
  kubeconfig: text,
  cluster: z.strictObject({
    name: text,
    arn: z.string().regex(/^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/.+$/, "must be an EKS cluster ARN"),
    endpoint: z.string().regex(/^https:\/\/\S+$/, "must be an https URL"),
    certificateAuthority: text,
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-west-2"),
    partition: z.string().regex(/^aws(-[a-z]+)*$/, "must be an AWS partition such as aws"),
    accountId: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"),
    kubernetesVersion: z.string().regex(/^1\.\d+$/, "must be a Kubernetes minor version such as 1.35"),
    clusterSecurityGroupId: z.string().regex(/^sg-[0-9a-f]+$/, "must be a security group id"),
    nodeRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN"),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id"),
    privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id")),
    workloadIdentity: z.literal("eks-pod-identity", { error: "must be eks-pod-identity" }),
  }),
  serving: z.strictObject({
    namespace: text,
    kserveRuntimes: strings,
    servingRuntimeNames: z.record(z.string(), text),
    registryCredentialsSecret: text,
    ingressGroup: text,
    ingressClass: text,
    ingressDomain: text,
    certificateArn: text.optional(),
    ...schedulerNameFields,
    endpointOidc: z
      .strictObject({
        issuer: text,
        authorizationEndpoint: text,
        tokenEndpoint: text,
        userInfoEndpoint: text,
        onUnauthenticatedRequest: z.enum(["authenticate", "deny"]),
      })
      .optional(),
    teams: z.record(z.string(), team),
    llmGateway: z.strictObject({ name: text, namespace: text, listener: text }).optional(),
    imageMirror: z
      .strictObject({
        registry: z
          .string()
          .regex(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, "must be an ECR private registry host"),
        repositoryPrefix: text,
        upstreams: z
          .array(
            z.enum(Object.keys(PULL_THROUGH_UPSTREAMS) as [keyof typeof PULL_THROUGH_UPSTREAMS], {
              error: `must be one of ${Object.keys(PULL_THROUGH_UPSTREAMS).join(", ")}`,
            }),
          )
          .readonly(),
      })
      .optional(),
  }),
  registry: z.strictObject({
    trackingUri: z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL"),
    hostname: text.optional(),
    artifactBucket: text,
    artifactKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/, "must be a KMS key ARN")
      .optional(),
  }),
  monitoring: z.strictObject({
    namespace: text,
    prometheusUrl: z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL"),
    monitorSelectorLabels: z.record(z.string(), z.string()),
  }),
});

// The schema and the interface must describe the same thing (a compile error here otherwise).
type SchemaOutputs = z.infer<typeof schema>;
const schemaMatchesInterface: [(o: SchemaOutputs) => PlatformOutputs, (o: PlatformOutputs) => SchemaOutputs] = [
  (o) => o,
  (o) => o,
];
void schemaMatchesInterface;

/**
 * Problems of a kubeconfig a reference would hand to the Kubernetes provider: it must be the
 * kit's kind (one cluster, `aws eks get-token` exec auth) and carry no static credential.
 */
export function kubeconfigProblems(kubeconfig: string): string[] {
  let doc: {
    clusters?: { cluster?: { server?: string } }[];
    users?: { user?: Record<string, unknown> & { exec?: { command?: string; args?: string[] } } }[];
  };
  try {
    doc = JSON.parse(kubeconfig);
  } catch {
    return ["must be the kubeconfig JSON the platform stack exports"];
  }
  const out: string[] = [];
  if (!doc || !Array.isArray(doc.clusters) || doc.clusters.length !== 1 || !doc.clusters[0].cluster?.server)
    out.push("must name exactly one cluster with its server");
  const users = Array.isArray(doc?.users) ? doc.users : [];
  if (users.length !== 1) out.push("must name exactly one user");
  for (const u of users) {
    const user = u.user ?? {};
    for (const k of ["token", "tokenFile", "password", "client-key-data", "client-key", "auth-provider"])
      if (k in user) out.push(`must not hold a static credential (users[].user.${k})`);
    const exec = user.exec;
    if (exec?.command !== "aws" || !exec.args?.includes("get-token"))
      out.push("must authenticate with exec `aws eks get-token`");
  }
  return out;
}

/** Every problem of a set of platform outputs, each named by its output key path (`cluster.endpoint`). */
export function platformOutputsProblems(raw: unknown): Problem[] {
  const parsed = schema.safeParse(raw, { reportInput: true });
  const problems: Problem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys") {
        // Outputs a newer platform adds are no problem, only what the contract reads.
        continue;
      }
      const missing = (issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined;
      problems.push({ path: path || "(outputs)", message: missing ? "is missing" : issue.message });
    }
  }
  const kubeconfig = (raw as { kubeconfig?: unknown } | null)?.kubeconfig;
  if (typeof kubeconfig === "string" && kubeconfig.length > 0)
    for (const m of kubeconfigProblems(kubeconfig)) problems.push({ path: "kubeconfig", message: m });
  return problems;
}

/** Platform outputs that break the contract; the message names every output key at fault. */
export class PlatformOutputsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
  ) {
    super(
      `the outputs of platform stack ${source} are not what this kit reads:\n${problems.map((p) => `  - output ${p.path}: ${p.message}`).join("\n")}`,
    );
    this.name = "PlatformOutputsError";
  }
}

/** Strips keys the contract does not read (a newer platform's extra outputs) and returns typed outputs. */
function readOnly(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PLATFORM_OUTPUT_KEYS.filter((k) => k in raw).map((k) => [k, raw[k]]));
}

/**
 * Validates a platform stack's outputs (from a `StackReference`, or a recorded copy) into
 * {@link PlatformOutputs}; throws a {@link PlatformOutputsError} naming each bad output key.
 * Outputs outside the contract are ignored.
 */
export function parsePlatformOutputs(raw: unknown, source: string): PlatformOutputs {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new PlatformOutputsError(source, [{ path: "(outputs)", message: "must be a map of output names to values" }]);
  const outputs = readOnly(raw as Record<string, unknown>);
  const problems = platformOutputsProblems(outputs);
  if (problems.length > 0) throw new PlatformOutputsError(source, problems);
  return schema.parse(outputs) as PlatformOutputs;
}
