import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  acceleratorNodeLabels,
  acceleratorTaint,
  clusterAutoscalerAsgTags,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
  ec2NodeClassSpec,
  eventPattern,
  INTERRUPTION_EVENT_RULES,
  interruptionQueuePolicy,
  karpenterControllerPolicies,
  CREATE_SPOT_SERVICE_LINKED_ROLE_COMMAND,
  karpenterValues,
  nodePoolSpec,
} from "../../components/capacity";
import { amiTypeFor, devicesPerInstance, instanceTypeProblems } from "../../components/common";
import {
  dcgmExporterValues,
  gpuOperatorValues,
  neuronChartValues,
  neuronMonitorDaemonSet,
  neuronMonitorService,
  nvidiaDevicePluginValues,
} from "../../components/common/accelerators";
import { capacityReservationSelectorTerms } from "../../components/capacity/karpenter-builders";
import { FAST_IMAGE_PULL, fastImagePullProblems } from "../../components/capacity/rules";
import {
  gp3IopsFor,
  poolCapacityTypes,
  reservationFallbackProblems,
  reservationsProblems,
} from "../../components/capacity/rules";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { parse } from "yaml";

describe("accelerator instance types", () => {
  it("knows device counts per size", () => {
    expect(devicesPerInstance("g6.12xlarge")).toBe(4);
    expect(devicesPerInstance("inf2.24xlarge")).toBe(6);
    expect(devicesPerInstance("m7i.large")).toBeUndefined();
  });
  it("rejects types of the other kind or unknown types, by index", () => {
    expect(instanceTypeProblems("nvidia", ["g6.xlarge", "inf2.xlarge", "m7i.large"])).toEqual([
      { index: 1, message: expect.stringMatching(/inf2\.xlarge is a neuron instance type/) },
      { index: 2, message: expect.stringMatching(/m7i\.large is not a supported nvidia instance type/) },
    ]);
    expect(instanceTypeProblems("neuron", ["inf2.xlarge", "inf2.8xlarge"])).toEqual([]);
  });
  it("maps kinds to EKS AMI types", () => {
    expect(amiTypeFor("nvidia", "al2023")).toBe("AL2023_x86_64_NVIDIA");
    expect(amiTypeFor("nvidia", "bottlerocket")).toBe("BOTTLEROCKET_x86_64_NVIDIA");
    expect(amiTypeFor("neuron", "al2023")).toBe("AL2023_x86_64_NEURON");
  });
});

describe("node group builders", () => {
  it("taints accelerator nodes NoSchedule with the device's key", () => {
    expect(acceleratorTaint("nvidia")).toEqual({ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" });
    expect(acceleratorTaint("neuron")).toEqual({ key: "aws.amazon.com/neuron", value: "true", effect: "NO_SCHEDULE" });
  });
  it("labels kind, capacity type and families; GPU nodes also for the device plugin (not on Bottlerocket)", () => {
    const l = acceleratorNodeLabels("nvidia", "spot", ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], "gpu");
    expect(l).toMatchObject({
      "mlserving.io/accelerator": "nvidia",
      "mlserving.io/capacity-type": "spot",
      "mlserving.io/instance-families": "g5-g6-g6e",
      "nvidia.com/gpu.present": "true",
    });
    expect(
      acceleratorNodeLabels("nvidia", "spot", ["g6.xlarge"], "gpu", "bottlerocket")["nvidia.com/gpu.present"],
    ).toBeUndefined();
    expect(
      acceleratorNodeLabels("neuron", "on-demand", ["inf2.xlarge"], "inf")["nvidia.com/gpu.present"],
    ).toBeUndefined();
  });
  it("tags ASGs so Cluster Autoscaler can scale from zero: labels, taint and the smallest device count", () => {
    const tags = clusterAutoscalerAsgTags({
      clusterName: "c1",
      kind: "nvidia",
      labels: { "mlserving.io/accelerator": "nvidia" },
      instanceTypes: ["g6.12xlarge", "g6.xlarge", "g5.xlarge"],
    });
    expect(tags).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/c1": "owned",
      "k8s.io/cluster-autoscaler/node-template/label/mlserving.io/accelerator": "nvidia",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
    });
    const neuron = clusterAutoscalerAsgTags({
      clusterName: "c1",
      kind: "neuron",
      labels: {},
      instanceTypes: ["inf2.24xlarge", "inf2.48xlarge", "inf2.24xlarge"],
    });
    expect(neuron["k8s.io/cluster-autoscaler/node-template/resources/aws.amazon.com/neuron"]).toBe("6");
    expect(neuron["k8s.io/cluster-autoscaler/node-template/taint/aws.amazon.com/neuron"]).toBe("true:NoSchedule");
  });
});

