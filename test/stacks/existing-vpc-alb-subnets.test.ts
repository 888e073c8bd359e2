import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PlanOutcome, runPlan } from "../../cli/planner";
import { modelIngress } from "../../components/serving/kserve-builders";

// Issue 22, item 10: with `network.existing` the controller discovered the ALB's subnets by tag,
// while the NetworkPolicies admit the CIDRs of `privateSubnetIds` only. The ALBs are now placed in
// exactly those subnets, named on every Ingress; the policies admit exactly their CIDRs.

type Planned = Extract<PlanOutcome, { kind: "planned" }>;
const PRIVATE = ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f", "subnet-0abc5555def66667a"];
const SUBNETS = "alb.ingress.kubernetes.io/subnets";
let plan: Planned;

beforeAll(async () => {
  const dev = readFileSync(join(__dirname, "..", "..", "stacks", "Pulumi.dev.yaml"), "utf8");
  const existing = `  mlserving:network:
    existing:
      vpcId: vpc-0123456789abcdef0
      cidrBlock: 10.50.0.0/16
      privateSubnetIds: [${PRIVATE.join(", ")}]
`;
  const file = join(mkdtempSync(join(tmpdir(), "existing-vpc-")), "Pulumi.dev.yaml");
  writeFileSync(file, dev.replace("  mlserving:cluster:\n", `${existing}  mlserving:cluster:\n`));
  const outcome = await runPlan({ stack: "dev", configPath: file });
  if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
  plan = outcome;
});

describe("network.existing: one list of subnets for the ALBs and the NetworkPolicies", () => {
  it("places every ALB (models' group and the registry's) in the configured private subnets", () => {
    const ingresses = plan.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress");
    expect(ingresses.length).toBeGreaterThanOrEqual(2);
    for (const i of ingresses) expect((i.inputs.metadata as any).annotations[SUBNETS], i.name).toBe(PRIVATE.join(","));
  });

  it("admits the ALB to the model pods from the CIDRs of those subnets, the ones the Ingress names", () => {
    const alb = plan.resources.find(
      (r) =>
        r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
        (r.inputs.metadata as any).namespace === "serving" &&
        /alb/.test((r.inputs.metadata as any).name),
    )!;
    const from = ((alb.inputs.spec as any).ingress as any[]).flatMap((rule) => rule.from ?? []);
    const cidrs = from.flatMap((peer: any) => (peer.ipBlock ? [peer.ipBlock.cidr] : []));
    // One /24 per configured subnet (the fake cloud's CIDR of a subnet of an existing VPC), nothing wider.
    expect(new Set(cidrs).size).toBe(PRIVATE.length);
    for (const c of cidrs) expect(c).toMatch(/^10\.\d+\.\d+\.0\/24$/);
  });
});

describe("modelIngress subnets", () => {
  const base = {
    model: "m",
    host: "m.x",
    healthPath: "/v2/health/ready",
    groupName: "g",
    allowedCidrs: ["10.0.0.0/24"],
  };
  it("names the subnets when given, and leaves discovery otherwise", () => {
    expect(modelIngress({ ...base, albSubnetIds: ["subnet-a", "subnet-b"] }).metadata.annotations[SUBNETS]).toBe(
      "subnet-a,subnet-b",
    );
    expect(modelIngress(base).metadata.annotations[SUBNETS]).toBeUndefined();
  });

  it("refuses private subnets for an internet-facing ALB", () => {
    expect(() => modelIngress({ ...base, internetFacing: true, albSubnetIds: ["subnet-a", "subnet-b"] })).toThrow(
      /internet-facing ALB needs public/,
    );
  });
});
