import { capacityProblems, reservationFallbackProblems } from "../capacity/rules";
import { ApiAccessInput, apiAccessProblems, clusterProblems } from "../cluster/rules";
import { opensPublicSpaceWiderThanSlash8 } from "../common/cidr";
import { ENVIRONMENTS, type Environment, tagProblems } from "../common/tags";
import { listLengthProblem, Problem, ProblemList } from "../common/problems";
import { monitoringProblems } from "../monitoring/rules";
import { networkProblems } from "../network/rules";
import { registryProblems } from "../registry/rules";
import { modelHostProblems } from "../serving/model-names";
import { MODEL_LIST_LIMIT, modelSpecProblems } from "../serving/model-spec";
import { allowedCidrsProblems, endpointOidcProblems, ingressGroupProblem, modelIngressGroup } from "../serving/callers";
import type { PlatformSpec } from "./spec";
import { modelTeamsProblems } from "./teams";

/**
 * Every problem with a whole platform, by the key path a stack file uses (`capacity.pools[0].name`,
 * `serving.models[1].replicas.min`): each domain's own rules, the rules between domains, and what
 * prod requires. The stack config, `MlPlatform` and the policies share these.
 */
export function platformSpecProblems(spec: PlatformSpec): Problem[] {
  const L = MODEL_LIST_LIMIT;
  const tooManyModels = listLengthProblem(spec.serving.models, L.max, L.what, L.hint);
  if (tooManyModels) return [{ path: "serving.models", message: tooManyModels }];
  const problems = new ProblemList()
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
  spec.capacity.pools.forEach((pool, i) =>
    problems.nest(`capacity.pools[${i}]`, reservationFallbackProblems(pool, spec.environment)),
  );
  if (spec.serving.allowedCidrs) problems.nest("serving.allowedCidrs", allowedCidrsProblems(spec.serving.allowedCidrs));
  if (spec.serving.oidc) {
    problems.nest("serving.oidc", endpointOidcProblems(spec.serving.oidc));
    problems.check(
      spec.serving.certificateArn !== undefined,
      "serving.oidc",
      "ALB authentication works on HTTPS listeners only: set serving.certificateArn",
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
    if (m.accelerator !== "cpu" && !poolKinds.has(m.accelerator))
      problems.add(`${at}.accelerator`, `no ${m.accelerator} pool under capacity.pools to run it on`);
  });
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
      "prod needs a non-paging receiver for warnings (alertSlackWebhookUrl or alertWebhookUrl): PagerDuty gets critical alerts only, so without one every warning reaches nobody",
    );
  return problems.list;
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
      message: `is ${environment}, but stack ${stackName} is named for ${named}: a stack named dev, staging or prod (or <env>-...) must set that environment; fix the key or plan the right stack`,
    },
  ];
}
