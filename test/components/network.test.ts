import { describe, expect, it } from "vitest";
import { Network } from "../../components/network";
import { runComponent } from "../harness";

const tags = { environment: "dev", team: "t" };

describe("Network", () => {
  it("builds a 3-AZ VPC with tagged subnets, one NAT per AZ and an S3 gateway endpoint", async () => {
    const plan = await runComponent(() => new Network("net", { clusterName: "c1", region: "eu-central-1", tags }));
    const vpc = plan.one("awsx:ec2:Vpc").inputs as Record<string, any>;
    expect(vpc.numberOfAvailabilityZones).toBe(3);
    expect(vpc.natGateways).toEqual({ strategy: "OnePerAz" });
    const priv = vpc.subnetSpecs.find((s: any) => s.type === "Private");
    const pub = vpc.subnetSpecs.find((s: any) => s.type === "Public");
    expect(priv.tags).toMatchObject({
      "kubernetes.io/role/internal-elb": "1",
      "karpenter.sh/discovery": "c1",
      team: "t",
    });
    expect(pub.tags).toMatchObject({ "kubernetes.io/role/elb": "1" });
    expect(pub.tags["karpenter.sh/discovery"]).toBeUndefined();
    expect(vpc.vpcEndpointSpecs).toEqual([
      expect.objectContaining({ serviceName: "com.amazonaws.eu-central-1.s3", vpcEndpointType: "Gateway" }),
    ]);
    expect(vpc.vpcEndpointStrategy).toBe("Auto");
    expect(vpc.tags["managed-by"]).toBe("pulumi-mlserving");
  });

  it("uses a single NAT gateway when asked (dev)", async () => {
    const plan = await runComponent(
      () =>
        new Network("net", {
          clusterName: "c1",
          region: "us-west-2",
          natGateways: "single",
          availabilityZoneCount: 2,
          tags,
        }),
    );
    const vpc = plan.one("awsx:ec2:Vpc").inputs as Record<string, any>;
    expect(vpc.natGateways).toEqual({ strategy: "Single" });
    expect(vpc.numberOfAvailabilityZones).toBe(2);
  });

  it("adopts an existing VPC without creating anything", async () => {
    const plan = await runComponent(() => {
      const n = new Network("net", {
        clusterName: "c1",
        region: "us-west-2",
        existing: {
          vpcId: "vpc-0123456789abcdef0",
          cidrBlock: "10.1.0.0/16",
          privateSubnetIds: ["subnet-aaaaaaaa", "subnet-bbbbbbbb"],
        },
        tags,
      });
      return n.privateSubnetIds;
    });
    expect(plan.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack", "mlserving:network:Network"]);
  });

  it("rejects bad arguments before registering anything, naming each field", async () => {
    expect(
      () =>
        new Network("net", {
          clusterName: "c1",
          region: "us-west-2",
          availabilityZoneCount: 1,
          cidrBlock: "10.0.0.0/8",
          tags,
        }),
    ).toThrow(
      /cidrBlock: must be an IPv4 CIDR with a prefix from \/16 to \/20[\s\S]*availabilityZoneCount: must be at least 2/,
    );
  });

  it("used alone, refuses tags without the environment and team every resource must carry", () => {
    const build = (t: Record<string, string>) => () =>
      new Network("net", { clusterName: "c1", region: "us-west-2", tags: t });
    expect(build({})).toThrow(
      /tags\.environment: is required, one of dev, staging, prod[\s\S]*tags\.team: is required/,
    );
    expect(build({ environment: "qa", team: "ml" })).toThrow(/tags\.environment: .*not "qa"/);
    expect(build({ environment: "prod", team: " " })).toThrow(/tags\.team: is required/);
  });
});
