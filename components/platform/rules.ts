import { capacityProblems, nodeGroupNameProblem, POOL_NAME, reservationFallbackProblems } from "../capacity/rules";
import { pullThroughCacheProblems } from "../cluster/pull-through-cache";
import { acceleratorNodeImages } from "./images";
import { imageCacheProblems } from "./image-cache";
import { STACK_PLATFORM_NAME } from "../common/names";
import { ApiAccessInput, apiAccessProblems, clusterProblems } from "../cluster/rules";
import { opensPublicSpaceWiderThanSlash8 } from "../common/cidr";
import { ENVIRONMENTS, type Environment, tagProblems, teamNameProblems } from "../common/tags";
import { listLengthProblem, Problem, ProblemList } from "../common/problems";
import { monitoringProblems } from "../monitoring/rules";
import { networkProblems } from "../network/rules";
import { certificateRegionProblem, registryProblems } from "../registry/rules";
import { modelHostProblems } from "../serving/model-names";
import { MODEL_LIST_LIMIT, modelSpecProblems } from "../serving/model-spec";
import { adapterNameClashes } from "../serving/adapters";
import { allowedCidrsProblems, endpointOidcProblems, ingressGroupProblem, modelIngressGroup } from "../serving/callers";
import { gatewayJwtProblems } from "../serving/gateway/jwt";
import { placements, type CapacityFinding } from "./capacity-checks";
import { deviceNamesOf } from "../serving/compile-cache";
import { isRuntimeId, runtimeOf } from "../serving/runtimes";
import type { PlatformSpec } from "./spec";
import { modelHardwareProblems } from "./model-hardware";
import { modelTeamsProblems } from "./teams";

/**
 * Every problem with a whole platform, by the key path a stack file uses (`capacity.pools[0].name`,
 * `serving.models[1].replicas.min`): each domain's own rules, the rules between domains, and what
 * prod requires. The stack config, `MlPlatform` and the policies share these. `platformName` is the
 * `MlPlatform`'s name, which its children's names start with (the stack program's by default).
 */
