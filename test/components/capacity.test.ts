import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { existingMonitoring } from "../../components/common/handles";
import {
  AcceleratorNodeGroup,
  ClusterAutoscaler,
  Karpenter,
  WarmHeadroom,
  CA_EXPENDABLE_PODS_PRIORITY_CUTOFF,
  HEADROOM_PRIORITY,
  HEADROOM_PRIORITY_CLASS,
} from "../../components/capacity";
import { NeuronSupport, NvidiaGpuSupport } from "../../components/common/accelerators";
import { CHARTS, IMAGES } from "../../components/versions";
import { json, Plan, runComponent, testCluster } from "../harness";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const cluster = () => testCluster();

describe("AcceleratorNodeGroup + ClusterAutoscaler", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = cluster();
      const gpu = new AcceleratorNodeGroup("gpu", {
        cluster: c.handle,
        kind: "nvidia",
        instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
        maxSize: 2,
        onDemandFallbackMaxSize: 2,
      });
      new AcceleratorNodeGroup("inf", {
        cluster: c.handle,
        kind: "neuron",
        // inf2.xlarge is the only Inferentia type of its shape: an on-demand group.
        instanceTypes: ["inf2.xlarge"],
        capacityType: "on-demand",
        maxSize: 1,
      });
      new ClusterAutoscaler("ca", { cluster: c.handle, dependsOn: [gpu] });
    });
  });

  it("runs GPU spot capacity that scales to zero, with the NVIDIA AMI, taint and labels", () => {
    const spot = plan.one("aws:eks/nodeGroup:NodeGroup", "gpu-spot").inputs as any;
    expect(spot.capacityType).toBe("SPOT");
    expect(spot.amiType).toBe("AL2023_x86_64_NVIDIA");
    expect(spot.instanceTypes).toEqual(["g6.xlarge", "g5.xlarge", "g4dn.xlarge"]);
    expect(spot.scalingConfig).toEqual({ minSize: 0, desiredSize: 0, maxSize: 2 });
    expect(spot.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
    expect(spot.labels).toMatchObject({ "mlserving.io/accelerator": "nvidia", "mlserving.io/capacity-type": "spot" });
    expect(spot.nodeRepairConfig).toEqual({ enabled: true });
    expect(spot.nodeGroupNamePrefix).toBe("gpu-spot-");
  });

  it("adds an on-demand fallback group the priority expander ranks below spot", () => {
    const od = plan.one("aws:eks/nodeGroup:NodeGroup", "gpu-on-demand").inputs as any;
    expect(od.capacityType).toBe("ON_DEMAND");
    expect(od.scalingConfig).toEqual({ minSize: 0, desiredSize: 0, maxSize: 2 });
    expect(od.nodeGroupNamePrefix).not.toMatch(/-spot-/);
  });

  it("runs Inferentia on the Neuron AMI with the Neuron taint", () => {
    const inf = plan.one("aws:eks/nodeGroup:NodeGroup", "inf-on-demand").inputs as any;
    expect(inf.amiType).toBe("AL2023_x86_64_NEURON");
    expect(inf.taints).toEqual([{ key: "aws.amazon.com/neuron", value: "true", effect: "NO_SCHEDULE" }]);
  });

  it("uses IMDSv2 with one hop (pods cannot take the node role) and a large encrypted gp3 volume for images", () => {
    const lt = plan.one("aws:ec2/launchTemplate:LaunchTemplate", "gpu").inputs as any;
    expect(lt.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(lt.blockDeviceMappings[0].ebs).toMatchObject({ volumeSize: 200, volumeType: "gp3", encrypted: "true" });
  });

  it("tags each group's own Auto Scaling group for scale-from-zero", () => {
    const tagsOf = (prefix: string) => plan.ofType("aws:autoscaling/tag:Tag").filter((t) => t.name.startsWith(prefix));
    const spot = tagsOf("gpu-spot-");
    const byKey = Object.fromEntries(spot.map((t) => [(t.inputs.tag as any).key, t.inputs.tag as any]));
    expect(byKey["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"].value).toBe("1");
    expect(byKey["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"].value).toBe("true:NoSchedule");
    expect(byKey["k8s.io/cluster-autoscaler/node-template/label/mlserving.io/accelerator"].value).toBe("nvidia");
    expect(byKey["k8s.io/cluster-autoscaler/ml-test"].value).toBe("owned");
    // Each tag targets the ASG that EKS created for that node group (read from the group's outputs).
    expect(new Set(spot.map((t) => t.inputs.autoscalingGroupName))).toEqual(
      new Set([expect.stringMatching(/^eks-gpu-spot-/)]),
    );
    const onDemand = new Set(tagsOf("gpu-on-demand-").map((t) => t.inputs.autoscalingGroupName));
    expect(onDemand.size).toBe(1);
    expect([...onDemand][0]).toMatch(/^eks-gpu-on-demand-/);
  });

  it("installs the pinned Cluster Autoscaler chart with a pod identity role scoped to this cluster's groups", () => {
    const release = plan.one("kubernetes:helm.sh/v3:Release", "ca");
    expect(release.inputs).toMatchObject({
      chart: "cluster-autoscaler",
      version: CHARTS.clusterAutoscaler.version,
      namespace: "kube-system",
    });
    expect((release.inputs.values as any).autoDiscovery.clusterName).toBe("ml-test");
    const assoc = plan
      .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
      .find((a) => a.inputs.serviceAccount === "cluster-autoscaler")!;
    expect(assoc.inputs.namespace).toBe("kube-system");
    const policy = json<any>(plan.one("aws:iam/rolePolicy:RolePolicy", "ca-pod-identity").inputs.policy);
    expect(JSON.stringify(policy)).toContain("aws:ResourceTag/k8s.io/cluster-autoscaler/ml-test");
  });

  it("sizes Bottlerocket's data volume, where images live, not just its small OS volume", async () => {
    const br = await runComponent(
      () =>
        new AcceleratorNodeGroup("br", {
          cluster: cluster().handle,
          kind: "nvidia",
          os: "bottlerocket",
          instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
          maxSize: 1,
          diskSizeGiB: 300,
        }),
    );
    const lt = br.one("aws:ec2/launchTemplate:LaunchTemplate", "br").inputs as any;
    expect(lt.blockDeviceMappings.map((b: any) => [b.deviceName, b.ebs.volumeSize])).toEqual([
      ["/dev/xvda", 8],
      ["/dev/xvdb", 300],
    ]);
    expect((br.one("aws:eks/nodeGroup:NodeGroup", "br-spot").inputs as any).amiType).toBe("BOTTLEROCKET_x86_64_NVIDIA");
  });

  it("provisions gp3 throughput on both Bottlerocket volumes (the OS disk too), and on an AL2023 root volume", async () => {
    const group = (name: string, os: "bottlerocket" | "al2023") =>
      runComponent(
        () =>
          new AcceleratorNodeGroup(name, {
            cluster: cluster().handle,
            kind: "nvidia",
            os,
            instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
            maxSize: 1,
            volumeThroughputMiBps: 1000,
          }),
      );
    const br = (await group("br", "bottlerocket")).one("aws:ec2/launchTemplate:LaunchTemplate", "br").inputs as any;
    expect(br.blockDeviceMappings.map((b: any) => [b.deviceName, b.ebs.throughput, b.ebs.iops])).toEqual([
      ["/dev/xvda", 1000, 4000],
      ["/dev/xvdb", 1000, 4000],
    ]);
    const al = (await group("al", "al2023")).one("aws:ec2/launchTemplate:LaunchTemplate", "al").inputs as any;
    expect(al.blockDeviceMappings[0].ebs).toMatchObject({ throughput: 1000, iops: 4000 });
    await expect(
      runComponent(
        () =>
          new AcceleratorNodeGroup("bad", {
            cluster: cluster().handle,
            kind: "nvidia",
            instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
            maxSize: 1,
            volumeThroughputMiBps: 2000,
          }),
      ),
    ).rejects.toThrow(/volumeThroughputMiBps: must be at most 1000/);
  });

  it("refuses wrong instance types for the kind, too few spot types and min > max, naming each field", () => {
    expect(
      () =>
        new AcceleratorNodeGroup("bad", {
          cluster: undefined as never,
          kind: "nvidia",
          instanceTypes: ["inf2.xlarge"],
          minSize: 3,
          maxSize: 2,
        }),
    ).toThrow(
      /instanceTypes\[0\]: inf2\.xlarge is a neuron instance type[\s\S]*instanceTypes: spot capacity needs at least 3[\s\S]*maxSize: must satisfy minSize <= desiredSize <= maxSize/,
    );
    expect(
      () =>
        new AcceleratorNodeGroup("bad", {
          cluster: undefined as never,
          kind: "tpu" as never,
          instanceTypes: ["a.b", "c.d", "e.f"],
          maxSize: 1,
        }),
    ).toThrow(/kind: must be one of nvidia, neuron/);
    // Its node groups are named <name>-on-demand-<26 characters>: EKS takes 63.
    expect(
      () =>
        new AcceleratorNodeGroup("mlserving-vision-inference-a10g", {
          cluster: undefined as never,
          kind: "nvidia",
          instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
          maxSize: 1,
        }),
    ).toThrow(/name: the component name mlserving-vision-inference-a10g makes node group names too long/);
  });
});

