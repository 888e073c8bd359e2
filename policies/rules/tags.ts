import type { ResourceValidationPolicy } from "@pulumi/policy";
import { kitConfig, kitConfigSchema } from "./config";

/**
 * AWS resource types the kit creates that have no `tags` input. Every other `aws:*` type
 * (and the awsx VPC) must carry the required tags; a new untaggable type fails the plan
 * until it is listed here, which is the safe direction.
 */
export const UNTAGGABLE_AWS_TYPES: ReadonlySet<string> = new Set([
  "pulumi:providers:aws",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:kms/alias:Alias",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  "aws:autoscaling/tag:Tag",
  "aws:ec2/tag:Tag",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:cloudwatch/eventTarget:EventTarget",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  // ECR pull-through cache: a rule has no tags; a creation template carries `resourceTags` for the repositories it creates.
  "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
  "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
]);

export function isTaggableAwsType(type: string): boolean {
  return (type.startsWith("aws:") || type === "awsx:ec2:Vpc") && !UNTAGGABLE_AWS_TYPES.has(type);
}

export const requiredTags: ResourceValidationPolicy = {
  name: "required-tags",
  description: "Every taggable AWS resource carries the environment, team and managed-by tags.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (!isTaggableAwsType(args.type)) return;
    const { requiredTags: keys } = kitConfig(args);
    const tags = (args.props.tags ?? {}) as Record<string, unknown>;
    const missing = keys.filter((k) => typeof tags[k] !== "string" || (tags[k] as string).length === 0);
    if (missing.length > 0) report(`missing required tags: ${missing.join(", ")}.`);
  },
};