export function platformSpecProblems(spec: PlatformSpec, platformName = STACK_PLATFORM_NAME): Problem[] {
  const L = MODEL_LIST_LIMIT;
  const tooManyModels = listLengthProblem(spec.serving.models, L.max, L.what, L.hint);
  if (tooManyModels) return [{ path: "serving.models", message: tooManyModels }];
  const problems = new ProblemList()
    .nest("", teamNameProblems(spec.team))
    .nest("network", networkProblems(spec.network))
    .nest("cluster", clusterProblems(spec.cluster))
    .nest("cluster", apiAccessProblems(apiAccessInputOf(spec)))
    .nest("capacity", capacityProblems(spec.capacity))
    .nest("monitoring", monitoringProblems(spec.monitoring))
    .nest("registry", registryProblems(spec.registry))
    .nest("tags", tagProblems(spec.tags))
    .nest(
      "serving",
      modelHostProblems(
        spec.serving.ingressDomain,
        spec.serving.models.map((m) => m.name),
      ),
    );
  for (const [path, arn] of [
    ["serving.certificateArn", spec.serving.certificateArn],
    ["registry.certificateArn", spec.registry.certificateArn],
  ] as const) {
    const elsewhere = arn === undefined ? undefined : certificateRegionProblem(arn, spec.region);
    if (elsewhere) problems.add(path, elsewhere);
  }
  spec.capacity.pools.forEach((pool, i) =>
    problems.nest(`capacity.pools[${i}]`, reservationFallbackProblems(pool, spec.environment)),
  );
  for (const p of imageCacheProblems(spec)) problems.add(p.path, p.message);
  const cache = spec.images?.pullThroughCache;
  if (cache)
    problems.nest("images.pullThroughCache", pullThroughCacheProblems(cache, spec.region, acceleratorNodeImages(spec)));
  if (spec.serving.allowedCidrs) problems.nest("serving.allowedCidrs", allowedCidrsProblems(spec.serving.allowedCidrs));
  if (spec.serving.oidc) {
    problems.nest("serving.oidc", endpointOidcProblems(spec.serving.oidc));
    problems.check(
      spec.serving.certificateArn !== undefined,
      "serving.oidc",
      "ALB authentication works on HTTPS listeners only: set serving.certificateArn",
    );
  }
  // Node groups (Cluster Autoscaler) are named <platform>-<pool>-<capacity type>-<suffix>.
  if (spec.capacity.autoscaler === "cluster-autoscaler")
    spec.capacity.pools.forEach((p, i) => {
      const tooLong = nodeGroupNameProblem(`${platformName}-${p.name}`, `the pool name ${p.name}`);
      if (tooLong && POOL_NAME.test(p.name)) problems.add(`capacity.pools[${i}].name`, tooLong);
    });
  if (spec.serving.gateway) {
    if (spec.serving.gateway.jwt) problems.nest("serving.gateway.jwt", gatewayJwtProblems(spec.serving.gateway.jwt));
    // LLMs would leave the ALB, and with it what the ALB does for them.
    problems.check(
      spec.serving.oidc === undefined,
      "serving.gateway",
      "the LLM gateway does not run the ALB's OIDC sign-in; LLMs routed through it would skip serving.oidc: " +
        "remove one of the two (the gateway checks bearer tokens instead: serving.gateway.jwt)",
    );
    problems.check(
      spec.serving.certificateArn === undefined,
      "serving.gateway",
      "the LLM gateway's NLB listens on HTTP inside the VPC; with serving.certificateArn LLMs would lose HTTPS: remove one of the two",
    );
  }
  const poolKinds = new Set<string>(spec.capacity.pools.map((p) => p.kind));
  const names = new Set<string>();
  spec.serving.models.forEach((m, i) => {
    const at = `serving.models[${i}]`;
    problems.nest(
      at,
      modelSpecProblems(m, spec.environment).map((p) => ({ path: p.field, message: p.message })),
    );
    if (names.has(m.name)) problems.add(`${at}.name`, `model name ${m.name} is used twice`);
    names.add(m.name);
    const group = ingressGroupProblem(modelIngressGroup(modelsIngressGroup(spec.clusterName), m));
    if (group) problems.add(`${at}.allowedCidrs`, group);
    if (m.compileCache && spec.capacity.autoscaler !== "karpenter")
      problems.add(
        `${at}.compileCache`,
        "the compile Jobs run on each device type by Karpenter's labels (karpenter.k8s.aws/instance-gpu-name, " +
          "instance-accelerator-name), which node groups do not carry: set capacity.autoscaler: karpenter",
      );
    else if (m.compileCache && isRuntimeId(m.runtime) && runtimeOf(m).compileCache?.perDevice === false) {
      const devices = deviceNamesOf(
        placements(spec, m).map((p) => p.type),
        m.accelerator,
      );
      if (devices.length > 1)
        problems.add(
          `${at}.compileCache`,
          `${runtimeOf(m).title} keeps one compiled model, not one per device, and the model's pool offers ` +
            `${devices.join(", ")}: list types of one device in its pool, or leave compileCache off`,
        );
    }
    if (m.accelerator !== "cpu" && !poolKinds.has(m.accelerator))
      problems.add(`${at}.accelerator`, `no ${m.accelerator} pool under capacity.pools to run it on`);
    for (const key of ["abTest", "shadow", "wakeTimeoutSeconds"] as const)
      if (m[key] !== undefined && !spec.serving.gateway)
        problems.add(
          `${at}.${key}`,
          `${key === "wakeTimeoutSeconds" ? "is how long the LLM gateway holds a request while the model wakes from zero" : "is a route of the LLM gateway"}: ` +
            `set serving.gateway (LLMs are then routed through it)`,
        );
  });
  // A served name is one model on the platform: an adapter may not take a model's or another adapter's.
  problems.nest("serving", adapterNameClashes(spec.serving.models));
  problems.nest("", modelHardwareProblems(spec));
  problems.nest(
    "teams",
    modelTeamsProblems(
      spec.teams ?? [],
      spec.serving.models.map((m) => m.name),
    ),
  );
  problems.nest("", environmentProblems(spec));
  return problems.list;
}

/** The ALB group every model's Ingress joins unless it names its own callers: one internal ALB per environment. */
export function modelsIngressGroup(clusterName: string): string {
  return `${clusterName}-models`;
}

