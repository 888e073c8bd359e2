import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { controllerNamespacePolicies } from "./network-policy";

/** A NetworkPolicy as the pure builders return it. */
interface PolicyShape {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: object;
}

/**
 * Registers the NetworkPolicies a pure builder returns for facts only known at deploy time (subnet
 * CIDRs): the count and names come from the builder run on placeholders, each spec from the
 * builder run on the resolved facts. Returns the policies, so objects can wait for them.
 */
export function registerNetworkPolicies<F>(
  name: string,
  facts: pulumi.Input<F>,
  placeholder: F,
  build: (facts: F) => PolicyShape[],
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy[] {
  const resolved = pulumi.output(facts) as pulumi.Output<F>;
  return build(placeholder).map(
    (shape, i) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-netpol-${shape.metadata.name}`,
        {
          metadata: shape.metadata,
          spec: resolved.apply((f) => build(f)[i].spec as k8s.types.input.networking.v1.NetworkPolicySpec),
        },
        opts,
      ),
  );
}

/** The ingress isolation of a third-party controller's namespace ({@link controllerNamespacePolicies}). */
export function registerControllerNamespacePolicies(
  name: string,
  namespace: string,
  controlPlaneSubnetCidrs: pulumi.Input<string[]>,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy[] {
  return registerNetworkPolicies(
    name,
    controlPlaneSubnetCidrs,
    ["0.0.0.0/32"],
    (cidrs: string[]) => controllerNamespacePolicies(namespace, cidrs),
    opts,
  );
}