describe("cluster autoscaler", () => {
  it("may change only Auto Scaling groups tagged for its cluster", () => {
    const doc = clusterAutoscalerPolicy("c1");
    const mutate = doc.Statement.find((s) => (s.Action as string[]).includes("autoscaling:SetDesiredCapacity"))!;
    expect(mutate.Action).toEqual([
      "autoscaling:SetDesiredCapacity",
      "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]);
    expect(mutate.Condition).toEqual({
      StringEquals: {
        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
        "aws:ResourceTag/k8s.io/cluster-autoscaler/c1": "owned",
      },
    });
    const read = doc.Statement.find((s) => s.Sid === "DescribeNodeGroups")!;
    expect((read.Action as string[]).every((a) => /:(Describe|Get)/.test(a))).toBe(true);
  });
  it("prefers spot groups, balances similar groups and scales idle nodes down promptly", () => {
    const v = clusterAutoscalerValues({
      clusterName: "c1",
      region: "us-west-2",
      imageTag: "v1.35.0",
      scaleDownUnneededTime: "5m",
    });
    expect(v.autoDiscovery.clusterName).toBe("c1");
    expect(v.extraArgs.expander).toBe("priority,least-waste");
    expect(v.extraArgs["balance-similar-node-groups"]).toBe(true);
    expect(v.extraArgs["scale-down-unneeded-time"]).toBe("5m");
    expect(v.expanderPriorities).toEqual({ 50: [".*-spot-.*"], 10: [".*"] });
    expect(v.rbac.serviceAccount.name).toBe("cluster-autoscaler");
    // An ASG named by EKS for the spot group matches the higher priority, the fallback only the catch-all.
    expect(new RegExp(v.expanderPriorities[50][0]).test("eks-mlserving-gpu-spot-20261126-8cc9a7e2")).toBe(true);
    expect(new RegExp(v.expanderPriorities[50][0]).test("eks-mlserving-gpu-on-demand-20261126-8cc9a7e2")).toBe(false);
  });
});

describe("karpenter", () => {
  const scope = {
    partition: "aws",
    region: "us-east-1",
    accountId: "123456789012",
    clusterName: "c1",
    nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    interruptionQueueArn: "arn:aws:sqs:us-east-1:123456789012:c1-karpenter",
  };
  const policies = karpenterControllerPolicies(scope);
  const statements = Object.values(policies).flatMap((d) => d.Statement);

  it("passes only the node role, reads only its queue and describes only its cluster", () => {
    expect(statements.find((s) => s.Action === "iam:PassRole")!.Resource).toBe(scope.nodeRoleArn);
    expect(statements.find((s) => s.Sid === "AllowInterruptionQueueActions")!.Resource).toBe(
      scope.interruptionQueueArn,
    );
    expect(statements.find((s) => s.Action === "eks:DescribeCluster")!.Resource).toBe(
      "arn:aws:eks:us-east-1:123456789012:cluster/c1",
    );
  });
  it("launches and terminates only resources tagged for this cluster and a NodePool", () => {
    const terminate = statements.find((s) => s.Sid === "AllowScopedDeletion")!;
    expect(terminate.Condition).toEqual({
      StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/c1": "owned" },
      StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
    });
    const launch = statements.find((s) => s.Sid === "AllowScopedEC2InstanceActionsWithTags")!;
    expect((launch.Condition as any).StringEquals["aws:RequestTag/eks:eks-cluster-name"]).toBe("c1");
  });
  it("may create the account's EC2 Spot service-linked role and no other (EC2 Fleet creates it on the first spot launch)", () => {
    const slr = statements.filter((s) =>
      [s.Action].flat().some((a) => /^iam:CreateServiceLinkedRole$/i.test(String(a))),
    );
    expect(slr).toEqual([
      {
        Sid: "AllowSpotServiceLinkedRoleCreation",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: "arn:aws:iam::123456789012:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot",
        Condition: { StringEquals: { "iam:AWSServiceName": "spot.amazonaws.com" } },
      },
    ]);
  });
  it("documents the one command that creates the Spot role by hand, as the code names it", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "capacity.md"), "utf8");
    expect(doc).toContain(CREATE_SPOT_SERVICE_LINKED_ROLE_COMMAND);
    expect(CREATE_SPOT_SERVICE_LINKED_ROLE_COMMAND).toBe(
      "aws iam create-service-linked-role --aws-service-name spot.amazonaws.com",
    );
  });
  it("keeps every policy document under IAM's 6,144-character managed policy limit", () => {
    for (const [name, doc] of Object.entries(policies)) expect(JSON.stringify(doc).length, name).toBeLessThan(6144);
  });
  it("has an encrypted queue that only EventBridge and SQS may send to, over TLS only", () => {
    const doc = interruptionQueuePolicy("arn:q");
    expect(doc.Statement[0].Principal).toEqual({ Service: ["events.amazonaws.com", "sqs.amazonaws.com"] });
    expect(doc.Statement[1]).toMatchObject({
      Effect: "Deny",
      Action: "sqs:*",
      Condition: { Bool: { "aws:SecureTransport": false } },
    });
  });
  it("routes the exact detail-types AWS emits", () => {
    const patterns = Object.values(INTERRUPTION_EVENT_RULES).map((r) => JSON.parse(eventPattern(r)));
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
        { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
        { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
        { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
      ]),
    );
  });
  it("points the controller at the queue, the cluster and its region (nodes give pods no IMDS)", () => {
    const v = karpenterValues({
      clusterName: "c1",
      region: "us-east-1",
      interruptionQueueName: "c1-karpenter",
      replicas: 2,
    });
    expect(v.settings).toEqual({ clusterName: "c1", interruptionQueue: "c1-karpenter" });
    expect(v.controller.env).toEqual([{ name: "AWS_REGION", value: "us-east-1" }]);
  });
  it("builds a NodePool that prefers spot, taints, caps devices and disrupts one node at a time", () => {
    const spec = nodePoolSpec({
      name: "gpu",
      kind: "nvidia",
      nodeClassName: "gpu",
      instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
      maxDevices: 8,
      onDemandFallback: true,
      os: "al2023",
    });
    expect(spec.template.spec.requirements).toContainEqual({
      key: "karpenter.sh/capacity-type",
      operator: "In",
      values: ["spot", "on-demand"],
    });
    expect(spec.template.spec.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
    expect(spec.limits).toEqual({ "nvidia.com/gpu": "8" });
    expect(spec.disruption.budgets).toEqual([{ nodes: "1" }]);
    expect(
      nodePoolSpec({
        name: "inf",
        kind: "neuron",
        nodeClassName: "inf",
        instanceTypes: ["inf2.xlarge"],
        maxDevices: 2,
        onDemandFallback: false,
        os: "al2023",
      }).template.spec.requirements,
    ).toContainEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] });
  });
  it("builds an EC2NodeClass with a pinned alias, tag discovery, IMDSv2 and a big encrypted volume", () => {
    const nc = ec2NodeClassSpec({
      name: "gpu",
      clusterName: "c1",
      nodeRoleName: "node",
      amiRelease: "v20260724",
      bottlerocketRelease: "v1.61.0",
      rootVolumeGiB: 200,
      tags: { team: "t" },
    });
    expect(nc.amiSelectorTerms).toEqual([{ alias: "al2023@v20260724" }]);
    expect(nc.subnetSelectorTerms).toEqual([{ tags: { "karpenter.sh/discovery": "c1" } }]);
    expect(nc.securityGroupSelectorTerms).toEqual([{ tags: { "karpenter.sh/discovery": "c1" } }]);
    expect(nc.metadataOptions.httpTokens).toBe("required");
    expect(nc.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        rootVolume: true,
        ebs: { volumeType: "gp3", encrypted: true, deleteOnTermination: true, volumeSize: "200Gi" },
      },
    ]);
  });
  it("puts pre-pulled images on Bottlerocket's data volume from a snapshot", () => {
    const nc = ec2NodeClassSpec({
      name: "gpu",
      clusterName: "c1",
      nodeRoleName: "node",
      amiRelease: "v20260724",
      bottlerocketRelease: "v1.61.0",
      rootVolumeGiB: 150,
      imageCacheSnapshotId: "snap-0123456789abcdef0",
      tags: {},
    });
    expect(nc.amiSelectorTerms).toEqual([{ alias: "bottlerocket@v1.61.0" }]);
    expect(nc.blockDeviceMappings[1]).toEqual({
      deviceName: "/dev/xvdb",
      ebs: expect.objectContaining({ snapshotID: "snap-0123456789abcdef0", volumeSize: "150Gi", encrypted: true }),
    });
  });
});