describe("Karpenter", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = cluster();
      new Karpenter("karpenter", {
        cluster: c.handle,
        pools: [
          { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], maxDevices: 8 },
          {
            name: "inferentia",
            kind: "neuron",
            instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
            maxDevices: 12,
            onDemandFallback: false,
          },
        ],
      });
    });
  });

  it("creates an encrypted interruption queue with a TLS-only policy", () => {
    const q = plan.one("aws:sqs/queue:Queue").inputs as any;
    expect(q).toMatchObject({ name: "ml-test-karpenter", sqsManagedSseEnabled: true, messageRetentionSeconds: 300 });
    const policy = json<any>(plan.one("aws:sqs/queuePolicy:QueuePolicy").inputs.policy);
    expect(policy.Statement.find((s: any) => s.Effect === "Deny").Condition).toEqual({
      Bool: { "aws:SecureTransport": false },
    });
  });

  it("routes spot interruptions, rebalances, state changes and health events to the queue", () => {
    const patterns = plan
      .ofType("aws:cloudwatch/eventRule:EventRule")
      .map((r) => JSON.parse(r.inputs.eventPattern as string)["detail-type"][0]);
    expect(patterns).toEqual(
      expect.arrayContaining([
        "EC2 Spot Instance Interruption Warning",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "AWS Health Event",
      ]),
    );
    const queueArn = "arn:aws:sqs:us-west-2:123456789012:ml-test-karpenter";
    const targets = plan.ofType("aws:cloudwatch/eventTarget:EventTarget");
    expect(targets).toHaveLength(patterns.length);
    for (const t of targets) expect(t.inputs.arn).toBe(queueArn);
  });

  it("admits its node role with an EC2_LINUX access entry", () => {
    const entry = plan.ofType("aws:eks/accessEntry:AccessEntry").find((e) => e.inputs.type === "EC2_LINUX")!;
    expect(entry.inputs.principalArn).toMatch(/^arn:aws:iam::123456789012:role\/karpenter-node/);
  });

  it("scopes the controller's policies to the cluster, queue and node role", () => {
    const docs = plan.ofType("aws:iam/policy:Policy").map((p) => json<any>(p.inputs.policy));
    const statements = docs.flatMap((d) => d.Statement);
    expect(statements.find((s: any) => s.Action === "iam:PassRole").Resource).toMatch(/:role\/karpenter-node/);
    expect(statements.find((s: any) => s.Sid === "AllowInterruptionQueueActions").Resource).toBe(
      "arn:aws:sqs:us-west-2:123456789012:ml-test-karpenter",
    );
    const assoc = plan
      .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
      .find((a) => a.inputs.serviceAccount === "karpenter")!;
    expect(assoc.inputs.namespace).toBe("kube-system");
    expect(
      plan
        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.name.startsWith("karpenter-controller")),
    ).toHaveLength(6);
  });

  it("installs the pinned chart from its OCI registry with the queue configured", () => {
    // The other release is karpenter-crd (its CRDs; test/unit/chart-crds.test.ts).
    const releases = plan.ofType("kubernetes:helm.sh/v3:Release").filter((r) => !r.name.endsWith("-crd"));
    expect(releases).toHaveLength(1);
    const release = releases[0];
    expect(release.inputs.chart).toBe("oci://public.ecr.aws/karpenter/karpenter");
    expect(release.inputs.version).toBe(CHARTS.karpenter.version);
    expect((release.inputs.values as any).settings).toEqual({
      clusterName: "ml-test",
      interruptionQueue: "ml-test-karpenter",
    });
  });

  it("creates tainted, capped NodePools on node classes that use the Karpenter node role", () => {
    const pools = Object.fromEntries(
      plan
        .ofType("kubernetes:karpenter.sh/v1:NodePool")
        .map((p) => [(p.inputs.metadata as any).name, p.inputs.spec as any]),
    );
    expect(pools.gpu.limits).toEqual({ "nvidia.com/gpu": "8" });
    expect(pools.inferentia.limits).toEqual({ "aws.amazon.com/neuron": "12" });
    expect(pools.inferentia.template.spec.taints[0].key).toBe("aws.amazon.com/neuron");
    const nodeClass = plan
      .ofType("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
      .find((n) => (n.inputs.metadata as any).name === "gpu")!;
    expect((nodeClass.inputs.spec as any).role).toMatch(/^karpenter-node/);
    expect(
      plan.dependsOn(
        plan.ofType("kubernetes:karpenter.sh/v1:NodePool")[0],
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
      ),
    ).toBe(true);
  });

  it("tags the cluster security group for node class discovery", () => {
    expect(plan.one("aws:ec2/tag:Tag").inputs).toMatchObject({
      key: "karpenter.sh/discovery",
      value: "ml-test",
      resourceId: expect.stringMatching(/^sg-/),
    });
  });
});

