import { PolicyDocument } from "../common/iam";
import upstreamPolicy from "./aws-load-balancer-controller-policy.json";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";

/** Namespace and service account the controller runs as (its pod identity is bound to them). */
export const LOAD_BALANCER_CONTROLLER_NAMESPACE = "kube-system";
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";

/**
 * Namespace label that makes the controller's pod webhook add its target-health readiness
 * gates to pods created there (IP targets): a rolling update then waits until the new pod is
 * healthy in the ALB target group before the old one goes (aws-load-balancer-controller v3.5.0
 * `docs/deploy/pod_readiness_gate.md`; on by default in the chart).
 */
/**
 * The Ingress annotation naming the networks an ALB admits. The controller (v3.5.0) opens the
 * ALB's security group to these only, and to 0.0.0.0/0 when it is absent, so the kit always writes it.
 */
export const INBOUND_CIDRS_ANNOTATION = "alb.ingress.kubernetes.io/inbound-cidrs";

/**
 * The Ingress annotation placing an ALB in named subnets (aws-load-balancer-controller v3.5.0
 * docs/guide/ingress/annotations.md, `subnets`: at least two subnets in different AZs, by id or
 * Name tag; merge behaviour "Exclusive": the same value on every Ingress of an IngressGroup).
 * Without it the controller discovers subnets by their `kubernetes.io/role/internal-elb` tag
 * (docs/deploy/subnet_discovery.md), which in an existing VPC may be other subnets than the ones
 * whose CIDRs the kit's NetworkPolicies admit; so the kit names the cluster's private subnets.
 */
export const SUBNETS_ANNOTATION = "alb.ingress.kubernetes.io/subnets";

/** The annotation that puts an internal ALB in these subnets (none when the list is empty: discovery). */
export function albSubnetsAnnotation(subnetIds: readonly string[] = []): Record<string, string> {
  return subnetIds.length > 0 ? { [SUBNETS_ANNOTATION]: subnetIds.join(",") } : {};
}

export const POD_READINESS_GATE_NAMESPACE_LABEL = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } as const;

/**
 * The controller's IAM policy exactly as its install guide publishes it
 * (kubernetes-sigs/aws-load-balancer-controller `docs/install/iam_policy.json` at v3.5.0),
 * with ARNs moved to the cluster's partition.
 */
export function loadBalancerControllerPolicy(partition: string): PolicyDocument {
  return JSON.parse(JSON.stringify(upstreamPolicy).replace(/arn:aws:/g, `arn:${partition}:`)) as PolicyDocument;
}

export interface LoadBalancerControllerValuesInput {
  clusterName: string;
  region: string;
  vpcId: string;
  replicas: number;
}

/**
 * Helm values for chart aws-load-balancer-controller 3.5.0 (keys checked in aws/eks-charts
 * `stable/aws-load-balancer-controller/values.yaml`). Region and VPC are given so the
 * controller never needs instance metadata; the Service mutator webhook is off so plain
 * `LoadBalancer` Services are not silently taken over.
 */
export function loadBalancerControllerValues(input: LoadBalancerControllerValuesInput) {
  return {
    clusterName: input.clusterName,
    region: input.region,
    vpcId: input.vpcId,
    replicaCount: input.replicas,
    serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
    podDisruptionBudget: { maxUnavailable: 1 },
    enableServiceMutatorWebhook: false,
    nodeSelector: { ...SYSTEM_NODE_SELECTOR },
  };
}