describe("capacity reservations", () => {
  const scope = {
    partition: "aws",
    region: "us-east-1",
    accountId: "123456789012",
    clusterName: "c1",
    nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    interruptionQueueArn: "arn:aws:sqs:us-east-1:123456789012:c1-karpenter",
  };
  const reservationResources = (capacityReservations?: string[]) =>
    (
      karpenterControllerPolicies({ ...scope, capacityReservations })["node-lifecycle"].Statement.find(
        (s) => s.Sid === "AllowScopedEC2InstanceAccessActions",
      )!.Resource as string[]
    ).filter((r) => r.includes("capacity-reservation"));
  it("lets the controller launch into the exact reservations listed, any of the region's when selected by tags, else none", () => {
    expect(reservationResources(["cr-0123456789abcdef0", "cr-0123456789abcdef0", "cr-1"])).toEqual([
      "arn:aws:ec2:us-east-1:*:capacity-reservation/cr-0123456789abcdef0",
      "arn:aws:ec2:us-east-1:*:capacity-reservation/cr-1",
    ]);
    expect(reservationResources(["cr-1", "tags"])).toEqual(["arn:aws:ec2:us-east-1:*:capacity-reservation/*"]);
    expect(reservationResources()).toEqual([]);
  });
  it("puts reserved first in a NodePool's capacity types, and builds one selector term per reservation", () => {
    const odcr = { id: "cr-1", type: "odcr" as const, instanceType: "g6.xlarge", instances: 1 };
    expect(poolCapacityTypes({ spot: true, onDemandFallback: false, reservations: [odcr] })).toEqual([
      "reserved",
      "spot",
    ]);
    expect(poolCapacityTypes({ spot: false, onDemandFallback: false, reservations: [odcr] })).toEqual([
      "reserved",
      "on-demand",
    ]);
    expect(poolCapacityTypes({ spot: true, onDemandFallback: true })).toEqual(["spot", "on-demand"]);
    expect(
      capacityReservationSelectorTerms([
        odcr,
        { tags: { a: "b" }, type: "odcr", instanceType: "g6.xlarge", instances: 2 },
      ]),
    ).toEqual([{ id: "cr-1" }, { tags: { a: "b" } }]);
  });
  it("sets the ReservedCapacity gate beside NodeOverlay when asked", () => {
    const v = karpenterValues({
      clusterName: "c1",
      region: "us-east-1",
      interruptionQueueName: "q",
      replicas: 2,
      nodeOverlay: true,
      reservedCapacity: true,
    });
    expect(v.settings.featureGates).toEqual({ nodeOverlay: true, reservedCapacity: true });
  });
  it("refuses, in prod only, a spot pool whose only reservation is an expiring Capacity Block without on-demand fallback", () => {
    const pool = {
      name: "gpu",
      kind: "nvidia" as const,
      instanceTypes: ["p5.48xlarge", "p4d.24xlarge", "p5e.48xlarge"],
      minNodes: 0,
      maxNodes: 2,
      maxDevices: 16,
      onDemandFallback: false,
      spot: true,
      diskSizeGiB: 200,
      os: "al2023" as const,
      reservations: [
        {
          id: "cr-1",
          type: "capacity-block" as const,
          instanceType: "p5.48xlarge",
          instances: 1,
          endsAt: "2026-12-31T11:30:00Z",
        },
      ],
    };
    expect(reservationFallbackProblems(pool, "prod")).toEqual([
      { path: "onDemandFallback", message: expect.stringContaining("Capacity Blocks needs on-demand fallback") },
    ]);
    expect(reservationFallbackProblems(pool, "staging")).toEqual([]);
    expect(reservationFallbackProblems({ ...pool, onDemandFallback: true }, "prod")).toEqual([]);
    const withOdcr = [
      ...pool.reservations,
      { id: "cr-2", type: "odcr" as const, instanceType: "p5.48xlarge", instances: 1 },
    ];
    expect(reservationFallbackProblems({ ...pool, reservations: withOdcr }, "prod")).toEqual([]);
    expect(reservationsProblems(pool, "cluster-autoscaler")).toEqual([
      { path: "", message: expect.stringContaining("enable karpenter") },
    ]);
    expect(
      reservationsProblems({ ...pool, reservations: [{ ...pool.reservations[0], endsAt: "31/12/2026" }] }, "karpenter"),
    ).toEqual([{ path: "[0].endsAt", message: expect.stringContaining("UTC time") }]);
    expect(
      reservationsProblems(
        {
          ...pool,
          reservations: [{ id: "cr-1", tags: { a: "b" }, type: "odcr", instanceType: "p5.48xlarge", instances: 1 }],
        },
        "karpenter",
      ),
    ).toEqual([{ path: "[0]", message: "set exactly one of id (cr-...) or tags" }]);
  });
});

