import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Service whose service-linked role (`AWSServiceRoleForEC2Spot`) lets EC2 launch spot instances. */
export const SPOT_SERVICE_NAME = "spot.amazonaws.com";

/** The one command that creates the role by hand (Karpenter v1.14 troubleshooting, "Missing Service Linked Role"). */
export const CREATE_SPOT_SERVICE_LINKED_ROLE_COMMAND = `aws iam create-service-linked-role --aws-service-name ${SPOT_SERVICE_NAME}`;

/** ARN of the account's EC2 Spot service-linked role (its path and name are fixed by IAM). */
export function spotServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${SPOT_SERVICE_NAME}/AWSServiceRoleForEC2Spot`;
}

/**
 * The account's EC2 Spot service-linked role as a resource of this stack: opt-in
 * (`capacity.createSpotServiceLinkedRole`, default false). Karpenter launches spot through EC2
 * Fleet, which fails with `AuthFailure.ServiceLinkedRoleCreationNotPermitted` in an account that
 * never used spot unless the caller may create the role (Karpenter v1.14 troubleshooting,
 * "Missing Service Linked Role"); the kit's Karpenter controller may (`karpenterControllerPolicies`),
 * so the role appears on the first spot launch with nothing to do. This resource is for an account
 * that wants it up front: `CreateServiceLinkedRole` fails wherever the account already has it (any
 * account that used spot, a second stack, a redeploy after destroy, since it is kept), so create it
 * from at most one stack, or once with `CREATE_SPOT_SERVICE_LINKED_ROLE_COMMAND`. It belongs to the
 * account, not the stack: kept on destroy.
 */
export function spotServiceLinkedRole(
  name: string,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): aws.iam.ServiceLinkedRole {
  return new aws.iam.ServiceLinkedRole(
    name,
    { awsServiceName: SPOT_SERVICE_NAME, description: "EC2 Spot launches (Karpenter)", tags },
    { ...opts, retainOnDelete: true },
  );
}
