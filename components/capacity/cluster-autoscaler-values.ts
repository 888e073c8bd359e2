import { policyDocument, PolicyDocument } from "../common/iam";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";

export const CLUSTER_AUTOSCALER_NAMESPACE = "kube-system";
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
export const CLUSTER_AUTOSCALER_RELEASE = "cluster-autoscaler";

/**
 * Labels and port of the metrics Service chart cluster-autoscaler 9.59.0 creates for release
 * `cluster-autoscaler` (templates/service.yaml, `cluster-autoscaler.instance-name`): Service
 * `cluster-autoscaler-aws-cluster-autoscaler`, port `http` (8085).
 */
export const CLUSTER_AUTOSCALER_METRICS = {
  serviceLabels: {
    "app.kubernetes.io/instance": CLUSTER_AUTOSCALER_RELEASE,
    "app.kubernetes.io/name": "aws-cluster-autoscaler",
  },
  port: "http",
};

/**
 * Tags by which Cluster Autoscaler discovers the Auto Scaling groups it may scale, with their
 * values: the chart's auto-discovery (`asg:tag=key=value,...`, cloudprovider/aws/README.md
 * "Auto-Discovery Setup"), the IAM condition on its scaling calls and the tags the kit puts on
 * each group's ASG all use these.
 */
export function clusterAutoscalerDiscoveryTags(clusterName: string): Record<string, string> {
  return { "k8s.io/cluster-autoscaler/enabled": "true", [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned" };
}

/**
 * IAM policy of Cluster Autoscaler: the read-only calls of the AWS provider README on `*`, and
 * the two mutating calls only on Auto Scaling groups tagged as this cluster's (the condition
 * from the EKS best-practices guide).
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
  return policyDocument(
    {
      Sid: "DescribeNodeGroups",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      Resource: "*",
    },
    {
      Sid: "ScaleOwnNodeGroupsOnly",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: "*",
      Condition: {
        StringEquals: Object.fromEntries(
          Object.entries(clusterAutoscalerDiscoveryTags(clusterName)).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
        ),
      },
    },
  );
}

export interface ClusterAutoscalerValuesInput {
  clusterName: string;
  region: string;
  imageTag: string;
  /** Seconds an idle node waits before removal; short for expensive accelerator nodes. */
  scaleDownUnneededTime: string;
}

/**
 * Helm values for chart cluster-autoscaler 9.59.0 (keys checked in kubernetes/autoscaler
 * `cluster-autoscaler/charts/cluster-autoscaler/values.yaml`). The priority expander prefers
 * spot groups, then falls back to least-waste among equals; groups that match no pattern are
 * never chosen, hence the catch-all.
 */
export function clusterAutoscalerValues(input: ClusterAutoscalerValuesInput) {
  return {
    cloudProvider: "aws",
    awsRegion: input.region,
    autoDiscovery: {
      clusterName: input.clusterName,
      tags: Object.entries(clusterAutoscalerDiscoveryTags(input.clusterName)).map(([k, v]) => `${k}=${v}`),
    },
    image: { tag: input.imageTag },
    rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
    extraArgs: {
      expander: "priority,least-waste",
      "balance-similar-node-groups": true,
      "skip-nodes-with-local-storage": false,
      "skip-nodes-with-system-pods": false,
      "scale-down-unneeded-time": input.scaleDownUnneededTime,
      "scale-down-delay-after-add": "5m",
      // Per node group min/max/target gauges, for the "node group at its maximum" alert.
      "emit-per-nodegroup-metrics": true,
    },
    expanderPriorities: {
      50: [".*-spot-.*"],
      10: [".*"],
    },
    nodeSelector: { ...SYSTEM_NODE_SELECTOR },
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
  };
}
