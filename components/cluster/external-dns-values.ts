import { policyDocument, PolicyDocument } from "../common/iam";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { EXTERNAL_DNS_NAMESPACE } from "../common/names";
import { IMAGES } from "../versions";

/** Release, namespace and service account ExternalDNS runs as (its pod identity is bound to them). */
export const EXTERNAL_DNS_RELEASE = "external-dns";
export { EXTERNAL_DNS_NAMESPACE };
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";

/**
 * The chart's Service for metrics (chart 1.21.1 templates/service.yaml: port `http`, 7979, labelled
 * with the chart's selector labels; the release name contains the chart name, so it is the full name).
 */
export const EXTERNAL_DNS_METRICS = {
  serviceLabels: { "app.kubernetes.io/name": "external-dns", "app.kubernetes.io/instance": EXTERNAL_DNS_RELEASE },
  port: "http",
};

/**
 * Record types ExternalDNS writes in the zone: A and AAAA aliases to the models' ALB (its AWS
 * provider aliases ELB host names rather than writing CNAMEs), CNAME for any other host name, and
 * TXT for its ownership registry.
 */
export const EXTERNAL_DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT"] as const;

/**
 * ExternalDNS's IAM policy, limited to one hosted zone: the AWS tutorial's policy
 * (kubernetes-sigs/external-dns v0.21.0 docs/tutorials/aws.md) with `hostedzone/*` narrowed to
 * the zone's ARN and its record types (the tutorial's ABAC variant, condition key
 * `route53:ChangeResourceRecordSetsRecordTypes`). `ListHostedZones` takes no resource, so it keeps
 * `*`; `ListTagsForResources` is left out: ExternalDNS v0.21.0 calls it only with a zone tag
 * filter (provider/aws/aws.go `zones`), which the kit does not set.
 */
export function externalDnsPolicy(zoneArn: string): PolicyDocument {
  return policyDocument(
    {
      Sid: "ChangeRecordsOfTheModelsZoneOnly",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: zoneArn,
      Condition: {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": [...EXTERNAL_DNS_RECORD_TYPES] },
      },
    },
    { Sid: "ReadRecordsOfTheModelsZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zoneArn },
    { Sid: "FindTheZone", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
  );
}

export interface ExternalDnsValuesInput {
  /** The zone's domain (the models' ingress domain); ExternalDNS writes no name outside it. */
  domain: string;
  /** The zone's id: ExternalDNS touches no other zone, not even one of the same name. */
  zoneId: string;
  /** Owner id of the TXT registry: ExternalDNS deletes only records that carry it. */
  ownerId: string;
  region: string;
  /**
   * Also write the hosts of HTTPRoutes attached to the Gateways of this namespace (the LLM gateway),
   * pointing at each Gateway's address. Default: none (Ingresses only).
   */
  gatewayNamespace?: string;
}

/**
 * Helm values for chart external-dns 1.21.1 (keys checked in kubernetes-sigs/external-dns
 * `charts/external-dns/values.yaml` at external-dns-helm-chart-1.21.1; flags in v0.21.0
 * `pkg/apis/externaldns/types.go`). It watches Ingresses (and, with `gatewayNamespace`, the HTTPRoutes
 * attached to that namespace's Gateways: source `gateway-httproute`), writes only into the one private zone
 * (`--zone-id-filter`, `--aws-zone-type=private`, the domain filter) and, with `policy: sync`,
 * deletes a record when its Ingress goes, but only records its TXT registry marks as this
 * cluster's (`txtOwnerId`). The chart's own hardening stands (non-root, read-only root, no
 * capabilities, seccomp RuntimeDefault); the kit adds requests and limits and the system nodes.
 */
export function externalDnsValues(input: ExternalDnsValuesInput) {
  return {
    image: { repository: IMAGES.externalDns.repository, tag: IMAGES.externalDns.tag },
    serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT },
    provider: { name: "aws" },
    // `gateway-httproute` (v0.21.0 source/gateway.go): an accepted HTTPRoute's hostnames, aliased to its
    // Gateway's `status.addresses` (the NLB). The chart grants what it reads, and only with the source
    // (templates/clusterrole.yaml at 1.21.1: gateways, httproutes and namespaces, get/watch/list);
    // `gatewayNamespace` becomes `--gateway-namespace`, so only the kit's Gateway's routes are written.
    sources: input.gatewayNamespace ? ["ingress", "gateway-httproute"] : ["ingress"],
    ...(input.gatewayNamespace ? { gatewayNamespace: input.gatewayNamespace } : {}),
    policy: "sync",
    registry: "txt",
    txtOwnerId: input.ownerId,
    domainFilters: [input.domain],
    // Sync soon after an ALB gets its address, besides the one-minute loop.
    triggerLoopOnEvent: true,
    extraArgs: {
      "zone-id-filter": input.zoneId,
      "aws-zone-type": "private",
    },
    env: [{ name: "AWS_REGION", value: input.region }],
    resources: {
      requests: { cpu: "20m", memory: "64Mi" },
      limits: { memory: "128Mi" },
    },
    nodeSelector: { ...SYSTEM_NODE_SELECTOR },
  };
}
