import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { existingMonitoring } from "../../components/common/handles";
import { AcceleratorNodeGroup, ClusterAutoscaler, Karpenter } from "../../components/capacity";
import { ModelRegistry } from "../../components/registry";
import { ServingPlatform } from "../../components/serving";
import { runComponent, testCluster } from "../harness";

/** Issue 9 at the component level: first deploy and destroy of each piece. */

describe("EksCluster teardown and protection", () => {
  it("makes the cluster wait for its AmazonEKSClusterPolicy, so destroy removes the policy only after the cluster", async () => {
    const plan = await runComponent(() => testCluster());
    const attachment = plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-AmazonEKSClusterPolicy");
    expect(plan.one("aws:eks/cluster:Cluster").dependsOn).toContain(attachment.urn);
  });

  it("protect: EKS deletion protection and Pulumi protect on cluster, secrets key and audit log group (kept on destroy)", async () => {
    const plan = await runComponent(() => testCluster({ protect: true }));
    const cluster = plan.one("aws:eks/cluster:Cluster");
    expect(cluster.protect).toBe(true);
    expect((cluster.inputs as any).deletionProtection).toBe(true);
    const key = plan.one("aws:kms/key:Key", "secrets");
    expect(key.protect).toBe(true);
    const logs = plan.one("aws:cloudwatch/logGroup:LogGroup");
    expect([logs.protect, logs.retainOnDelete]).toEqual([true, true]);
  });

  it("by default leaves all of it deletable", async () => {
    const plan = await runComponent(() => testCluster());
    const flagged = plan.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.name);
    expect(flagged).toEqual([]);
    expect((plan.one("aws:eks/cluster:Cluster").inputs as any).deletionProtection).toBe(false);
  });
});

const registry = (protectState: boolean, retainDatabase?: boolean) => () =>
  new ModelRegistry("registry", {
    cluster: testCluster().handle,
    vpcCidr: "10.30.0.0/16",
    protectState,
    retainDatabase,
    monitoring: existingMonitoring(),
  });

const IN_VPC_FOR_THE_DATABASE = [
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:rds/parameterGroup:ParameterGroup",
];
const BUCKET_SETTINGS = [
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
];

describe("ModelRegistry teardown", () => {
  it("protectState keeps the bucket together with every setting that protects it, and never empties it", async () => {
    const plan = await runComponent(registry(true));
    for (const type of BUCKET_SETTINGS) {
      const r = plan.one(type);
      expect([r.protect, r.retainOnDelete], type).toEqual([true, true]);
    }
    expect((plan.one("aws:s3/bucket:Bucket").inputs as any).forceDestroy).toBe(false);
  });

  it("a kept database keeps its subnet group, security group and parameter group, but not the rule naming the cluster's group", async () => {
    const plan = await runComponent(registry(true));
    expect(plan.one("aws:rds/instance:Instance").retainOnDelete).toBe(true);
    for (const type of IN_VPC_FOR_THE_DATABASE) {
      const r = plan.one(type);
      expect([r.protect, r.retainOnDelete], type).toEqual([true, true]);
    }
    // EKS deletes the cluster security group with the cluster; a kept rule referring to it would block that.
    expect(
      plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "db-from-cluster").retainOnDelete,
    ).toBe(false);
  });

  it("retainDatabase false (a VPC the stack deletes): the database stays protected but a deliberate destroy deletes it after its final snapshot", async () => {
    const plan = await runComponent(registry(true, false));
    const db = plan.one("aws:rds/instance:Instance");
    expect([db.protect, db.retainOnDelete]).toEqual([true, false]);
    expect(db.inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false });
    for (const type of IN_VPC_FOR_THE_DATABASE) expect(plan.one(type).retainOnDelete, type).toBe(false);
    // The bucket and its key still stay.
    expect(plan.one("aws:s3/bucket:Bucket").retainOnDelete).toBe(true);
    expect(plan.one("aws:kms/key:Key", "artifacts").retainOnDelete).toBe(true);
  });

  it("without protectState the versioned bucket is emptied on destroy, so destroy succeeds after MLflow wrote to it", async () => {
    const plan = await runComponent(registry(false));
    expect((plan.one("aws:s3/bucket:Bucket").inputs as any).forceDestroy).toBe(true);
    expect(plan.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.type)).toEqual([]);
  });
});

