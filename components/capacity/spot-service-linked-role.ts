import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Service whose service-linked role (`AWSServiceRoleForEC2Spot`) lets EC2 launch spot instances. */
export const SPOT_SERVICE_NAME = "spot.amazonaws.com";

/**
 * The account's EC2 Spot service-linked role. Karpenter launches spot through EC2 Fleet and, in
 * an account that never used spot, fails with `AuthFailure.ServiceLinkedRoleCreationNotPermitted`
 * until this role exists (Karpenter v1.14 troubleshooting, "Missing Service Linked Role"; its
 * getting-started step 6 creates it). It belongs to the account, not the stack: kept on destroy.
 * Creating it fails when the account already has it; then do not create it (or import it).
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
