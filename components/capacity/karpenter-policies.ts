import { eksClusterArn, policyDocument, PolicyDocument } from "../common/iam";
import { SPOT_SERVICE_NAME, spotServiceLinkedRoleArn } from "./spot-service-linked-role";

/** Facts the controller's IAM policies are scoped by. */
export interface KarpenterScope {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
  nodeRoleArn: string;
  interruptionQueueArn: string;
  /**
   * Capacity reservations the pools select: `cr-...` ids, or "tags" when a pool selects by tags
   * (then any reservation in the region). Empty: the controller may launch into none.
   */
  capacityReservations?: readonly string[];
}

/**
 * The Karpenter controller's IAM policies as Karpenter v1.14 documents them (getting-started
 * CloudFormation template): launching and terminating only instances, fleets and launch
 * templates tagged for this cluster and a NodePool, passing only the node role, managing only
 * instance profiles tagged for this cluster and region, reading only its interruption queue,
 * and creating only the account's EC2 Spot service-linked role.
 * One document per concern, each well under IAM's managed-policy size limit.
 */
export function karpenterControllerPolicies(s: KarpenterScope): Record<string, PolicyDocument> {
  const ec2 = (resource: string, account = "*") => `arn:${s.partition}:ec2:${s.region}:${account}:${resource}`;
  const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${s.clusterName}`]: "owned" };
  const requestOwned = {
    [`aws:RequestTag/kubernetes.io/cluster/${s.clusterName}`]: "owned",
    "aws:RequestTag/eks:eks-cluster-name": s.clusterName,
  };
  const taggedLaunchables = [
    "fleet/*",
    "instance/*",
    "volume/*",
    "network-interface/*",
    "launch-template/*",
    "spot-instances-request/*",
  ].map((r) => ec2(r));
  const instanceProfiles = `arn:${s.partition}:iam::${s.accountId}:instance-profile/*`;
  const region = { "aws:ResourceTag/topology.kubernetes.io/region": s.region };
  const reservations = s.capacityReservations ?? [];
  // Reservations may be shared from another account (RAM), so the owner account stays open; the id pins the ARN.
  const capacityReservationArns = reservations.includes("tags")
    ? [ec2("capacity-reservation/*")]
    : [...new Set(reservations)].map((id) => ec2(`capacity-reservation/${id}`));

  return {
    "node-lifecycle": policyDocument(
      {
        Sid: "AllowScopedEC2InstanceAccessActions",
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateFleet"],
        Resource: [
          ec2("image/*", ""),
          ec2("snapshot/*", ""),
          ec2("security-group/*"),
          ec2("subnet/*"),
          // Only reserved launches target a reservation: with the ReservedCapacity gate on, spot and
          // on-demand launch templates set CapacityReservationPreference none (karpenter v1.14.1
          // pkg/providers/launchtemplate/types.go), so without reservations no ARN is needed.
          ...capacityReservationArns,
          ec2("placement-group/*"),
        ],
      },
      {
        Sid: "AllowScopedEC2LaunchTemplateAccessActions",
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateFleet"],
        Resource: ec2("launch-template/*"),
        Condition: { StringEquals: owned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
      },
      {
        Sid: "AllowScopedEC2InstanceActionsWithTags",
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
        Resource: taggedLaunchables,
        Condition: { StringEquals: requestOwned, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
      },
      {
        Sid: "AllowScopedResourceCreationTagging",
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: taggedLaunchables,
        Condition: {
          StringEquals: {
            ...requestOwned,
            "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
          },
          StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
        },
      },
      {
        Sid: "AllowScopedResourceTagging",
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: ec2("instance/*"),
        Condition: {
          StringEquals: owned,
          StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
          StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": s.clusterName },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
        },
      },
      {
        Sid: "AllowScopedDeletion",
        Effect: "Allow",
        Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
        Resource: [ec2("instance/*"), ec2("launch-template/*")],
        Condition: { StringEquals: owned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
      },
    ),
    "iam-integration": policyDocument(
      {
        Sid: "AllowPassingInstanceRole",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: s.nodeRoleArn,
        Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] } },
      },
      {
        // EC2 Fleet creates the account's EC2 Spot service-linked role on the first spot launch with
        // the caller's credentials, and without this permission fails the launch with
        // AuthFailure.ServiceLinkedRoleCreationNotPermitted, on which Karpenter v1.14.1 marks spot
        // unavailable (pkg/providers/instance/instance.go). Karpenter's own CI role grants exactly
        // this ARN (test/cloudformation/iam_cloudformation.yaml at v1.14.1), as eksctl grants its
        // Karpenter controller (eksctl-io/eksctl#6102), and as AWS's own Auto Scaling and EC2 Fleet
        // service roles grant theirs (AWS managed policies AutoScalingServiceRolePolicy and
        // AWSEC2FleetServiceRolePolicy, statement EC2SpotManagement). Nothing fails where it exists.
        Sid: "AllowSpotServiceLinkedRoleCreation",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: spotServiceLinkedRoleArn(s.partition, s.accountId),
        Condition: { StringEquals: { "iam:AWSServiceName": SPOT_SERVICE_NAME } },
      },
      {
        Sid: "AllowScopedInstanceProfileCreationActions",
        Effect: "Allow",
        Action: ["iam:CreateInstanceProfile"],
        Resource: instanceProfiles,
        Condition: {
          StringEquals: { ...requestOwned, "aws:RequestTag/topology.kubernetes.io/region": s.region },
          StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
      {
        Sid: "AllowScopedInstanceProfileTagActions",
        Effect: "Allow",
        Action: ["iam:TagInstanceProfile"],
        Resource: instanceProfiles,
        Condition: {
          StringEquals: {
            ...owned,
            ...region,
            ...requestOwned,
            "aws:RequestTag/topology.kubernetes.io/region": s.region,
          },
          StringLike: {
            "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
            "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
          },
        },
      },
      {
        Sid: "AllowScopedInstanceProfileActions",
        Effect: "Allow",
        Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
        Resource: instanceProfiles,
        Condition: {
          StringEquals: { ...owned, ...region },
          StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
        },
      },
    ),
    "eks-integration": policyDocument({
      Sid: "AllowAPIServerEndpointDiscovery",
      Effect: "Allow",
      Action: "eks:DescribeCluster",
      Resource: eksClusterArn({
        partition: s.partition,
        region: s.region,
        accountId: s.accountId,
        name: s.clusterName,
      }),
    }),
    interruption: policyDocument({
      Sid: "AllowInterruptionQueueActions",
      Effect: "Allow",
      Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      Resource: s.interruptionQueueArn,
    }),
    "resource-discovery": policyDocument(
      {
        Sid: "AllowRegionalReadActions",
        Effect: "Allow",
        Action: [
          "ec2:DescribeCapacityReservations",
          "ec2:DescribeImages",
          "ec2:DescribeInstances",
          "ec2:DescribeInstanceStatus",
          "ec2:DescribeInstanceTypeOfferings",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplates",
          "ec2:DescribePlacementGroups",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSpotPriceHistory",
          "ec2:DescribeSubnets",
        ],
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": s.region } },
      },
      {
        Sid: "AllowSSMReadActions",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: `arn:${s.partition}:ssm:${s.region}::parameter/aws/service/*`,
      },
      { Sid: "AllowPricingReadActions", Effect: "Allow", Action: "pricing:GetProducts", Resource: "*" },
      {
        Sid: "AllowUnscopedInstanceProfileListAction",
        Effect: "Allow",
        Action: "iam:ListInstanceProfiles",
        Resource: "*",
      },
      {
        Sid: "AllowInstanceProfileReadActions",
        Effect: "Allow",
        Action: "iam:GetInstanceProfile",
        Resource: instanceProfiles,
      },
    ),
    "zonal-shift": policyDocument({
      Sid: "AllowZonalShiftStatusReadOnly",
      Effect: "Allow",
      Action: ["arc-zonal-shift:GetManagedResource"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "arc-zonal-shift:ResourceIdentifier": eksClusterArn({
            partition: s.partition,
            region: s.region,
            accountId: s.accountId,
            name: s.clusterName,
          }),
        },
      },
    }),
  };
}

/** Queue policy: EventBridge and SQS may send; nothing may use the queue without TLS. */
export function interruptionQueuePolicy(queueArn: string): PolicyDocument {
  return policyDocument(
    {
      Sid: "AllowEventBridgeToSend",
      Effect: "Allow",
      Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
      Action: "sqs:SendMessage",
      Resource: queueArn,
    },
    {
      Sid: "DenyHTTP",
      Effect: "Deny",
      Principal: "*",
      Action: "sqs:*",
      Resource: queueArn,
      Condition: { Bool: { "aws:SecureTransport": false } },
    },
  );
}

/**
 * EventBridge rules feeding the interruption queue, with the exact sources and detail-types
 * AWS emits (Karpenter v1.14 CloudFormation template).
 */
export const INTERRUPTION_EVENT_RULES: Record<string, { source: string; detailType: string }> = {
  "scheduled-change": { source: "aws.health", detailType: "AWS Health Event" },
  "spot-interruption": { source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
  rebalance: { source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
  "instance-state-change": { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
  "capacity-reservation-interruption": {
    source: "aws.ec2",
    detailType: "EC2 Capacity Reservation Instance Interruption Warning",
  },
};

export function eventPattern(rule: { source: string; detailType: string }): string {
  return JSON.stringify({ source: [rule.source], "detail-type": [rule.detailType] });
}
