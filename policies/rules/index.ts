import type { Policy } from "@pulumi/policy";
import { monthlyCostWithinBudget } from "./budget";
import { eksEndpointNotOpenToWorld, eksSecretsEncryption, kmsKeyRotation, launchTemplateImdsV2 } from "./cluster";
import {
  acceleratorCapacityCapped,
  acceleratorInstanceTypesAllowed,
  acceleratorNodesTainted,
  acceleratorWorkloadsRequestDevices,
  spotCapacityDiversified,
} from "./capacity";
import {
  baselineNamespaceWorkloadsAdmitted,
  kitNamespacesPodSecurity,
  restrictedNamespaceWorkloadsHardened,
} from "./pod-security";
import {
  alertReceiverInProd,
  grafanaNotPublic,
  prometheusAlertmanagerNotPublished,
  prometheusStoragePersistent,
} from "./monitoring";
import { noAdminEquivalentIam, podIdentityTrustPinned, s3AccessNamesBuckets } from "./iam";
import { adminPortsNotOpenToWorld, databasePortsNotOpenToWorld, databaseSecurityGroupsClosed } from "./network";
import { logGroupsRetainedAndEncrypted } from "./logs";
import { ecrRepositoriesImmutableAndScanned, imagesThroughPullThroughCache } from "./ecr";
import { volumesEncrypted } from "./volumes";
import {
  imagesPinnedAndAllowed,
  inferenceWorkloadsHardened,
  modelReadersLeastPrivilege,
  noInternetFacingInProd,
  noInternetFacingModelEndpoints,
  vllmRuntimeLoraUpdatingOff,
} from "./serving";
import { noPlaintextSecretsInContainers, rdsSecure, s3BucketsSecure, statefulResourcesProtected } from "./state";
import { requiredTags } from "./tags";
import { kitNamespacesNetworkIsolated, modelEndpointsNamedCallers, workloadPodsHardened } from "./lockdown";
import { llmGatewayInternalRoutesToPools } from "./gateway";

// The public API of `@mlserving/kit/policies` (api/kit-policies.api.md): every rule, the pack's rule
// list and its configuration. One `export` per module, modules and names in alphabetical order; the
// helpers the rules share stay internal.
export { type BudgetPolicyConfig, monthlyCostWithinBudget } from "./budget";
export {
  acceleratorCapacityCapped,
  acceleratorInstanceTypesAllowed,
  acceleratorNodesTainted,
  acceleratorWorkloadsRequestDevices,
  spotCapacityDiversified,
} from "./capacity";
export { eksEndpointNotOpenToWorld, eksSecretsEncryption, kmsKeyRotation, launchTemplateImdsV2 } from "./cluster";
export { DEFAULT_POLICY_CONFIG, type KitPolicyConfig, policyPackConfig } from "./config";
export { ecrRepositoriesImmutableAndScanned, imagesThroughPullThroughCache } from "./ecr";
export { llmGatewayInternalRoutesToPools } from "./gateway";
export { noAdminEquivalentIam, podIdentityTrustPinned, s3AccessNamesBuckets } from "./iam";
export { kitNamespacesNetworkIsolated, modelEndpointsNamedCallers, workloadPodsHardened } from "./lockdown";
export { logGroupsRetainedAndEncrypted } from "./logs";
export {
  alertReceiverInProd,
  grafanaNotPublic,
  prometheusAlertmanagerNotPublished,
  prometheusStoragePersistent,
} from "./monitoring";
export { adminPortsNotOpenToWorld, databasePortsNotOpenToWorld, databaseSecurityGroupsClosed } from "./network";
export {
  baselineNamespaceWorkloadsAdmitted,
  kitNamespacesPodSecurity,
  restrictedNamespaceWorkloadsHardened,
} from "./pod-security";
export {
  imagesPinnedAndAllowed,
  inferenceWorkloadsHardened,
  modelReadersLeastPrivilege,
  noInternetFacingInProd,
  noInternetFacingModelEndpoints,
  vllmRuntimeLoraUpdatingOff,
} from "./serving";
export { noPlaintextSecretsInContainers, rdsSecure, s3BucketsSecure, statefulResourcesProtected } from "./state";
export { requiredTags } from "./tags";
export { volumesEncrypted } from "./volumes";

/** Every rule of the kit's policy pack, in the order they are reported. */
export const allPolicies: Policy[] = [
  eksSecretsEncryption,
  eksEndpointNotOpenToWorld,
  launchTemplateImdsV2,
  kmsKeyRotation,
  requiredTags,
  acceleratorNodesTainted,
  spotCapacityDiversified,
  acceleratorInstanceTypesAllowed,
  acceleratorCapacityCapped,
  acceleratorWorkloadsRequestDevices,
  s3BucketsSecure,
  rdsSecure,
  statefulResourcesProtected,
  noPlaintextSecretsInContainers,
  inferenceWorkloadsHardened,
  imagesPinnedAndAllowed,
  modelReadersLeastPrivilege,
  noInternetFacingInProd,
  prometheusStoragePersistent,
  alertReceiverInProd,
  grafanaNotPublic,
  kitNamespacesPodSecurity,
  restrictedNamespaceWorkloadsHardened,
  monthlyCostWithinBudget,
  // Constructs users can build beside the kit's components (issue 11).
  s3AccessNamesBuckets,
  podIdentityTrustPinned,
  databasePortsNotOpenToWorld,
  databaseSecurityGroupsClosed,
  volumesEncrypted,
  noInternetFacingModelEndpoints,
  prometheusAlertmanagerNotPublished,
  kitNamespacesNetworkIsolated,
  workloadPodsHardened,
  modelEndpointsNamedCallers,
  // Probes production missed (issue 24).
  adminPortsNotOpenToWorld,
  noAdminEquivalentIam,
  logGroupsRetainedAndEncrypted,
  ecrRepositoriesImmutableAndScanned,
  baselineNamespaceWorkloadsAdmitted,
  llmGatewayInternalRoutesToPools,
  // LoRA adapters come from the stack only (issue 27).
  vllmRuntimeLoraUpdatingOff,
  // Images through the ECR pull-through cache (issue 28).
  imagesThroughPullThroughCache,
];