describe("ClusterAutoscaler scaling node groups it did not create", () => {
  it("tags the given groups' own Auto Scaling groups with its discovery tags, before it starts", async () => {
    const plan = await runComponent(() => {
      const c = testCluster();
      new ClusterAutoscaler("ca", { cluster: c.handle, discoverNodeGroups: [c.systemNodeGroup] });
    });
    const system = plan.one("aws:eks/nodeGroup:NodeGroup", "system");
    const tags = plan.ofType("aws:autoscaling/tag:Tag").filter((t) => t.name.startsWith("ca-discovery-"));
    expect(tags.map((t) => [(t.inputs.tag as any).key, (t.inputs.tag as any).value]).sort()).toEqual([
      ["k8s.io/cluster-autoscaler/enabled", "true"],
      ["k8s.io/cluster-autoscaler/ml-test", "owned"],
    ]);
    for (const t of tags) expect(t.inputs.autoscalingGroupName).toMatch(new RegExp(`^eks-${system.name}-`));
    const release = plan.one("kubernetes:helm.sh/v3:Release", "ca");
    for (const t of tags) expect(release.dependsOn).toContain(t.urn);
    expect((release.inputs.values as any).autoDiscovery.tags).toEqual([
      "k8s.io/cluster-autoscaler/enabled=true",
      "k8s.io/cluster-autoscaler/ml-test=owned",
    ]);
  });
});

describe("AcceleratorNodeGroup instance shapes", () => {
  it("refuses types of different shapes in one group, naming each", () => {
    expect(
      () =>
        new AcceleratorNodeGroup("mixed", {
          cluster: undefined as never,
          kind: "neuron",
          instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
          maxSize: 1,
        }),
    ).toThrow(/instanceTypes\[1\]: inf2\.8xlarge \(32 vCPU[\s\S]*instanceTypes\[2\]: inf2\.24xlarge \(96 vCPU/);
  });
});

describe("Karpenter on a fresh account", () => {
  it("holds every NodePool until the launch prerequisites exist, and offers on-demand-only pools", async () => {
    const plan = await runComponent(() => {
      const c = testCluster();
      const spot = new aws.iam.ServiceLinkedRole("spot", { awsServiceName: "spot.amazonaws.com" });
      new Karpenter("karpenter", {
        cluster: c.handle,
        launchReady: [spot],
        pools: [
          { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], maxDevices: 4 },
          { name: "inf", kind: "neuron", instanceTypes: ["inf2.xlarge"], maxDevices: 2, spot: false },
        ],
      });
    });
    const role = plan.one("aws:iam/serviceLinkedRole:ServiceLinkedRole");
    const pools = plan.ofType("kubernetes:karpenter.sh/v1:NodePool");
    expect(pools).toHaveLength(2);
    for (const p of pools) expect(p.dependsOn, p.name).toContain(role.urn);
    const inf = pools.find((p) => (p.inputs as any).metadata.name === "inf")!;
    const capacity = (inf.inputs as any).spec.template.spec.requirements.find(
      (r: any) => r.key === "karpenter.sh/capacity-type",
    );
    expect(capacity.values).toEqual(["on-demand"]);
  });
});

describe("ModelRegistry namespace", () => {
  it("carries the pod readiness gate label too: the MLflow Ingress also targets pod IPs", async () => {
    const plan = await runComponent(registry(false));
    const ns = plan.ofType("kubernetes:core/v1:Namespace").find((n) => (n.inputs as any).metadata.name === "mlflow")!;
    expect((ns.inputs as any).metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBe("enabled");
  });
});

describe("ServingPlatform namespace", () => {
  it("carries the load balancer controller's pod readiness gate label", async () => {
    const plan = await runComponent(
      () => new ServingPlatform("serving", { cluster: testCluster().handle, monitoring: existingMonitoring() }),
    );
    const ns = plan.ofType("kubernetes:core/v1:Namespace").find((n) => (n.inputs as any).metadata.name === "serving")!;
    expect((ns.inputs as any).metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBe("enabled");
  });
});
