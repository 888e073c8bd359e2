import * as pulumi from "@pulumi/pulumi";
import type { ChartAddOn } from "../common/chart-addon";
import type { ClusterHandle } from "../common/handles";
import { CHARTS, CRD_MANIFESTS } from "../versions";
import {
  EXTERNAL_DNS_METRICS,
  EXTERNAL_DNS_NAMESPACE,
  EXTERNAL_DNS_RELEASE,
  EXTERNAL_DNS_SERVICE_ACCOUNT,
  externalDnsPolicy,
  externalDnsValues,
} from "./external-dns-values";
import {
  LOAD_BALANCER_CONTROLLER_NAMESPACE,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  loadBalancerControllerPolicy,
  loadBalancerControllerValues,
} from "./load-balancer-controller-values";

/** AWS Load Balancer Controller: the IAM policy of its install guide, values from the cluster's facts. */
export const LOAD_BALANCER_CONTROLLER_ADDON: ChartAddOn<{ cluster: ClusterHandle; replicas: number }> = {
  release: "aws-load-balancer-controller",
  chart: CHARTS.awsLoadBalancerController,
  namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
  serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  podIdentity: ({ cluster }) => ({ policy: cluster.partition.apply(loadBalancerControllerPolicy) }),
  values: ({ cluster, replicas }) =>
    cluster.vpcId.apply((vpcId) =>
      loadBalancerControllerValues({ clusterName: cluster.name, region: cluster.region, vpcId, replicas }),
    ),
  wait: { timeoutSeconds: 600 },
  // aws/eks-charts publishes no CRD chart for the controller: chart 3.5.0 keeps its CRDs in crds/.
  // Its README installs them with `kubectl apply -k .../aws-load-balancer-controller/crds`, and the
  // controller's v3.5.0 docs/deploy/installation.md: "The helm install command automatically applies
  // the CRDs, but helm upgrade doesn't" -> apply crds.yaml. The kit applies the same files, pinned to
  // the commit of chart 3.5.0, rather than copying them into this repository.
  crds: {
    kind: "manifests",
    manifests: CRD_MANIFESTS.awsLoadBalancerController,
    source:
      "aws/eks-charts stable/aws-load-balancer-controller/README.md (3.5.0) and aws-load-balancer-controller v3.5.0 docs/deploy/installation.md",
  },
};

/** What ExternalDNS is installed for: one private hosted zone. */
export interface ExternalDnsParams {
  cluster: ClusterHandle;
  domain: string;
  zoneId: pulumi.Input<string>;
  zoneArn: pulumi.Input<string>;
  /** Namespace of the Gateways whose HTTPRoutes' hosts are written too (see `externalDnsValues`). Default: none. */
  gatewayNamespace?: string;
}

/** ExternalDNS: writes the models' Ingress hosts into one private hosted zone, with a role limited to it. */
export const EXTERNAL_DNS_ADDON: ChartAddOn<ExternalDnsParams> = {
  release: EXTERNAL_DNS_RELEASE,
  chart: CHARTS.externalDns,
  namespace: EXTERNAL_DNS_NAMESPACE,
  serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
  podIdentity: ({ zoneArn }) => ({ policy: pulumi.output(zoneArn).apply(externalDnsPolicy) }),
  values: ({ cluster, domain, zoneId, gatewayNamespace }) =>
    pulumi.output(zoneId).apply((id) =>
      externalDnsValues({
        domain,
        zoneId: id,
        ownerId: cluster.name,
        region: cluster.region,
        ...(gatewayNamespace ? { gatewayNamespace } : {}),
      }),
    ),
  metrics: { name: EXTERNAL_DNS_RELEASE, ...EXTERNAL_DNS_METRICS },
  wait: { timeoutSeconds: 300 },
  // Chart 1.21.1 keeps one CRD in crds/ (dnsendpoints.externaldns.k8s.io), read only by the `crd`
  // source; the kit's sources are Ingresses and HTTPRoutes, so the release skips it.
  crds: {
    kind: "skipped",
    source:
      "kubernetes-sigs/external-dns external-dns-helm-chart-1.21.1 charts/external-dns/crds/ (DNSEndpoint, for --source=crd only)",
  },
};