describe("GPU time-slicing: both autoscalers see the shares the device plugins advertise", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = cluster();
      new AcceleratorNodeGroup("ts", {
        cluster: c.handle,
        kind: "nvidia",
        instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
        maxSize: 2,
        gpuTimeSlicingReplicas: 4,
      });
      new Karpenter("karpenter", {
        cluster: c.handle,
        gpuTimeSlicingReplicas: 4,
        pools: [
          { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge", "g5.xlarge", "g6.12xlarge"], maxDevices: 8 },
          {
            name: "cached",
            kind: "nvidia",
            instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
            maxDevices: 2,
            imageCacheSnapshotId: "snap-0123456789abcdef0",
          },
          {
            name: "inf",
            kind: "neuron",
            instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
            maxDevices: 6,
          },
        ],
      });
    });
  });

  it("tells Cluster Autoscaler's scale-from-zero template the shares of the group's GPUs", () => {
    const tag = plan
      .ofType("aws:autoscaling/tag:Tag")
      .map((t) => t.inputs.tag as any)
      .find((t) => t.key === "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu");
    expect(tag.value).toBe("4");
  });

  it("gives Karpenter a NodeOverlay per GPU count of each NVIDIA pool, behind the NodeOverlay gate it turns on", () => {
    const overlays = plan
      .ofType("kubernetes:karpenter.sh/v1alpha1:NodeOverlay")
      .map((o) => o.inputs as any)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(overlays.map((o) => [o.metadata.name, o.spec.capacity])).toEqual([
      ["cached-time-slicing-1gpu", { "nvidia.com/gpu": "4" }],
      ["gpu-time-slicing-1gpu", { "nvidia.com/gpu": "4" }],
      ["gpu-time-slicing-4gpu", { "nvidia.com/gpu": "16" }],
    ]);
    expect(overlays[2].spec.requirements).toEqual([
      { key: "karpenter.sh/nodepool", operator: "In", values: ["gpu"] },
      { key: "node.kubernetes.io/instance-type", operator: "In", values: ["g6.12xlarge"] },
    ]);
    for (const o of overlays) validateAgainstUpstreamSchema(o);
    const release = plan
      .ofType("kubernetes:helm.sh/v3:Release")
      .find((r) => r.inputs.chart === "oci://public.ecr.aws/karpenter/karpenter")!;
    expect((release.inputs.values as any).settings.featureGates).toEqual({ nodeOverlay: true });
  });

  it("counts NVIDIA NodePool limits in shares (maxDevices stays physical GPUs), Neuron limits unchanged", () => {
    const limits = Object.fromEntries(
      plan
        .ofType("kubernetes:karpenter.sh/v1:NodePool")
        .map((p) => [(p.inputs.metadata as any).name, (p.inputs.spec as any).limits]),
    );
    expect(limits).toEqual({
      gpu: { "nvidia.com/gpu": "32" },
      cached: { "nvidia.com/gpu": "8" },
      inf: { "aws.amazon.com/neuron": "6" },
    });
  });

  it("tells Bottlerocket's own device plugin to share, in the user data Karpenter merges", () => {
    const classes = Object.fromEntries(
      plan
        .ofType("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
        .map((n) => [(n.inputs.metadata as any).name, n.inputs as any]),
    );
    expect(classes.cached.spec.userData).toContain('device-sharing-strategy = "time-slicing"');
    expect(classes.cached.spec.userData).toContain("replicas = 4");
    expect(classes.gpu.spec.userData).toBeUndefined(); // AL2023: the kit's device plugin shares
    for (const c of Object.values(classes)) validateAgainstUpstreamSchema(c as Record<string, unknown>);
  });

  it("refuses time-slicing on a Bottlerocket node group, whose device plugin it does not configure", async () => {
    await expect(() =>
      runComponent(() => {
        new AcceleratorNodeGroup("br", {
          cluster: cluster().handle,
          kind: "nvidia",
          instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
          maxSize: 1,
          os: "bottlerocket",
          gpuTimeSlicingReplicas: 2,
        });
      }),
    ).rejects.toThrow(/gpuTimeSlicingReplicas: applies to nvidia node groups on al2023 only/);
  });
});