/** What prod requires beyond each domain's rules: availability, retained state, someone to alert. */
export function environmentProblems(spec: PlatformSpec): Problem[] {
  const problems = new ProblemList();
  if (spec.environment !== "prod") return problems.list;
  const newVpc = !spec.network.existing;
  problems
    .check(
      spec.network.natGateways === "onePerAz" || !newVpc,
      "network.natGateways",
      "prod must run one NAT gateway per availability zone (onePerAz)",
    )
    .check(
      spec.network.availabilityZoneCount >= 3 || !newVpc,
      "network.availabilityZoneCount",
      "prod must span at least 3 availability zones",
    )
    .check(spec.cluster.systemNodes.minSize >= 2, "cluster.systemNodes.minSize", "prod needs at least 2 system nodes")
    .check(
      spec.cluster.storageReclaimPolicy === "Retain",
      "cluster.storageReclaimPolicy",
      "prod must retain volumes (Retain) so monitoring and registry data survive",
    )
    .check(
      spec.registry.backupRetentionDays >= 30,
      "registry.backupRetentionDays",
      "prod keeps at least 30 days of database backups",
    )
    .check(spec.registry.multiAz, "registry.multiAz", "prod runs the registry database Multi-AZ")
    .check(spec.registry.replicas >= 2, "registry.replicas", "prod runs at least 2 registry servers")
    .check(
      !opensPublicSpaceWiderThanSlash8(spec.cluster.publicAccessCidrs),
      "cluster.publicAccessCidrs",
      "prod never opens the Kubernetes API to the internet",
    )
    .check(
      Boolean(spec.alerting.slackWebhookUrl || spec.alerting.pagerdutyRoutingKey || spec.alerting.webhookUrl),
      "alertPagerdutyRoutingKey",
      "prod needs at least one alert receiver (alertPagerdutyRoutingKey, alertSlackWebhookUrl or alertWebhookUrl)",
    )
    .check(
      Boolean(spec.alerting.slackWebhookUrl || spec.alerting.webhookUrl),
      "alertSlackWebhookUrl",
      "prod needs a non-paging receiver for warnings (alertSlackWebhookUrl or alertWebhookUrl): PagerDuty " +
        "gets critical alerts only, so without one every warning reaches nobody",
    )
    .check(
      Boolean(spec.alerting.heartbeatUrl),
      "alertHeartbeatUrl",
      "prod needs a heartbeat receiver (alertHeartbeatUrl, a dead man's switch URL): without one, nobody learns that Prometheus or Alertmanager died",
    );
  return problems.list;
}

/**
 * What the plan says about where alerts go, outside prod (which refuses these stacks,
 * {@link environmentProblems}): a warning when every alert, or every warning, reaches nobody, and
 * an advisory without a heartbeat. Key paths as a stack file writes them.
 */
export function alertingFindings(spec: PlatformSpec): CapacityFinding[] {
  if (spec.environment === "prod") return [];
  const a = spec.alerting;
  const out: CapacityFinding[] = [];
  if (!a.slackWebhookUrl && !a.pagerdutyRoutingKey && !a.webhookUrl)
    out.push({
      level: "warning",
      path: "alertPagerdutyRoutingKey",
      message:
        "no alert receiver is configured: every alert, pages included, reaches nobody (Alertmanager " +
        "shows them, no one is told). Set alertPagerdutyRoutingKey, alertSlackWebhookUrl or alertWebhookUrl as secrets.",
    });
  else if (!a.slackWebhookUrl && !a.webhookUrl)
    out.push({
      level: "warning",
      path: "alertSlackWebhookUrl",
      message:
        "only PagerDuty is configured, which gets critical alerts: every warning reaches nobody. Set alertSlackWebhookUrl or alertWebhookUrl.",
    });
  if (!a.heartbeatUrl)
    out.push({
      level: "advisory",
      path: "alertHeartbeatUrl",
      message:
        "no heartbeat: Watchdog pings no dead man's switch, so nobody learns that Prometheus or Alertmanager stopped (prod requires alertHeartbeatUrl).",
    });
  return out;
}

/** How the deployer reaches the API, as the access rule sees it. */
export function apiAccessInputOf(spec: PlatformSpec): ApiAccessInput {
  return {
    deployerAccess: spec.cluster.deployerAccess,
    publicAccessCidrs: spec.cluster.publicAccessCidrs,
    privateAccessCidrs: spec.cluster.privateAccessCidrs,
    existingVpc: spec.network.existing !== undefined,
  };
}

/**
 * The environment a stack's name claims, if any: a name (the last part of `org/project/stack`)
 * that is an environment (`prod`) or starts with one and a separator (`prod-eu`, `staging_2`).
 * Other names (`team-a`, `sandbox`) claim none.
 */
export function environmentNamedBy(stackName: string): Environment | undefined {
  const name = stackName.slice(stackName.lastIndexOf("/") + 1).toLowerCase();
  return ENVIRONMENTS.find((env) => name === env || new RegExp(`^${env}[-_.]`).test(name));
}

/**
 * A stack named for an environment must be that environment: `--stack prod` with
 * `environment: staging` would drop prod's protections (deletion protection, final snapshot,
 * `protect`) and replace its bucket, cluster and VPC.
 */
export function stackEnvironmentProblems(stackName: string, environment: string): Problem[] {
  const named = environmentNamedBy(stackName);
  if (named === undefined || named === environment) return [];
  return [
    {
      path: "environment",
      message:
        `is ${environment}, but stack ${stackName} is named for ${named}: a stack named dev, staging ` +
        `or prod (or <env>-...) must set that environment; fix the key or plan the right stack`,
    },
  ];
}
