import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isOpenToWorld, MAX_PUBLIC_ADDRESSES, publicAddressCount, validateCidr } from "./vendor/cidr";
import { kitConfigSchema } from "./config";

type Props = Record<string, unknown>;
const obj = (v: unknown): Props => (v !== null && typeof v === "object" ? (v as Props) : {});

export const eksSecretsEncryption: ResourceValidationPolicy = {
  name: "eks-secrets-encryption",
  description: "EKS clusters encrypt Kubernetes secrets with a KMS key (envelope encryption).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== "aws:eks/cluster:Cluster") return;
    const configs = (args.props.encryptionConfig ? [args.props.encryptionConfig] : []) as Props[];
    const ok = configs.some(
      (c) =>
        Array.isArray(c.resources) && c.resources.includes("secrets") && typeof obj(c.provider).keyArn === "string",
    );
    if (!ok) report('encryptionConfig must cover resources ["secrets"] with provider.keyArn set to a KMS key.');
  },
};

export const eksEndpointNotOpenToWorld: ResourceValidationPolicy = {
  name: "eks-endpoint-not-open-to-world",
  description: "An EKS public API endpoint is never open to 0.0.0.0/0.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== "aws:eks/cluster:Cluster") return;
    const vpc = obj(args.props.vpcConfig);
    // AWS defaults endpointPublicAccess to true and publicAccessCidrs to 0.0.0.0/0.
    if (vpc.endpointPublicAccess === false) return;
    const cidrs = Array.isArray(vpc.publicAccessCidrs) ? (vpc.publicAccessCidrs as string[]) : [];
    if (cidrs.length === 0)
      report(
        "the public endpoint is enabled without publicAccessCidrs, so it is open to 0.0.0.0/0; set endpointPublicAccess false or list CIDRs.",
      );
    else if (cidrs.some(isOpenToWorld))
      report(
        `publicAccessCidrs contains ${cidrs.filter(isOpenToWorld).join(", ")}, which opens the API to the internet.`,
      );
    // Judged by what they cover together: [0.0.0.0/1, 128.0.0.0/1] is the world too.
    else if (publicAddressCount(cidrs) > MAX_PUBLIC_ADDRESSES)
      report(
        `publicAccessCidrs together admit ${publicAddressCount(cidrs)} public addresses, more than a /8: that opens the API to the internet in pieces.`,
      );
    else if (!cidrs.every(validateCidr))
      report(`publicAccessCidrs holds ${cidrs.filter((c) => !validateCidr(c)).join(", ")}, which is not an IPv4 CIDR.`);
  },
};

export const launchTemplateImdsV2: ResourceValidationPolicy = {
  name: "launch-template-imdsv2",
  description: "Node launch templates require IMDSv2 (http tokens required).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== "aws:ec2/launchTemplate:LaunchTemplate") return;
    const md = obj(args.props.metadataOptions);
    if (md.httpTokens !== "required")
      report(
        `metadataOptions.httpTokens must be "required" (IMDSv2 only); got ${JSON.stringify(md.httpTokens ?? "unset")}.`,
      );
  },
};

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "Symmetric KMS keys rotate automatically.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== "aws:kms/key:Key") return;
    const spec = (args.props.customerMasterKeySpec ?? args.props.keySpec ?? "SYMMETRIC_DEFAULT") as string;
    if (spec === "SYMMETRIC_DEFAULT" && args.props.enableKeyRotation !== true)
      report("enableKeyRotation must be true.");
  },
};
