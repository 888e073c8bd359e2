import * as pulumi from "@pulumi/pulumi";
import { STACK_PLATFORM_NAME } from "../components/common/names";
import { hideSecretValues } from "../components/common/secret-values";
import { MlPlatform } from "../components/platform/platform";
import { platformOutputs } from "../components/platform/stack-outputs";
import type { PlatformSpec } from "../components/platform/spec";
import { resolvePlatformSpec, ResolveOptions, StackConfigError } from "./config";
import { misspeltNamespaceProblems, rawConfigFromPulumi } from "./stack-config";

export type { ResolveOptions } from "./config";

/**
 * Whether Pulumi holds a config key as a secret (`secure:` in the stack file). The runtime knows
 * this from the secret keys the engine passes it (PULUMI_CONFIG_SECRET_KEYS).
 */
function isSecretConfigKey(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  if (typeof runtime.isConfigSecret === "function") return runtime.isConfigSecret(key);
  const keys = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]") as string[];
  return keys.includes(key);
}

/** Reads and validates this stack's config; a bad stack file is a RunError (no stack trace). */
export function loadPlatformSpec(options: ResolveOptions = {}): PlatformSpec {
  const all = pulumi.runtime.allConfig();
  const { raw, region, secretKeys, awsProvider, awsDefaultTags } = rawConfigFromPulumi(all, isSecretConfigKey);
  const namespaces = misspeltNamespaceProblems(Object.keys(all));
  if (namespaces.length > 0) throw new pulumi.RunError(namespaces.map((p) => `${p.path}: ${p.message}`).join("\n"));
  try {
    return resolvePlatformSpec(raw, region, secretKeys, {
      stackName: pulumi.getStack(),
      awsProvider,
      awsDefaultTags,
      ...options,
    });
  } catch (e) {
    if (e instanceof StackConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/**
 * The stack program: config -> spec -> platform -> stack outputs. `deploying` (set by the
 * Pulumi entry point, not by the offline plan) refuses the shipped placeholder values.
 *
 * Outputs: the typed contract model teams read through `PlatformReference` (`PlatformOutputs`:
 * platformOutputsVersion, environment, kubeconfig (secret), cluster, serving, registry,
 * monitoring), then the operators' conveniences below.
 */
export async function runPlatformProgram(options: ResolveOptions = {}) {
  const spec = loadPlatformSpec(options);
  const platform = new MlPlatform(STACK_PLATFORM_NAME, spec);
  // Outputs built from secret config values (a registry hostname in the tracking URI) stay secret.
  return hideSecretValues(
    {
      ...platformOutputs(platform, spec),
      clusterName: platform.cluster.cluster.name,
      clusterEndpoint: platform.cluster.cluster.endpoint,
      vpcId: platform.network.vpcId,
      privateSubnetIds: platform.network.privateSubnetIds,
      registryTrackingUri: platform.registry.handle.trackingUri,
      registryBucket: platform.registry.bucket.bucket,
      registryAdminPassword: platform.registry.adminPassword,
      grafanaAdminPassword: platform.monitoring.grafanaAdminPassword,
      kubeconfigCommand: `aws eks update-kubeconfig --name ${spec.clusterName} --region ${spec.region}`,
    },
    spec.secretValues ?? [],
  );
}
