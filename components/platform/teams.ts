import { ACCELERATOR_KINDS, ACCELERATORS, DEVICE_FIELDS, type DeviceField } from "../common/accelerators";
import { MONITORING_NAMESPACE, REGISTRY_NAMESPACE, SERVING_NAMESPACE } from "../common/names";
import { KIT_NAMESPACE_POD_SECURITY, podSecurityLabels } from "../common/pod-security";
import { Problem, ProblemList, wholeNumberProblem } from "../common/problems";
import { positiveQuantityProblem } from "../common/quantity";
import { CERT_MANAGER_NAMESPACE, KEDA_NAMESPACE, KSERVE_NAMESPACE } from "../serving/kserve-builders";
import { isRuntimeId, MODEL_RUNTIMES, RUNTIME_IDS, type RuntimeId } from "../serving/runtimes";
import { oneOf } from "../serving/model-spec";

/**
 * What a model team may use in its namespace at most (a ResourceQuota on requests): CPU, memory,
 * pods, and each accelerator kind's devices under the kind's `deviceField` (`gpus` for
 * `nvidia.com/gpu`, `neuronDevices` for `aws.amazon.com/neuron`; default 0).
 */
export type ModelTeamQuota = {
  /** CPU requested by all its pods together, a Kubernetes quantity such as `64` or `500m`. */
  cpu: string;
  /** Memory requested by all its pods together, such as `256Gi`. */
  memory: string;
  /** Pods in the namespace at most. */
  pods: number;
} & Record<DeviceField, number>;

/**
 * One model team of the platform: a namespace of its own, created by the platform stack, where
 * the team's own stack deploys its models through `PlatformReference`.
 */
export interface ModelTeamSpec {
  /** The team's namespace (a DNS label, 3-40 characters, not one of the kit's namespaces). */
  name: string;
  quota: ModelTeamQuota;
  /** KServe runtimes offered in the namespace (keys of `MODEL_RUNTIMES`). Default: none (Triton Deployments only). */
  runtimes: RuntimeId[];
  /** Model names the team may deploy (each a host on the shared ALB). Default: any name no one else uses. */
  models?: string[];
}

/** Bounds of the teams list and of each quota. */
export const MODEL_TEAM_LIMITS = {
  teams: 50,
  modelsPerTeam: 100,
  pods: { min: 1, max: 5000 },
  devices: { min: 0, max: 1024 },
} as const;

/** Defaults of a team's quota fields that have one. */
export const MODEL_TEAM_QUOTA_DEFAULTS = Object.fromEntries(DEVICE_FIELDS.map((f) => [f, 0])) as Record<DeviceField, 0>;

/**
 * Namespaces a team may not take: the kit's own (created as Namespace objects or by its charts)
 * and Kubernetes' own.
 */
export const RESERVED_NAMESPACES: readonly string[] = [
  ...new Set([
    SERVING_NAMESPACE,
    REGISTRY_NAMESPACE,
    MONITORING_NAMESPACE,
    KEDA_NAMESPACE,
    KSERVE_NAMESPACE,
    CERT_MANAGER_NAMESPACE,
    // Each accelerator kind's support (device plugins, exporters), from its record.
    ...ACCELERATOR_KINDS.flatMap((k) => ACCELERATORS[k].supportNamespaces),
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "default",
  ]),
];

const TEAM_NAME = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/** Problems of one team, by field relative to the team (`name`, `quota.cpu`, ...). */
export function modelTeamProblems(team: ModelTeamSpec): Problem[] {
  const problems = new ProblemList();
  problems.check(
    TEAM_NAME.test(team.name),
    "name",
    "must be a namespace name: 3-40 lowercase letters, digits or '-', starting with a letter",
  );
  problems.check(
    !RESERVED_NAMESPACES.includes(team.name),
    "name",
    `"${team.name}" is a namespace the kit or Kubernetes owns (${RESERVED_NAMESPACES.join(", ")}); choose another`,
  );
  for (const [field, what, example] of [
    ["cpu", "CPU", "64 or 500m"],
    ["memory", "memory", "256Gi or 256G"],
  ] as const) {
    const problem = positiveQuantityProblem(team.quota[field], what, example);
    if (problem) problems.add(`quota.${field}`, problem);
  }
  const pods = wholeNumberProblem(team.quota.pods, MODEL_TEAM_LIMITS.pods.min, MODEL_TEAM_LIMITS.pods.max);
  if (pods) problems.add("quota.pods", pods);
  for (const f of DEVICE_FIELDS) {
    const p = wholeNumberProblem(team.quota[f], MODEL_TEAM_LIMITS.devices.min, MODEL_TEAM_LIMITS.devices.max);
    if (p) problems.add(`quota.${f}`, p);
  }
  team.runtimes.forEach((r, i) => {
    if (!isRuntimeId(r)) problems.add(`runtimes[${i}]`, `must be ${oneOf(RUNTIME_IDS)}`);
    else if (!MODEL_RUNTIMES[r].servers.includes("kserve"))
      problems.add(`runtimes[${i}]`, `${MODEL_RUNTIMES[r].title} has no KServe ServingRuntime`);
  });
  const dupRuntime = team.runtimes.find((r, i) => team.runtimes.indexOf(r) !== i);
  if (dupRuntime) problems.add("runtimes", `lists ${dupRuntime} twice`);
  if (team.models) {
    if (team.models.length > MODEL_TEAM_LIMITS.modelsPerTeam)
      problems.add("models", `must list at most ${MODEL_TEAM_LIMITS.modelsPerTeam} models`);
    const dup = team.models.find((m, i) => team.models?.indexOf(m) !== i);
    if (dup) problems.add("models", `lists ${dup} twice`);
  }
  return problems.list;
}