describe("Karpenter capacity reservations: an ODCR by id, ODCRs by tags and a Capacity Block", () => {
  let plan: Plan;
  const pools = () => [
    {
      name: "gpu",
      kind: "nvidia" as const,
      instanceTypes: ["g6.xlarge", "g6.2xlarge", "g5.xlarge"],
      maxDevices: 8,
      reservations: [
        { id: "cr-0123456789abcdef0", type: "odcr" as const, instanceType: "g6.2xlarge", instances: 2 },
        { tags: { "mlserving/pool": "gpu" }, type: "odcr" as const, instanceType: "g6.xlarge", instances: 1 },
      ],
    },
    {
      name: "block",
      kind: "nvidia" as const,
      instanceTypes: ["p5.48xlarge"],
      spot: false,
      maxDevices: 8,
      reservations: [
        {
          id: "cr-0fedcba9876543210",
          type: "capacity-block" as const,
          instanceType: "p5.48xlarge",
          instances: 1,
          endsAt: "2026-12-31T11:30:00Z",
        },
      ],
    },
    {
      name: "inf",
      kind: "neuron" as const,
      instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
      maxDevices: 6,
    },
  ];
  beforeAll(async () => {
    plan = await runComponent(() => {
      new Karpenter("karpenter", { cluster: cluster().handle, pools: pools() });
    });
  });

  it("selects the reservations in the node class and prefers the reserved capacity type in the NodePool", () => {
    const classes = Object.fromEntries(
      plan
        .ofType("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
        .map((n) => [(n.inputs.metadata as any).name, n.inputs as any]),
    );
    expect(classes.gpu.spec.capacityReservationSelectorTerms).toEqual([
      { id: "cr-0123456789abcdef0" },
      { tags: { "mlserving/pool": "gpu" } },
    ]);
    expect(classes.block.spec.capacityReservationSelectorTerms).toEqual([{ id: "cr-0fedcba9876543210" }]);
    expect(classes.inf.spec.capacityReservationSelectorTerms).toBeUndefined();
    for (const c of Object.values(classes)) validateAgainstUpstreamSchema(c as Record<string, unknown>);
    const nodePools = Object.fromEntries(
      plan.ofType("kubernetes:karpenter.sh/v1:NodePool").map((p) => [(p.inputs.metadata as any).name, p.inputs as any]),
    );
    const capacityTypes = (name: string) =>
      nodePools[name].spec.template.spec.requirements.find((r: any) => r.key === "karpenter.sh/capacity-type").values;
    expect(capacityTypes("gpu")).toEqual(["reserved", "spot", "on-demand"]);
    expect(capacityTypes("block")).toEqual(["reserved", "on-demand"]);
    expect(capacityTypes("inf")).toEqual(["spot", "on-demand"]);
    for (const p of Object.values(nodePools)) validateAgainstUpstreamSchema(p as Record<string, unknown>);
  });

  it("sets the ReservedCapacity gate and lets the controller launch into reservations of its region only", () => {
    const release = plan.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "karpenter")!;
    expect((release.inputs.values as any).settings.featureGates).toEqual({ reservedCapacity: true });
    const lifecycle = json<any>(plan.one("aws:iam/policy:Policy", "node-lifecycle").inputs.policy);
    const access = lifecycle.Statement.find((s: any) => s.Sid === "AllowScopedEC2InstanceAccessActions");
    // A pool selects by tags, so any reservation of the region; ids alone would pin exact ARNs (unit tests).
    expect(access.Resource).toContain("arn:aws:ec2:us-west-2:*:capacity-reservation/*");
  });

  it("refuses reservations that name no reservation, another pool's type, or a block without its end", async () => {
    const bad = pools();
    bad[0].reservations![0] = { id: "reservation-1", type: "odcr", instanceType: "g6e.xlarge", instances: 0 };
    (bad[1].reservations![0] as any).endsAt = undefined;
    await expect(
      runComponent(() => {
        new Karpenter("karpenter", { cluster: cluster().handle, pools: bad });
      }),
    ).rejects.toThrow(
      /pools\[0\]\.reservations\[0\]\.id: must be a capacity reservation id[\s\S]*pools\[0\]\.reservations\[0\]\.instanceType: must be one of the pool's instanceTypes[\s\S]*pools\[0\]\.reservations\[0\]\.instances[\s\S]*pools\[1\]\.reservations\[0\]\.endsAt: a Capacity Block needs its end/,
    );
  });
});