describe("faster image volumes", () => {
  const base = {
    name: "gpu",
    clusterName: "c1",
    nodeRoleName: "node",
    amiRelease: "v20260724",
    bottlerocketRelease: "v1.61.0",
    rootVolumeGiB: 200,
    tags: {},
  };
  it("provisions gp3 throughput with the IOPS it needs, and puts kubelet and containerd on instance store", () => {
    const nc = ec2NodeClassSpec({ ...base, volumeThroughputMiBps: 1000, instanceStore: true });
    expect(nc.blockDeviceMappings[0].ebs).toMatchObject({ throughput: 1000, iops: 4000 });
    expect(nc.instanceStorePolicy).toBe("RAID0");
    validateAgainstUpstreamSchema({
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: "gpu" },
      spec: nc,
    });
    expect(gp3IopsFor(250)).toBe(3000);
    expect(gp3IopsFor(1000)).toBe(4000);
    const plain = ec2NodeClassSpec(base);
    expect(plain.blockDeviceMappings[0].ebs).not.toHaveProperty("throughput");
    expect(plain).not.toHaveProperty("instanceStorePolicy");
    // Bottlerocket: both the OS volume and the image volume get the throughput.
    const br = ec2NodeClassSpec({
      ...base,
      volumeThroughputMiBps: 500,
      imageCacheSnapshotId: "snap-0123456789abcdef0",
    });
    expect(br.blockDeviceMappings.map((b) => [b.deviceName, b.ebs.throughput, b.ebs.iops])).toEqual([
      ["/dev/xvda", 500, 3000],
      ["/dev/xvdb", 500, 3000],
    ]);
    // Bottlerocket keeps images on its data volume: no RAID0 there.
    expect(
      ec2NodeClassSpec({ ...base, instanceStore: true, imageCacheSnapshotId: "snap-0123456789abcdef0" }),
    ).not.toHaveProperty("instanceStorePolicy");
  });
});

