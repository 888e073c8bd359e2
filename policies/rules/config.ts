import type { PolicyConfigSchema } from "@pulumi/policy";

/** Configuration every rule of the pack accepts (`--policy-pack-config`); the plan passes the stack's values. */
export interface KitPolicyConfig {
  /** Environment of the stack under review; rules that are stricter in prod read it. Default: prod (strictest). */
  environment: "dev" | "staging" | "prod";
  /** Tag keys every taggable AWS resource must carry. */
  requiredTags: string[];
  /** Accelerator instance families allowed in each environment (no p5 in dev). */
  allowedInstanceFamilies: Record<"dev" | "staging" | "prod", string[]>;
  /** Most accelerator devices (GPUs or Neuron devices) the stack may run at once, per environment. */
  maxAcceleratorDevices: Record<"dev" | "staging" | "prod", number>;
  /** Registry prefixes images may come from (`*` matches one path or host segment). */
  allowedRegistries: string[];
  /**
   * Environments where a model endpoint may be internet-facing (and then only with named callers;
   * in prod also with the per-object approval of `no-internet-facing-in-prod`). Default: none.
   */
  internetFacingModelEnvironments: ("dev" | "staging" | "prod")[];
  /**
   * Gateways (`<namespace>/<name>`) of the platform a model team's stack deploys into: its
   * HTTPRoutes may attach to them besides the stack's own (`llm-gateway-internal-routes-to-pools`;
   * the platform stack's run of the rule judges those Gateways). The offline plan of a team's
   * project sets it from the recorded platform outputs (`serving.llmGateway`). Default: none.
   */
  platformGateways: string[];
}

const EVERYDAY_FAMILIES = ["g4dn", "g5", "g6", "g6e", "inf2"];

export const DEFAULT_POLICY_CONFIG: KitPolicyConfig = {
  environment: "prod",
  requiredTags: ["environment", "team", "managed-by"],
  allowedInstanceFamilies: {
    dev: EVERYDAY_FAMILIES,
    staging: [...EVERYDAY_FAMILIES, "inf1", "trn1"],
    prod: [...EVERYDAY_FAMILIES, "inf1", "trn1", "p4d", "p5"],
  },
  maxAcceleratorDevices: { dev: 16, staging: 32, prod: 128 },
  allowedRegistries: [
    "nvcr.io/nvidia/",
    "public.ecr.aws/",
    "ghcr.io/mlflow/",
    // The vLLM project's official images (vllm/vllm-openai); only that organisation on Docker Hub.
    "docker.io/vllm/",
    "registry.k8s.io/",
    "*.dkr.ecr.*.amazonaws.com/",
  ],
  internetFacingModelEnvironments: [],
  platformGateways: [],
};

/** The pack config a rule sees: schema defaults overlaid with the configured values. */
export function kitConfig(args: { getConfig<T extends object>(): T }): KitPolicyConfig {
  return { ...DEFAULT_POLICY_CONFIG, ...args.getConfig<Partial<KitPolicyConfig>>() };
}

export const kitConfigSchema: PolicyConfigSchema = {
  properties: {
    environment: { type: "string", enum: ["dev", "staging", "prod"], default: DEFAULT_POLICY_CONFIG.environment },
    requiredTags: { type: "array", items: { type: "string" }, default: DEFAULT_POLICY_CONFIG.requiredTags },
    allowedInstanceFamilies: { type: "object", default: DEFAULT_POLICY_CONFIG.allowedInstanceFamilies },
    maxAcceleratorDevices: { type: "object", default: DEFAULT_POLICY_CONFIG.maxAcceleratorDevices },
    allowedRegistries: { type: "array", items: { type: "string" }, default: DEFAULT_POLICY_CONFIG.allowedRegistries },
    internetFacingModelEnvironments: {
      type: "array",
      items: { type: "string", enum: ["dev", "staging", "prod"] },
      default: DEFAULT_POLICY_CONFIG.internetFacingModelEnvironments,
    },
    platformGateways: {
      type: "array",
      items: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$" },
      default: DEFAULT_POLICY_CONFIG.platformGateways,
    },
  },
};

/**
 * The `--policy-pack-config` file for one environment: Pulumi takes config per policy name,
 * so every rule with a schema gets the environment.
 */
export function policyPackConfig(
  policies: { name: string; configSchema?: PolicyConfigSchema }[],
  environment: KitPolicyConfig["environment"],
) {
  return Object.fromEntries(policies.filter((p) => p.configSchema).map((p) => [p.name, { environment }]));
}
