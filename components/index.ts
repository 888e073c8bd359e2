/**
 * Public API of the kit (`@mlserving/kit`): the components users construct, their args and the
 * types those name, the platform's spec and defaults, the contract model teams read
 * (`PlatformReference`), and the registries a program extends (model runtimes). Everything else is
 * internal: the domain barrels (`./<domain>/index.ts`) serve the kit's own modules and tests.
 *
 * One `export` per module, modules in path order, names in alphabetical order. A change here is a
 * change of the package's surface: `npm run api` updates the reviewed report in `api/`, which
 * `npm test` compares (see docs/extending.md).
 */
export { AcceleratorNodeGroup, type AcceleratorNodeGroupArgs } from "./capacity/accelerator-node-group";
export {
  NeuronSupport,
  type NeuronSupportArgs,
  NvidiaGpuSupport,
  type NvidiaGpuSupportArgs,
} from "./common/accelerators/support";
export { ClusterAutoscaler, type ClusterAutoscalerArgs } from "./capacity/cluster-autoscaler";
export { type HeadroomRequests, WarmHeadroom, type WarmHeadroomArgs } from "./capacity/headroom";
export { Karpenter, type KarpenterArgs, type KarpenterPoolArgs } from "./capacity/karpenter";
export { type CapacityType } from "./capacity/node-group-builders";
export {
  type AcceleratorPoolSpec,
  type CapacityReservationSpec,
  type CapacityReservationType,
  type CapacitySpec,
  type GpuDevicePlugin,
  type NodeAutoscaler,
} from "./capacity/rules";
export { type KubeconfigCredentials, type NetworkPolicyEnforcingMode } from "./cluster/builders";
export { ImageMirror, type ImageMirrorArgs, type ImageMirrorHandle } from "./cluster/image-mirror";
export { EksCluster, type EksClusterArgs, type SystemNodeGroupArgs } from "./cluster/eks-cluster";
export { LoadBalancerController, type LoadBalancerControllerArgs } from "./cluster/load-balancer-controller";
export { PrivateDns, type PrivateDnsArgs } from "./cluster/private-dns";
export {
  PULL_THROUGH_UPSTREAMS,
  type PullThroughCacheSpec,
  type PullThroughMirror,
  type PullThroughUpstream,
} from "./cluster/pull-through-cache";
export { type DeployerAccess } from "./cluster/rules";
export {
  ACCELERATOR_KINDS,
  ACCELERATORS,
  type AcceleratorAlertRule,
  type AcceleratorDaemonSet,
  type AcceleratorDashboard,
  type AcceleratorIdleAlert,
  type AcceleratorKind,
  type AcceleratorKindRecord,
  type AcceleratorMetric,
  type AcceleratorSchedulerNames,
  type AcceleratorSupport,
  type AcceleratorSupportContext,
  type AcceleratorSupportFactory,
  type AcceleratorSupportOptions,
  type DeviceField,
  type NodeOs,
} from "./common/accelerators";
export { modelHost } from "./common/dns";
export { InvalidArgsError } from "./common/errors";
export {
  type ClusterHandle,
  existingMonitoring,
  type MonitoringHandle,
  type RegistryHandle,
  type WeightsStore,
  type WorkloadClusterHandle,
} from "./common/handles";
export { type PolicyDocument, type PolicyStatement } from "./common/iam";
export { type PodIdentityCluster, PodIdentityRole, type PodIdentityRoleArgs } from "./common/pod-identity";
export { type Problem } from "./common/problems";
export { type Environment, ENVIRONMENTS } from "./common/tags";
export { type AlertRuleInput } from "./monitoring/alert-rules";
export { type AlertReceivers, MonitoringStack, type MonitoringStackArgs } from "./monitoring/monitoring-stack";
export { type PrometheusStackSizing } from "./monitoring/prometheus-stack-values";
export { type ExistingVpc, Network, type NetworkArgs } from "./network/network";
export { type NatGatewayMode } from "./network/subnet-tags";
export { type AcceleratorPoolInput, ENVIRONMENT_DEFAULTS, type EnvironmentDefaults } from "./platform/defaults";
export { ModelNamespace, type ModelNamespaceArgs } from "./platform/model-namespace";
export {
  parsePlatformOutputs,
  PLATFORM_OUTPUT_KEYS,
  PLATFORM_OUTPUTS_VERSION,
  type PlatformClusterOutputs,
  type PlatformLlmGatewayOutputs,
  type PlatformMonitoringOutputs,
  type PlatformOutputs,
  PlatformOutputsError,
  type PlatformRegistryOutputs,
  type PlatformSchedulerNameOutputs,
  type PlatformServingOutputs,
  type PlatformTeamOutputs,
  type SchedulerNameOutputKey,
} from "./platform/outputs";
export { MlPlatform } from "./platform/platform";
export {
  type DeepPartial,
  type ExistingNetworkSpec,
  type PlatformClusterSpec,
  type PlatformInput,
  platformSpec,
  type PlatformSpecOverrides,
} from "./platform/platform-spec";
export {
  PlatformReference,
  type PlatformReferenceOptions,
  type ReferencedCluster,
  type ReferencedRegistry,
} from "./platform/reference";
export { platformSpecProblems } from "./platform/rules";
export {
  type BudgetSpec,
  type ImagesSpec,
  type PlatformSpec,
  type RegistrySpec,
  type ServingSpec,
} from "./platform/spec";
export { type ModelTeamQuota, type ModelTeamSpec, withModelTeamDefaults } from "./platform/teams";
export { ModelRegistry, type ModelRegistryArgs } from "./registry/model-registry";
export { type LoraAdapterSpec } from "./serving/adapters";
export { type EndpointOidc } from "./serving/callers";
export { type RuntimeDrain } from "./serving/drain";
export { type GatewayJwt } from "./serving/gateway/jwt";
export { LlmGateway, type LlmGatewayArgs, type LlmGatewayHandle } from "./serving/gateway/llm-gateway";
export { LlmModelRoute, type LlmModelRouteArgs } from "./serving/gateway/llm-route";
export { type GatewayParent } from "./serving/gateway/routes";
export { type WakeSettings } from "./serving/gateway/scale-from-zero";
export { type LlmLimits } from "./serving/llm-limits";
export { KServeModel, type ModelServerArgs, TritonServer } from "./serving/model-servers";
export {
  type ModelAccelerator,
  type ModelDefaultsContext,
  type ModelInput,
  type ModelServer,
  type ModelSpec,
  modelSpecProblems,
  type ScalingMetric,
  withModelDefaults,
} from "./serving/model-spec";
export { type ModelNamespaceIsolation } from "./serving/namespace-objects";
export {
  MODEL_RUNTIMES,
  registerModelRuntime,
  type ModelRuntime,
  type RuntimeId,
  type ScalingQuery,
  type ServerStart,
  type ServerStartFigure,
} from "./serving/runtimes";
export { ServingPlatform, type ServingPlatformArgs } from "./serving/serving-platform";
export { type ServingTarget } from "./serving/serving-target";
export { type AbTestSpec, type ShadowSpec, type TrackedModel } from "./serving/tracks";
export { CHARTS, type ChartPin, EKS_ADDONS, IMAGES, imageRef, type ImagePin, KUBERNETES_VERSION } from "./versions";
