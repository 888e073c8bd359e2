import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../common/chart-addon";
import { DNS_NAME, dnsLengthProblem } from "../common/dns";
import { ArgsChecker } from "../common/errors";
import type { ClusterHandle, MonitoringHandle } from "../common/handles";
import { registerControllerNamespacePolicies } from "../common/network-policy-resources";
import { kitNamespaceMetadata } from "../common/pod-security";
import { withManagedBy } from "../common/tags";
import { EXTERNAL_DNS_ADDON } from "./addons";
import { EXTERNAL_DNS_NAMESPACE } from "./external-dns-values";

export interface PrivateDnsArgs {
  /** The cluster ExternalDNS runs on; the zone answers in its VPC (`cluster.vpcId`). Required. */
  cluster: ClusterHandle;
  /** The zone's domain: the models' ingress domain (`<model>.<domain>`), e.g. `models.dev.internal`. Required. */
  domain: string;
  /** Where ExternalDNS's ServiceMonitor goes. Default: none (no ServiceMonitor). */
  monitoring?: MonitoringHandle;
  /** Subnets the control plane's network interfaces live in; with them the namespace gets its NetworkPolicies. Default: none. */
  controlPlaneSubnetCidrs?: pulumi.Input<string[]>;
  /**
   * Also write the hosts of HTTPRoutes attached to the Gateways of this namespace (the LLM gateway's).
   * ExternalDNS v0.21.0 stops when the Gateway API CRDs it watches are missing, so pass them in
   * `gatewayApiReady`. Default: none (Ingresses only).
   */
  gatewayNamespace?: string;
  /** What ExternalDNS waits for with `gatewayNamespace`: the Gateway API CRDs. Default: none. */
  gatewayApiReady?: pulumi.Resource[];
  /** Pulumi `protect` on the zone (every caller resolves the models through it). Default: false. */
  protect?: boolean;
}

/**
 * Model hosts that resolve inside the VPC from the stack alone: a Route 53 private hosted zone for
 * the models' domain, associated with the cluster's VPC, and ExternalDNS (pinned chart) writing an
 * alias record for each Ingress host (and, with `gatewayNamespace`, each HTTPRoute host) under it, with an IAM role that may change only that zone.
 * The VPC's resolver answers every machine and pod in the VPC (with DNS support, which the kit's
 * VPC has and an existing VPC needs). On destroy the zone goes with the records ExternalDNS wrote
 * (`forceDestroy`: they all derive from Ingresses); a protected zone stays until unprotected.
 */
export class PrivateDns extends pulumi.ComponentResource {
  readonly zone: aws.route53.Zone;
  readonly zoneId: pulumi.Output<string>;
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: PrivateDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    const tooLong = dnsLengthProblem(args.domain);
    new ArgsChecker(`PrivateDns "${name}"`)
      .require(DNS_NAME.test(args.domain), "domain", "must be a DNS name such as models.dev.internal")
      .require(tooLong === undefined, "domain", tooLong ?? "")
      .throwIfAny();
    super("mlserving:cluster:PrivateDns", name, {}, opts);
    const { cluster } = args;

    this.zone = new aws.route53.Zone(
      name,
      {
        name: args.domain,
        comment: `Model endpoints of ${cluster.name}; records written by ExternalDNS`,
        vpcs: [{ vpcId: cluster.vpcId, vpcRegion: cluster.region }],
        // Every record in it is ExternalDNS's, rebuilt from the Ingresses: deleting the zone may delete them.
        forceDestroy: true,
        tags: withManagedBy(cluster.tags),
      },
      { parent: this, ...(args.protect ? { protect: true } : {}) },
    );
    this.zoneId = this.zone.zoneId;

    const k8sOpts = { parent: this, provider: cluster.provider };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: kitNamespaceMetadata(EXTERNAL_DNS_NAMESPACE) },
      { ...k8sOpts, dependsOn: cluster.workloadReady },
    );
    const policies = args.controlPlaneSubnetCidrs
      ? registerControllerNamespacePolicies(name, EXTERNAL_DNS_NAMESPACE, args.controlPlaneSubnetCidrs, {
          ...k8sOpts,
          dependsOn: [namespace],
        })
      : [];
    this.release = installChart(
      `${name}-external-dns`,
      EXTERNAL_DNS_ADDON,
      {
        cluster,
        domain: args.domain,
        zoneId: this.zone.zoneId,
        zoneArn: this.zone.arn,
        ...(args.gatewayNamespace ? { gatewayNamespace: args.gatewayNamespace } : {}),
      },
      {
        parent: this,
        cluster,
        monitoring: args.monitoring,
        dependsOn: [namespace, this.zone, ...policies, ...(args.gatewayApiReady ?? [])],
      },
    ).release;
    this.registerOutputs({ zoneId: this.zoneId });
  }
}