describe("WarmHeadroom: placeholder pods hold nodes warm, preempted by any pod", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      new WarmHeadroom("headroom", {
        cluster: cluster().handle,
        pools: [
          {
            name: "gpu",
            kind: "nvidia",
            nodes: 2,
            requests: { cpuMillis: 4000, memoryMiB: 24576, devices: 1 },
            images: ["docker.io/vllm/vllm-openai:v0.16.0", "ghcr.io/mlflow/mlflow:v3.16.1-full"],
          },
          { name: "inferentia", kind: "neuron", nodes: 1, requests: { cpuMillis: 3000, memoryMiB: 12288, devices: 1 } },
          { name: "idle", kind: "nvidia", nodes: 0, requests: { cpuMillis: 100, memoryMiB: 128, devices: 1 } },
        ],
      });
    });
  });

  it("has a negative, never-preempting PriorityClass below every pod", () => {
    const pc = plan.one("kubernetes:scheduling.k8s.io/v1:PriorityClass").inputs as any;
    expect(pc).toMatchObject({ value: HEADROOM_PRIORITY, preemptionPolicy: "Never", globalDefault: false });
    // Below every pod, but not below Cluster Autoscaler's expendable cutoff, under which it would not scale up for them.
    expect(HEADROOM_PRIORITY).toBeLessThan(0);
    expect(HEADROOM_PRIORITY).toBeGreaterThanOrEqual(CA_EXPENDABLE_PODS_PRIORITY_CUTOFF);
    validateAgainstUpstreamSchema({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", ...pc });
  });

  it("runs one hardened placeholder per warm node, each a replica's size, on the pool's tainted nodes", () => {
    const deployments = plan.ofType("kubernetes:apps/v1:Deployment").map((d) => d.inputs as any);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["warm-headroom-gpu", "warm-headroom-inferentia"]);
    const gpu = deployments.find((d) => d.metadata.name === "warm-headroom-gpu")!;
    expect(gpu.spec.replicas).toBe(2);
    const pod = gpu.spec.template.spec;
    expect(pod.priorityClassName).toBe(HEADROOM_PRIORITY_CLASS);
    expect(pod.nodeSelector).toEqual({ "mlserving.io/node-pool": "gpu" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(
      "kubernetes.io/hostname",
    );
    expect(pod.containers[0].resources.requests).toEqual({ cpu: "4000m", memory: "24576Mi", "nvidia.com/gpu": "1" });
    expect(pod.containers[0].image).toBe(`${IMAGES.pause.repository}:${IMAGES.pause.tag}`);
    expect(pod.automountServiceAccountToken).toBe(false);
    // Each model image is pulled once by an init container that only exits, so the warm node holds it.
    expect(pod.initContainers.map((c: any) => [c.image, c.command])).toEqual([
      ["docker.io/vllm/vllm-openai:v0.16.0", ["/bin/true"]],
      ["ghcr.io/mlflow/mlflow:v3.16.1-full", ["/bin/true"]],
    ]);
    for (const c of pod.initContainers) expect(c.securityContext.capabilities).toEqual({ drop: ["ALL"] });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    const inf = deployments.find((d) => d.metadata.name === "warm-headroom-inferentia")!;
    expect(inf.spec.template.spec.containers[0].resources.limits["aws.amazon.com/neuron"]).toBe("1");
    for (const d of deployments) validateAgainstUpstreamSchema({ apiVersion: "apps/v1", kind: "Deployment", ...d });
  });
});

describe("accelerator support", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = cluster();
      new NvidiaGpuSupport("nvidia", { cluster: c.handle, timeSlicingReplicas: 2, monitoring: existingMonitoring() });
      new NeuronSupport("neuron", { cluster: c.handle, monitoring: existingMonitoring() });
    });
  });

  it("installs the device plugin with time-slicing, DCGM exporter and the Neuron chart, all pinned", () => {
    const releases = Object.fromEntries(
      plan.ofType("kubernetes:helm.sh/v3:Release").map((r) => [r.inputs.name, r.inputs as any]),
    );
    expect(releases["nvidia-device-plugin"].version).toBe(CHARTS.nvidiaDevicePlugin.version);
    expect(releases["nvidia-device-plugin"].values.config.default).toBe("default");
    expect(releases["dcgm-exporter"].version).toBe(CHARTS.dcgmExporter.version);
    expect(releases["neuron"].chart).toBe("oci://public.ecr.aws/neuron/neuron-helm-chart");
    // The scheduler extension is off unless asked for (CAPACITY_DEFAULTS.neuronScheduler, as in stack files).
    expect(releases["neuron"].values.scheduler.enabled).toBe(false);
  });

  it("scrapes DCGM exporter through the Service the chart creates: labels, namespace and port name", () => {
    const sm = plan
      .ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
      .find((s) => (s.inputs.metadata as any).name === "dcgm-exporter")!.inputs as any;
    const release = plan.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "dcgm-exporter")!
      .inputs as any;
    // dcgm-exporter 4.8.2 labels its Service app.kubernetes.io/name=<chart>, instance=<release>; port "metrics".
    expect(sm.spec.selector.matchLabels).toEqual({
      "app.kubernetes.io/name": "dcgm-exporter",
      "app.kubernetes.io/instance": release.name,
    });
    expect(sm.metadata.namespace).toBe(release.namespace);
    expect(sm.spec.namespaceSelector.matchNames).toEqual([release.namespace]);
    expect(sm.spec.endpoints[0].port).toBe("metrics");
  });

  it("keeps DCGM's own pod attribution and drops the exporter's, so an unallocated GPU carries no pod", () => {
    const sm = plan
      .ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
      .find((s) => (s.inputs.metadata as any).name === "dcgm-exporter")!.inputs as any;
    expect(sm.spec.endpoints[0].honorLabels).toBe(true);
    expect(sm.spec.endpoints[0].relabelings).toEqual([{ action: "labeldrop", regex: "pod|namespace|container" }]);
  });

  it("scrapes neuron-monitor through its Service: labels, namespace and port name", () => {
    const sm = plan
      .ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
      .find((s) => (s.inputs.metadata as any).name === "neuron-monitor")!.inputs as any;
    const svc = plan.one("kubernetes:core/v1:Service", "neuron-monitor").inputs as any;
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.metadata.namespace).toBe(svc.metadata.namespace);
    expect(svc.spec.ports.map((p: any) => p.name)).toContain(sm.spec.endpoints[0].port);
  });
});

