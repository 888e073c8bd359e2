import type * as pulumi from "@pulumi/pulumi";
import type { CapacitySpec } from "../capacity/rules";
import type { DeployerAccess } from "../cluster/rules";
import type { KubeconfigCredentials, NetworkPolicyEnforcingMode } from "../cluster/builders";
import type { PullThroughCacheSpec } from "../cluster/pull-through-cache";
import type { Environment } from "../common/tags";

export type { AcceleratorPoolSpec, CapacitySpec } from "../capacity/rules";
import type { PrometheusStackSizing } from "../monitoring/prometheus-stack-values";
import type { ModelSpec } from "../serving/model-spec";
import type { EndpointOidc } from "../serving/callers";
import type { GatewayJwt } from "../serving/gateway/jwt";
import type { NatGatewayMode } from "../network/subnet-tags";
import type { ModelTeamSpec } from "./teams";

/**
 * The whole platform, validated and with every per-environment default applied. The stack
 * program builds it from Pulumi config (`stacks/config.ts`); other programs may build it in code.
 */
export interface PlatformSpec {
  environment: Environment;
  /** Owning team, put in the `team` tag. */
  team: string;
  region: string;
  /** Name of the EKS cluster and prefix of other physical names. */
  clusterName: string;
  /** Extra tags on every AWS resource (the required tags are always added). */
  tags: Record<string, string>;
  network: {
    cidrBlock: string;
    availabilityZoneCount: number;
    natGateways: NatGatewayMode;
    existing?: { vpcId: string; cidrBlock: string; privateSubnetIds: string[]; publicSubnetIds: string[] };
  };
  cluster: {
    kubernetesVersion: string;
    /** How the machine running `pulumi up` reaches the API (see `apiAccessProblems`). */
    deployerAccess: DeployerAccess;
    publicAccessCidrs: string[];
    /** Extra networks allowed to reach the private API endpoint (the VPC's own CIDR always is). */
    privateAccessCidrs: string[];
    adminPrincipalArns: string[];
    logRetentionDays: number;
    systemNodes: {
      instanceTypes: string[];
      minSize: number;
      desiredSize: number;
      maxSize: number;
      diskSizeGiB: number;
    };
    storageReclaimPolicy: "Delete" | "Retain";
    /** The VPC CNI's NetworkPolicy enforcing mode (`strict` in prod: a new pod starts denied). */
    networkPolicyEnforcingMode: NetworkPolicyEnforcingMode;
    /** Credentials of the kubeconfig's `aws eks get-token`: the stack's `aws:profile` and `aws:assumeRoles`. Default: the AWS CLI's chain. */
    kubeconfigCredentials?: KubeconfigCredentials;
  };
  loadBalancerController: { replicas: number };
  capacity: CapacitySpec;
  monitoring: PrometheusStackSizing;
  registry: RegistrySpec;
  serving: ServingSpec;
  /** Alert receivers; `MlPlatform` makes the URLs and keys Pulumi secrets. */
  alerting: {
    slackWebhookUrl?: pulumi.Input<string>;
    slackChannel?: string;
    pagerdutyRoutingKey?: pulumi.Input<string>;
    webhookUrl?: pulumi.Input<string>;
    /** Dead man's switch URL Watchdog pings; prod requires it. */
    heartbeatUrl?: pulumi.Input<string>;
  };
  /**
   * Values to keep secret wherever they appear (config values stored as secrets, and the parts of
   * them derived values carry): every resource input containing one becomes a Pulumi secret
   * (`MlPlatform` applies `hideSecretValues` to all its children). Default: none.
   */
  secretValues?: readonly string[];
  /** Monthly budget the plan's cost ceiling is held against (policy `monthly-cost-within-budget`). Default: none. */
  budget?: BudgetSpec;
  /** Model teams, each with a namespace of its own the platform creates (`ModelNamespace`). Default: none. */
  teams?: ModelTeamSpec[];
  /** Where the accelerator nodes' images come from and what they keep. Default: each image from its own registry. */
  images?: ImagesSpec;
}

/** How the images of model pods reach the nodes. */
export interface ImagesSpec {
  /**
   * An ECR pull-through cache: every image of the accelerator nodes' pods whose registry ECR can cache
   * (Docker Hub, GHCR, ECR Public, registry.k8s.io, Quay) is pulled from the account's registry in the
   * stack's Region instead (`ImageMirror`). Default: none.
   */
  pullThroughCache?: PullThroughCacheSpec;
}

/** What an environment may cost a month at most, and whether going over refuses the plan or warns. */
export interface BudgetSpec {
  monthlyCeilingUsd: number;
  /** The policy's enforcement level: `mandatory` (exit 1) or `advisory` (a warning). Default: mandatory. */
  enforcement: "mandatory" | "advisory";
}

export interface ServingSpec {
  /** Models are reached at `<model>.<ingressDomain>` on the environment's internal ALB. */
  ingressDomain: string;
  /** ACM certificate for HTTPS on the models' internal ALB. */
  certificateArn?: string;
  /**
   * Create a Route 53 private hosted zone named `ingressDomain` in the VPC and run ExternalDNS to
   * write each model's host into it, so `<model>.<ingressDomain>` resolves inside the VPC.
   * Default: true. Set false when your own DNS already serves the domain in the VPC.
   */
  privateZone?: boolean;
  /**
   * Networks allowed to call every model endpoint (the ALB's `inbound-cidrs`), unless a model names
   * its own. Default: the CIDRs of the private subnets (public subnets are left out).
   */
  allowedCidrs?: string[];
  /** ALB OpenID Connect authentication of every endpoint (HTTPS only); the client secret is a Pulumi secret. */
  oidc?: EndpointOidc & { clientId: string; clientSecret: pulumi.Input<string> };
  /**
   * The LLM gateway (Gateway API with the Inference Extension, `serving/gateway/`): when set, every
   * LLM (vLLM on GPU or Neuron) is routed through it by an InferencePool per track and an HTTPRoute
   * at its usual host, on an internal NLB admitting `allowedCidrs`. Default: none (LLMs on the ALB).
   */
  gateway?: {
    replicas: number;
    /** Callers must also present a valid JSON Web Token of this issuer (`serving/gateway/jwt.ts`). Default: none. */
    jwt?: GatewayJwt;
  };
  models: ModelSpec[];
}

/** The MLflow registry's size and safety settings. */
export interface RegistrySpec {
  replicas: number;
  dbInstanceClass: string;
  dbStorageGiB: number;
  backupRetentionDays: number;
  multiAz: boolean;
  protectState: boolean;
  noncurrentVersionDays: number;
  hostname?: string;
  certificateArn?: string;
}
