import { describe, expect, it } from "vitest";
import { instanceShape, nodeGroupShapeProblems } from "../../components/capacity";
import { clusterAutoscalerDiscoveryTags, clusterAutoscalerPolicy } from "../../components/capacity";
import {
  apiAccessPlaceholders,
  apiAccessProblems,
  ApiAccessInput,
  canonicalCidr,
  clusterProblems,
} from "../../components/cluster/rules";

const access = (a: Partial<ApiAccessInput>): ApiAccessInput => ({
  deployerAccess: "private",
  publicAccessCidrs: [],
  privateAccessCidrs: [],
  existingVpc: false,
  ...a,
});

describe("apiAccessProblems: the machine running pulumi up must reach the API", () => {
  it("refuses a private endpoint in a new VPC that nothing reaches, naming deployerAccess and the ways out", () => {
    const problems = apiAccessProblems(access({}));
    expect(problems.map((p) => p.path)).toEqual(["deployerAccess"]);
    expect(problems[0].message).toMatch(/publicAccessCidrs[\s\S]*network\.existing/);
  });

  it("refuses a private endpoint in a new VPC even with VPN or peered CIDRs: no route can lead into a VPC not yet created", () => {
    const problems = apiAccessProblems(access({ privateAccessCidrs: ["10.100.0.0/16"] }));
    expect(problems.map((p) => p.path)).toEqual(["deployerAccess"]);
    expect(problems[0].message).toMatch(/exists before the first pulumi up[\s\S]*cluster\.privateAccessCidrs/);
  });

  it("accepts a private endpoint in an existing VPC, reached from inside it or through a VPN or peering", () => {
    expect(apiAccessProblems(access({ existingVpc: true }))).toEqual([]);
    expect(apiAccessProblems(access({ existingVpc: true, privateAccessCidrs: ["10.100.0.0/16"] }))).toEqual([]);
  });

  it("refuses a public endpoint that admits nobody, naming publicAccessCidrs", () => {
    expect(apiAccessProblems(access({ deployerAccess: "public" })).map((p) => p.path)).toEqual(["publicAccessCidrs"]);
    expect(apiAccessProblems(access({ deployerAccess: "public", publicAccessCidrs: ["198.18.7.0/24"] }))).toEqual([]);
  });

  it("refuses 0.0.0.0/0 in either list (the cluster rules, checked beside the access rule)", () => {
    expect(
      clusterProblems({ publicAccessCidrs: ["0.0.0.0/0"], privateAccessCidrs: ["0.0.0.0/0"] }).map((p) => p.path),
    ).toEqual(["publicAccessCidrs[0]", "privateAccessCidrs[0]"]);
  });
});

describe("canonical CIDRs (what AWS stores, so a second pulumi up shows no change)", () => {
  it("names a CIDR with host bits set and the network to write instead", () => {
    expect(canonicalCidr("203.0.113.77/24")).toBe("203.0.113.0/24");
    expect(canonicalCidr("198.51.100.7/32")).toBe("198.51.100.7/32");
    expect(canonicalCidr("10.1.2.3/8")).toBe("10.0.0.0/8");
    const problems = apiAccessProblems(access({ deployerAccess: "public", publicAccessCidrs: ["203.0.113.77/24"] }));
    expect(problems).toEqual([{ path: "publicAccessCidrs[0]", message: "has host bits set; write 203.0.113.0/24" }]);
  });
});

describe("apiAccessPlaceholders", () => {
  it("flags the RFC 5737 documentation ranges (the shipped placeholder) and nothing else", () => {
    const a = access({
      deployerAccess: "public",
      publicAccessCidrs: ["198.18.0.0/24", "203.0.113.0/24", "192.0.2.17/32"],
      privateAccessCidrs: ["198.51.100.0/24", "10.0.0.0/8"],
    });
    expect(apiAccessPlaceholders(a).map((p) => p.path)).toEqual([
      "publicAccessCidrs[1]",
      "publicAccessCidrs[2]",
      "privateAccessCidrs[0]",
    ]);
    // A wider block that merely contains a documentation range is a real network.
    expect(apiAccessPlaceholders(access({ publicAccessCidrs: ["203.0.0.0/16"] }))).toEqual([]);
  });
});

describe("nodeGroupShapeProblems: one instance shape per Cluster Autoscaler group", () => {
  it("knows the shapes from Karpenter's instance-type reference", () => {
    expect(instanceShape("g6e.xlarge")).toEqual({ vcpu: 4, memoryGiB: 32, devices: 1 });
    expect(instanceShape("inf2.24xlarge")).toEqual({ vcpu: 96, memoryGiB: 384, devices: 6 });
    expect(instanceShape("m7i.large")).toBeUndefined();
  });

  it("accepts types of one shape", () => {
    expect(nodeGroupShapeProblems(["g6.xlarge", "g5.xlarge", "g4dn.xlarge"])).toEqual([]);
  });

  it("names each type whose vCPUs, memory or devices differ from the first", () => {
    const problems = nodeGroupShapeProblems(["g6.xlarge", "g5.xlarge", "g6e.xlarge", "g4dn.xlarge"]);
    expect(problems.map((p) => p.index)).toEqual([2]);
    expect(problems[0].message).toMatch(/g6e\.xlarge \(4 vCPU, 32 GiB, 1 device\) differs from g6\.xlarge/);
    expect(nodeGroupShapeProblems(["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"]).map((p) => p.index)).toEqual([
      1, 2,
    ]);
  });
});

describe("clusterAutoscalerDiscoveryTags", () => {
  it("are what the IAM policy lets Cluster Autoscaler scale", () => {
    const condition = (clusterAutoscalerPolicy("ml").Statement[1] as any).Condition.StringEquals;
    expect(condition).toEqual(
      Object.fromEntries(
        Object.entries(clusterAutoscalerDiscoveryTags("ml")).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
      ),
    );
    expect(clusterAutoscalerDiscoveryTags("ml")).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/ml": "owned",
    });
  });
});