describe("fast image pull (nodeadm FastImagePull, SOCI parallel pull)", () => {
  const base = {
    name: "gpu",
    clusterName: "c1",
    nodeRoleName: "node",
    amiRelease: "v20260724",
    bottlerocketRelease: "v1.61.0",
    rootVolumeGiB: 200,
    tags: {},
  };
  it("turns on the gate in the AL2023 node class's user data, a NodeConfig Karpenter merges with its own", () => {
    const nc = ec2NodeClassSpec({ ...base, volumeThroughputMiBps: 600, fastImagePull: true });
    expect(parse(nc.userData as string)).toEqual({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: { featureGates: { FastImagePull: true } },
    });
    validateAgainstUpstreamSchema({
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: "gpu" },
      spec: nc,
    });
    expect(ec2NodeClassSpec(base)).not.toHaveProperty("userData");
  });

  it("needs Karpenter on AL2023, 600 MiB/s (or instance store) and types nodeadm enables it on", () => {
    const pool = { instanceTypes: ["g6.xlarge", "g6.2xlarge"], volumeThroughputMiBps: 600 };
    expect(fastImagePullProblems(pool, "karpenter")).toEqual([]);
    expect(
      fastImagePullProblems({ ...pool, volumeThroughputMiBps: undefined, instanceStore: true }, "karpenter"),
    ).toEqual([]);
    expect(fastImagePullProblems({ ...pool, volumeThroughputMiBps: 500 }, "karpenter")).toEqual([
      { path: "", message: expect.stringContaining("at least 600") },
    ]);
    expect(
      fastImagePullProblems({ ...pool, imageCacheSnapshotId: "snap-0123456789abcdef0" }, "karpenter").map(
        (p) => p.message,
      ),
    ).toEqual([expect.stringContaining("not with imageCacheSnapshotId")]);
    expect(fastImagePullProblems(pool, "cluster-autoscaler")).toHaveLength(1);
    // Instance store counts only where every type has one: inf2 has none, so SOCI would write the root volume.
    expect(
      fastImagePullProblems(
        { instanceTypes: ["g6.2xlarge", "inf2.xlarge"], instanceStore: true }, // g6 carries NVMe, inf2 none
        "karpenter",
      ),
    ).toEqual([{ path: "", message: expect.stringContaining("inf2.xlarge has none") }]);
    // g4dn.xlarge has 4 vCPUs and 16 GiB: enabled; a 2-vCPU type would not be.
    expect(fastImagePullProblems({ ...pool, instanceTypes: ["g4dn.xlarge"] }, "karpenter")).toEqual([]);
    expect(FAST_IMAGE_PULL).toEqual({ minVcpu: 4, minMemoryGiB: 7, minThroughputMiBps: 600 });
  });
});

