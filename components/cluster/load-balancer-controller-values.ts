import { PolicyDocument } from "../common/iam";
import upstreamPolicy from "./aws-load-balancer-controller-policy.json";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";

/** Namespace and service account the controller runs as (its pod identity is bound to them). */
export const LOAD_BALANCER_CONTROLLER_NAMESPACE = "kube-system";
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";

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
