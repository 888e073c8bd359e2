import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker } from "./errors";
import type { ClusterHandle } from "./handles";
import { eksClusterArn, PolicyDocument, podIdentityTrustPolicy } from "./iam";
import { withManagedBy } from "./tags";

/** The facts of a cluster a Pod Identity role needs: its name (for the association) and what makes its ARN. */
export type PodIdentityCluster = Pick<ClusterHandle, "name" | "region" | "partition" | "accountId">;

/** ARN of the cluster, known at preview (built from its name, region, partition and account). */
export function podIdentityClusterArn(cluster: PodIdentityCluster): pulumi.Output<string> {
  return pulumi
    .all([cluster.partition, cluster.accountId])
    .apply(([partition, accountId]) =>
      eksClusterArn({ partition, accountId, region: cluster.region, name: cluster.name }),
    );
}

export interface PodIdentityRoleArgs {
  /**
   * The EKS cluster whose pods assume the role (a {@link ClusterHandle} or a platform reference's
   * cluster). Required: the trust policy pins its ARN, and the association is made in it.
   */
  cluster: PodIdentityCluster;
  /** Namespace of the workload's service account. Required. */
  namespace: string;
  /** Name of the workload's service account. Required. */
  serviceAccount: string;
  /** Inline policy scoped to the exact ARNs the workload needs. Default: none. */
  policy?: pulumi.Input<PolicyDocument>;
  /** AWS managed policies to attach (full ARNs). Default: none. */
  managedPolicyArns?: pulumi.Input<string>[];
  /**
   * Create the `aws.eks.PodIdentityAssociation`. Default: true. Set false when an EKS add-on
   * owns the association through its `podIdentityAssociations` input.
   */
  createAssociation?: boolean;
  /** Tags for the role and association. Default: `managed-by` only. */
  tags?: Record<string, string>;
}

/**
 * An IAM role that exactly one Kubernetes service account of one cluster assumes through EKS Pod
 * Identity (its trust policy pins the cluster's ARN, the namespace and the service account), with its permissions and (by default) the pod identity association.
 */
export class PodIdentityRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly association?: aws.eks.PodIdentityAssociation;

  constructor(name: string, args: PodIdentityRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new ArgsChecker(`PodIdentityRole "${name}"`);
    check
      .require(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace), "namespace", "must be a DNS-1123 label")
      .require(
        /^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(args.serviceAccount),
        "serviceAccount",
        "must be a DNS-1123 subdomain",
      )
      .require(
        args.policy !== undefined || (args.managedPolicyArns ?? []).length > 0,
        "policy",
        "a role needs an inline policy or managed policies",
      )
      .throwIfAny();
    super("mlserving:common:PodIdentityRole", name, {}, opts);

    const tags = withManagedBy(args.tags);
    this.role = new aws.iam.Role(
      name,
      {
        description: `Pod identity for ${args.namespace}/${args.serviceAccount}`,
        assumeRolePolicy: podIdentityClusterArn(args.cluster).apply((clusterArn) =>
          JSON.stringify(
            podIdentityTrustPolicy({ clusterArn, namespace: args.namespace, serviceAccount: args.serviceAccount }),
          ),
        ),
        tags,
      },
      { parent: this },
    );
    if (args.policy !== undefined) {
      new aws.iam.RolePolicy(
        name,
        {
          role: this.role.name,
          policy: pulumi.output(args.policy).apply((doc) => JSON.stringify(doc)),
        },
        { parent: this },
      );
    }
    (args.managedPolicyArns ?? []).forEach((policyArn, i) => {
      new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: this.role.name, policyArn }, { parent: this });
    });
    if (args.createAssociation ?? true) {
      this.association = new aws.eks.PodIdentityAssociation(
        name,
        {
          clusterName: args.cluster.name,
          namespace: args.namespace,
          serviceAccount: args.serviceAccount,
          roleArn: this.role.arn,
          tags,
        },
        { parent: this },
      );
    }
    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