describe("device plugins and accelerator metrics", () => {
  it("runs the NVIDIA device plugin on labelled GPU nodes, tolerating their taint, with optional time-slicing", () => {
    const v = nvidiaDevicePluginValues(4);
    expect(v.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    expect(
      v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0],
    ).toEqual({ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] });
    expect(parse(v.config!.map.default)).toEqual({
      version: "v1",
      sharing: {
        timeSlicing: { failRequestsGreaterThanOne: true, resources: [{ name: "nvidia.com/gpu", replicas: 4 }] },
      },
    });
    expect(nvidiaDevicePluginValues().config).toBeUndefined();
  });
  it("turns off the GPU operator's driver and toolkit (the EKS AMI ships them)", () => {
    const v = gpuOperatorValues();
    expect(v.driver.enabled).toBe(false);
    expect(v.toolkit.enabled).toBe(false);
    expect(v.nfd.enabled).toBe(true);
  });
  it("puts DCGM exporter on GPU nodes only", () => {
    const v = dcgmExporterValues();
    expect(v.nodeSelector).toEqual({ "mlserving.io/accelerator": "nvidia" });
    expect(v.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    expect(v.serviceMonitor.enabled).toBe(false);
  });
  it("installs the Neuron device plugin and scheduler extension without the problem detector", () => {
    expect(neuronChartValues(true)).toMatchObject({
      devicePlugin: { enabled: true },
      scheduler: { enabled: true },
      npd: { enabled: false },
    });
  });
  it("runs neuron-monitor on Neuron nodes with a Service whose port name and selector match its pods", () => {
    const ds = neuronMonitorDaemonSet();
    const svc = neuronMonitorService();
    const pod = ds.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "mlserving.io/accelerator": "neuron" });
    expect(pod.tolerations).toContainEqual({ key: "aws.amazon.com/neuron", operator: "Exists", effect: "NoSchedule" });
    expect(pod.containers[0].image).toMatch(/^public\.ecr\.aws\/neuron\/neuron-monitor:\d/);
    expect(svc.spec.selector).toEqual(ds.spec.template.metadata.labels);
    expect(svc.spec.ports[0].name).toBe(pod.containers[0].ports[0].name);
  });
});
