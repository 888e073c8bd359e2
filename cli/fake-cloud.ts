import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";

/**
 * A fake AWS account that answers the mock runtime with realistic outputs: ARNs in the
 * right shape, EKS endpoints, ids with the right prefixes. Unknown invokes throw, so a
 * program that starts calling something new fails loudly instead of planning on nonsense.
 */
export const FAKE_ACCOUNT_ID = "123456789012";

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

type Inputs = Record<string, unknown>;

export interface FakeCloudOptions {
  region: string;
  /** Outputs of the stacks a program may read with `pulumi.StackReference`, by stack name. */
  stackReferences?: Record<string, RecordedStackOutputs>;
}

/** A stack's outputs as recorded for offline planning: plain values and which are secrets. */
export interface RecordedStackOutputs {
  outputs: Record<string, unknown>;
  secretOutputNames: string[];
}

export class FakeCloud {
  /** CIDRs of the subnets of the VPCs created so far, by subnet id (awsx lays them out in the VPC's CIDR). */
  private readonly subnetCidrs = new Map<string, string>();
  /** CIDRs of the VPCs the program made, by id, for `aws.ec2.getVpc`. */
  private readonly vpcCidrs = new Map<string, string>();

  constructor(private readonly opts: FakeCloudOptions) {}

  /** A subnet's CIDR: its slice of the VPC created with it, or a /24 in 10.0.0.0/8 for a subnet of an existing VPC. */
  private subnetCidr(id: string): string {
    const known = this.subnetCidrs.get(id);
    if (known) return known;
    const h = parseInt(hex(id, 4), 16);
    return `10.${h % 256}.${Math.floor(h / 256) % 256}.0/24`;
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.opts.region}:${FAKE_ACCOUNT_ID}:${resource}`;
  }

  call(args: MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: FAKE_ACCOUNT_ID,
          arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/deployer`,
          userId: "AROAEXAMPLE:deployer",
          id: FAKE_ACCOUNT_ID,
        };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
      case "aws:index/getRegion:getRegion":
        return {
          name: this.opts.region,
          region: this.opts.region,
          id: this.opts.region,
          endpoint: `ec2.${this.opts.region}.amazonaws.com`,
        };
      case "aws:ec2/getSubnet:getSubnet": {
        const id = String((args.inputs as Inputs).id);
        return { id, cidrBlock: this.subnetCidr(id), vpcId: "vpc-fake", availabilityZone: `${this.opts.region}a` };
      }
      case "aws:ec2/getVpc:getVpc": {
        const id = String((args.inputs as Inputs).id);
        return { id, cidrBlock: this.vpcCidrs.get(id) ?? "10.0.0.0/16" };
      }
      default:
        throw new Error(`fake cloud: no fake answer for invoke ${args.token}; add one to cli/fake-cloud.ts`);
    }
  }

  newResource(args: MockResourceArgs): { id: string | undefined; state: Inputs } {
    const inputs = (args.inputs ?? {}) as Inputs;
    const physicalName = (inputs.name as string | undefined) ?? `${args.name}-${hex(args.name, 7)}`;
    const id = args.id ?? `${args.name}-id`;
    const base: Inputs = { ...inputs };
    const r = this.opts.region;
    switch (args.type) {
      case "pulumi:pulumi:StackReference": {
        const stack = String(inputs.name ?? args.id ?? args.name);
        const recorded = this.opts.stackReferences?.[stack];
        if (!recorded)
          throw new Error(
            `fake cloud: no recorded outputs for stack reference "${stack}" (known: ${Object.keys(this.opts.stackReferences ?? {}).join(", ") || "none"})`,
          );
        return {
          id: stack,
          state: {
            name: stack,
            outputs: Object.fromEntries(
              Object.entries(recorded.outputs).map(([k, v]) => [
                k,
                recorded.secretOutputNames.includes(k) ? pulumi.secret(v) : v,
              ]),
            ),
            secretOutputNames: recorded.secretOutputNames,
          },
        };
      }
      case "awsx:ec2:Vpc": {
        const azCount = (inputs.numberOfAvailabilityZones as number | undefined) ?? 3;
        const subnets = (kind: string) =>
          Array.from({ length: azCount }, (_, i) => `subnet-${hex(`${args.name}-${kind}-${i}`, 17)}`);
        // Private subnets take the first sixteenths of the VPC CIDR, public ones the next.
        const [addr, len] = String(inputs.cidrBlock ?? "10.0.0.0/16").split("/");
        const first = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
        const slice = 2 ** (32 - Number(len) - 4);
        const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
        ["private", "public"].forEach((kind, k) =>
          subnets(kind).forEach((id, i) =>
            this.subnetCidrs.set(id, `${dotted(first + (k * azCount + i) * slice)}/${Number(len) + 4}`),
          ),
        );
        const vpcId = `vpc-${hex(args.name, 17)}`;
        this.vpcCidrs.set(vpcId, `${addr}/${len}`);
        return {
          id: undefined,
          state: {
            ...base,
            vpcId,
            privateSubnetIds: subnets("private"),
            publicSubnetIds: subnets("public"),
            isolatedSubnetIds: [],
          },
        };
      }
      case "aws:eks/cluster:Cluster": {
        const endpointId = hex(physicalName, 32).toUpperCase();
        return {
          id: physicalName,
          state: {
            ...base,
            name: physicalName,
            arn: this.arn("eks", `cluster/${physicalName}`),
            endpoint: `https://${endpointId}.gr7.${r}.eks.amazonaws.com`,
            certificateAuthority: { data: Buffer.from(`fake-ca-for-${physicalName}`).toString("base64") },
            identities: [{ oidcs: [{ issuer: `https://oidc.eks.${r}.amazonaws.com/id/${endpointId}` }] }],
            vpcConfig: {
              ...(base.vpcConfig as Inputs),
              clusterSecurityGroupId: `sg-${hex(`${physicalName}-cluster`, 17)}`,
              vpcId: "vpc-fake",
            },
            status: "ACTIVE",
          },
        };
      }
      case "aws:eks/nodeGroup:NodeGroup":
        return {
          id: `${physicalName}`,
          state: {
            ...base,
            arn: this.arn("eks", `nodegroup/${String(inputs.clusterName)}/${args.name}/${hex(args.name, 8)}`),
            nodeGroupName:
              (inputs.nodeGroupName as string | undefined) ??
              `${(inputs.nodeGroupNamePrefix as string | undefined) ?? args.name}${hex(args.name, 8)}`,
            resources: [
              {
                autoscalingGroups: [{ name: `eks-${args.name}-${hex(args.name, 8)}` }],
                remoteAccessSecurityGroupId: "",
              },
            ],
            status: "ACTIVE",
          },
        };
      case "aws:iam/role:Role":
        return {
          id: physicalName,
          state: {
            ...base,
            name: physicalName,
            arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${physicalName}`,
            uniqueId: `AROA${hex(physicalName, 16).toUpperCase()}`,
          },
        };
      case "aws:iam/policy:Policy":
        return {
          id: physicalName,
          state: { ...base, name: physicalName, arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:policy/${physicalName}` },
        };
      case "aws:kms/key:Key": {
        const keyId = `${hex(args.name, 8)}-${hex(args.name + "1", 4)}-${hex(args.name + "2", 4)}-${hex(args.name + "3", 4)}-${hex(args.name + "4", 12)}`;
        return { id: keyId, state: { ...base, keyId, arn: this.arn("kms", `key/${keyId}`) } };
      }
      case "aws:ec2/launchTemplate:LaunchTemplate":
        return {
          id: `lt-${hex(args.name, 17)}`,
          state: {
            ...base,
            name: physicalName,
            latestVersion: 1,
            defaultVersion: 1,
            arn: this.arn("ec2", `launch-template/lt-${hex(args.name, 17)}`),
          },
        };
      case "aws:sqs/queue:Queue":
        return {
          id: `https://sqs.${r}.amazonaws.com/${FAKE_ACCOUNT_ID}/${physicalName}`,
          state: {
            ...base,
            name: physicalName,
            arn: this.arn("sqs", physicalName),
            url: `https://sqs.${r}.amazonaws.com/${FAKE_ACCOUNT_ID}/${physicalName}`,
          },
        };
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const bucket = (inputs.bucket as string | undefined) ?? `${args.name}-${hex(args.name, 7)}`;
        return {
          id: bucket,
          state: {
            ...base,
            bucket,
            arn: `arn:aws:s3:::${bucket}`,
            bucketRegionalDomainName: `${bucket}.s3.${r}.amazonaws.com`,
          },
        };
      }
      case "aws:rds/instance:Instance": {
        const identifier = (inputs.identifier as string | undefined) ?? `${args.name}-${hex(args.name, 7)}`;
        const address = `${identifier}.${hex(identifier, 12)}.${r}.rds.amazonaws.com`;
        return {
          id: identifier,
          state: {
            ...base,
            identifier,
            address,
            endpoint: `${address}:5432`,
            port: 5432,
            arn: this.arn("rds", `db:${identifier}`),
          },
        };
      }
      case "aws:ec2/securityGroup:SecurityGroup":
        return {
          id: `sg-${hex(args.name, 17)}`,
          state: { ...base, arn: this.arn("ec2", `security-group/sg-${hex(args.name, 17)}`) },
        };
      case "aws:cloudwatch/logGroup:LogGroup":
        return {
          id: physicalName,
          state: { ...base, name: physicalName, arn: this.arn("logs", `log-group:${physicalName}`) },
        };
      case "aws:cloudwatch/eventRule:EventRule":
        return {
          id: physicalName,
          state: { ...base, name: physicalName, arn: this.arn("events", `rule/${physicalName}`) },
        };
      case "aws:route53/zone:Zone": {
        // Hosted zone ids are "Z" and 20 or so upper-case letters and digits; the ARN has no region or account.
        const zoneId = `Z${hex(args.name, 20).toUpperCase()}`;
        return {
          id: zoneId,
          state: { ...base, zoneId, arn: `arn:aws:route53:::hostedzone/${zoneId}` },
        };
      }
      case "random:index/randomPassword:RandomPassword":
        return { id, state: { ...base, result: `fake-${hex(args.name, 24)}` } };
      default:
        if (args.type.startsWith("kubernetes:")) return { id: `${args.name}-id`, state: { ...base } };
        return {
          id,
          state: {
            arn: this.arn(args.type.split(":")[1]?.split("/")[0] ?? "svc", physicalName),
            name: physicalName,
            ...base,
          },
        };
    }
  }
}
