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
import { kitNamespacesPodSecurity, restrictedNamespaceWorkloadsHardened } from "./pod-security";
import { alertReceiverInProd, grafanaNotPublic, prometheusStoragePersistent } from "./monitoring";
import {
  imagesPinnedAndAllowed,
  inferenceWorkloadsHardened,
  modelReadersLeastPrivilege,
  noInternetFacingInProd,
} from "./serving";
import { noPlaintextSecretsInContainers, rdsSecure, s3BucketsSecure, statefulResourcesProtected } from "./state";
import { requiredTags } from "./tags";
import { kitNamespacesNetworkIsolated, modelEndpointsNamedCallers, workloadPodsHardened } from "./lockdown";

export * from "./budget";
export * from "./config";
export * from "./capacity";
export * from "./cluster";
export * from "./monitoring";
export * from "./pod-security";
export * from "./serving";
export * from "./state";
export * from "./tags";
export * from "./lockdown";

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
  kitNamespacesNetworkIsolated,
  workloadPodsHardened,
  modelEndpointsNamedCallers,
];