/**
 * Problems of the platform's teams: each team's, a bounded list, unique namespaces, and model
 * names owned once (a model is a host on the environment's shared ALB: `<model>.<ingressDomain>`).
 * `platformModels` are the models the platform stack serves itself in `serving`.
 */
export function modelTeamsProblems(teams: readonly ModelTeamSpec[], platformModels: readonly string[] = []): Problem[] {
  const problems = new ProblemList();
  if (teams.length > MODEL_TEAM_LIMITS.teams)
    problems.add("", `must list at most ${MODEL_TEAM_LIMITS.teams} teams (has ${teams.length})`);
  const owners = new Map<string, string>(platformModels.map((m) => [m, "the platform's serving.models"]));
  teams.forEach((team, i) => {
    problems.nest(`[${i}]`, modelTeamProblems(team));
    if (teams.findIndex((t) => t.name === team.name) !== i)
      problems.add(`[${i}].name`, `"${team.name}" is already a team; each team has its own namespace`);
    (team.models ?? []).forEach((m, j) => {
      const owner = owners.get(m);
      if (owner && owner !== `team ${team.name}`)
        problems.add(`[${i}].models[${j}]`, `"${m}" is already served by ${owner}; model hosts are shared`);
      else owners.set(m, `team ${team.name}`);
    });
  });
  return problems.list;
}

/** A team with its defaults applied (what config and `ModelNamespace` callers may leave out). */
export function withModelTeamDefaults(team: {
  name: string;
  quota: Omit<ModelTeamQuota, DeviceField> & Partial<Pick<ModelTeamQuota, DeviceField>>;
  runtimes?: RuntimeId[];
  models?: string[];
}): ModelTeamSpec {
  return {
    name: team.name,
    quota: { ...MODEL_TEAM_QUOTA_DEFAULTS, ...team.quota },
    runtimes: team.runtimes ?? [],
    ...(team.models ? { models: team.models } : {}),
  };
}

/**
 * Pod Security of a team's namespace: the level of the kit's `serving` namespace (`restricted`:
 * the same runtimes, all hardened), so a model runs the same in either.
 */
export function modelTeamPodSecurityLabels(): Record<string, string> {
  return podSecurityLabels(KIT_NAMESPACE_POD_SECURITY[SERVING_NAMESPACE]);
}

/** Label on each team namespace naming the team. */
export const MODEL_TEAM_LABEL = "mlserving.io/model-team";

/**
 * The team's ResourceQuota: requests of CPU, memory and each accelerator's devices, the pod
 * count, and no Services of type LoadBalancer or NodePort (models are reached through the
 * platform's internal ALB, not a load balancer of their own).
 */
export function modelTeamResourceQuota(team: ModelTeamSpec) {
  return {
    metadata: { name: "model-team-quota", namespace: team.name, labels: { [MODEL_TEAM_LABEL]: team.name } },
    spec: {
      hard: {
        "requests.cpu": team.quota.cpu,
        "requests.memory": team.quota.memory,
        ...Object.fromEntries(
          ACCELERATOR_KINDS.map((k) => [
            `requests.${ACCELERATORS[k].deviceResource}`,
            String(team.quota[ACCELERATORS[k].deviceField]),
          ]),
        ),
        pods: String(team.quota.pods),
        "services.loadbalancers": "0",
        "services.nodeports": "0",
      },
    },
  };
}

/**
 * Default requests for containers that name none, so the quota admits them (a quota on
 * requests rejects pods without requests). No default limits: a default limit below a model's
 * own request would make its pod invalid.
 */
export function modelTeamLimitRange(team: ModelTeamSpec) {
  return {
    metadata: { name: "model-team-defaults", namespace: team.name, labels: { [MODEL_TEAM_LABEL]: team.name } },
    spec: { limits: [{ type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" } }] },
  };
}