describe("Karpenter pools with fast image pull (issue 28)", () => {
  it("puts nodeadm's FastImagePull gate in the pool's EC2NodeClass, and refuses it below 600 MiB/s", async () => {
    const plan = await runComponent(() => {
      new Karpenter("karpenter", {
        cluster: cluster().handle,
        pools: [
          {
            name: "gpu",
            kind: "nvidia",
            instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
            maxDevices: 4,
            volumeThroughputMiBps: 600,
            fastImagePull: true,
          },
          {
            name: "inf",
            kind: "neuron",
            instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
            maxDevices: 6,
          },
        ],
      });
    });
    const classes = Object.fromEntries(
      plan
        .ofType("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
        .map((r) => [(r.inputs as any).metadata.name, (r.inputs as any).spec]),
    );
    expect(parse(classes.gpu.userData)).toEqual({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: { featureGates: { FastImagePull: true } },
    });
    expect(classes.inf).not.toHaveProperty("userData");
    await expect(
      runComponent(() => {
        new Karpenter("karpenter", {
          cluster: cluster().handle,
          pools: [
            {
              name: "gpu",
              kind: "nvidia",
              instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
              maxDevices: 4,
              fastImagePull: true,
            },
          ],
        });
      }),
    ).rejects.toThrow(/pools\[0\]\.fastImagePull: needs volumeThroughputMiBps of at least 600/);
  });
});
