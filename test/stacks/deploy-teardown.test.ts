import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlan, PlanOutcome } from "../../cli/planner";
import { loadStackFile } from "../../cli/stack-file";
import { clusterAutoscalerDiscoveryTags, nodeGroupShapeProblems } from "../../components/capacity";
import { apiAccessProblems, POD_READINESS_GATE_NAMESPACE_LABEL } from "../../components/cluster";
import { SERVING_NAMESPACE } from "../../components/common/names";
import { KIT_NAMESPACE_POD_SECURITY, podSecurityLabels } from "../../components/common/pod-security";
import { MODEL_TEAM_LABEL, modelTeamPodSecurityLabels } from "../../components/platform/teams";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import { crdManifestUrls } from "../../components/common/chart-addon";
import { CHARTS, CRD_MANIFESTS } from "../../components/versions";
import type { RecordedResource } from "../harness";

/**
 * Issue 9: the first `pulumi up` and a later `pulumi destroy` of every shipped stack go
 * through. Each block below is a property of the plan a real deployment relies on.
 */
const stacksDir = join(__dirname, "..", "..", "stacks");
type Planned = Extract<PlanOutcome, { kind: "planned" }>;

const plans: Record<string, Planned> = {};
const ENVS = ["dev", "staging", "prod"] as const;

beforeAll(async () => {
  for (const stack of ENVS) {
    const outcome = await runPlan({ stack, configPath: join(stacksDir, `Pulumi.${stack}.yaml`) });
    if (outcome.kind !== "planned") throw new Error(`${stack} did not plan: ${JSON.stringify(outcome)}`);
    plans[stack] = outcome;
  }
});

const ofType = (stack: string, type: string) => plans[stack].resources.filter((r) => r.type === type);
const one = (stack: string, type: string, nameIncludes = ""): RecordedResource => {
  const found = ofType(stack, type).filter((r) => r.name.includes(nameIncludes));
  expect(
    found.map((r) => r.name),
    `${stack}: one ${type} *${nameIncludes}*`,
  ).toHaveLength(1);
  return found[0];
};

function specOf(stack: string) {
  const { config, secretKeys } = loadStackFile(join(stacksDir, `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  return { raw, region, secretKeys: new Set(secretKeys) };
}

describe.each(ENVS)("stack %s: the deployer reaches the API", (stack) => {
  it("has a network path from the machine running pulumi up, and the cluster opens exactly that path", () => {
    const { raw, region, secretKeys } = specOf(stack);
    const spec = resolvePlatformSpec(raw, region, secretKeys);
    expect(
      apiAccessProblems({
        deployerAccess: spec.cluster.deployerAccess,
        publicAccessCidrs: spec.cluster.publicAccessCidrs,
        privateAccessCidrs: spec.cluster.privateAccessCidrs,
        existingVpc: spec.network.existing !== undefined,
      }),
    ).toEqual([]);
    const vpc = (one(stack, "aws:eks/cluster:Cluster").inputs as any).vpcConfig;
    if (spec.cluster.deployerAccess === "public") {
      expect(vpc.endpointPublicAccess).toBe(true);
      expect(vpc.publicAccessCidrs).toEqual(spec.cluster.publicAccessCidrs);
    }
    expect(vpc.endpointPrivateAccess).toBe(true);
  });

  it("plans offline as shipped, but a real deployment refuses the placeholder, naming the key", () => {
    const { raw, region, secretKeys } = specOf(stack);
    expect(() => resolvePlatformSpec(raw, region, secretKeys, { deploying: true })).toThrow(
      /mlserving:cluster\.publicAccessCidrs\[0\]: 203\.0\.113\.0\/24 is a documentation range/,
    );
  });
});

describe.each(ENVS)("stack %s: destroy can finish", (stack) => {
  it("keeps the cluster's AmazonEKSClusterPolicy until the cluster is gone (EKS needs it to clean up ENIs and its security group)", () => {
    const cluster = one(stack, "aws:eks/cluster:Cluster");
    const attachment = one(
      stack,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "cluster-AmazonEKSClusterPolicy",
    );
    expect(cluster.dependsOn).toContain(attachment.urn);
  });

  it("keeps nothing inside the VPC the stack creates (kept resources there would stop its deletion)", () => {
    const retainedInVpc = plans[stack].resources.filter(
      (r) =>
        r.retainOnDelete &&
        [
          "aws:rds/instance:Instance",
          "aws:rds/subnetGroup:SubnetGroup",
          "aws:ec2/securityGroup:SecurityGroup",
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ].includes(r.type),
    );
    expect(retainedInVpc.map((r) => r.name)).toEqual([]);
  });
});

describe("dev and staging: nothing stops or survives destroy", () => {
  it.each(["dev", "staging"])("%s: the artifact bucket is emptied on destroy and nothing is protected", (stack) => {
    expect((one(stack, "aws:s3/bucket:Bucket").inputs as any).forceDestroy).toBe(true);
    expect(plans[stack].resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.type)).toEqual([]);
    // The models' private zone goes with the records ExternalDNS wrote (each rebuilt from an Ingress).
    expect((one(stack, "aws:route53/zone:Zone").inputs as any).forceDestroy).toBe(true);
  });
});

describe("prod: state is protected and what holds data outlives destroy", () => {
  const TYPES_KEPT_WITH_THE_BUCKET = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
  ];

  it("keeps the artifact bucket with every protection it has (private, encrypted, versioned, TLS-only), and never empties it", () => {
    for (const type of TYPES_KEPT_WITH_THE_BUCKET) {
      const r = one("prod", type, "registry");
      expect([r.protect, r.retainOnDelete], type).toEqual([true, true]);
    }
    expect((one("prod", "aws:s3/bucket:Bucket").inputs as any).forceDestroy).toBe(false);
    const key = one("prod", "aws:kms/key:Key", "registry");
    expect([key.protect, key.retainOnDelete]).toEqual([true, true]);
  });

  it("protects the database, which a deliberate destroy deletes after its final snapshot (encrypted with the kept key)", () => {
    const db = one("prod", "aws:rds/instance:Instance");
    expect(db.protect).toBe(true);
    expect(db.inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false });
    expect((db.inputs as any).kmsKeyId).toMatch(/^arn:aws:kms:/);
  });

  it("protects the cluster (and EKS deletion protection), its secrets key and its audit logs, which outlive the cluster", () => {
    const cluster = one("prod", "aws:eks/cluster:Cluster");
    expect(cluster.protect).toBe(true);
    expect((cluster.inputs as any).deletionProtection).toBe(true);
    const logs = one("prod", "aws:cloudwatch/logGroup:LogGroup", "control-plane");
    expect([logs.protect, logs.retainOnDelete]).toEqual([true, true]);
    expect(one("prod", "aws:kms/key:Key", "eks-secrets").protect).toBe(true);
  });

  it("protects the models' private hosted zone: every caller resolves the models through it", () => {
    expect(one("prod", "aws:route53/zone:Zone").protect).toBe(true);
  });

  it("leaves dev's cluster deletable", () => {
    const cluster = one("dev", "aws:eks/cluster:Cluster");
    expect(cluster.protect).toBe(false);
    expect((cluster.inputs as any).deletionProtection).toBe(false);
  });
});

describe("capacity on a fresh account", () => {
  it.each(["staging", "prod"])(
    "%s (Karpenter): creates no EC2 Spot service-linked role (it fails where the account has one); EC2 Fleet creates it for Karpenter",
    (stack) => {
      expect(ofType(stack, "aws:iam/serviceLinkedRole:ServiceLinkedRole")).toEqual([]);
      const grants = ofType(stack, "aws:iam/policy:Policy")
        .flatMap((p) => JSON.parse(String((p.inputs as any).policy)).Statement)
        .filter((st: any) => [st.Action].flat().includes("iam:CreateServiceLinkedRole"));
      expect(grants.map((g: any) => [g.Resource, g.Condition])).toEqual([
        [
          expect.stringMatching(/:role\/aws-service-role\/spot\.amazonaws\.com\/AWSServiceRoleForEC2Spot$/),
          { StringEquals: { "iam:AWSServiceName": "spot.amazonaws.com" } },
        ],
      ]);
    },
  );

  it.each(["staging", "prod"])(
    "%s (Karpenter): Cluster Autoscaler scales the system node group, found by its discovery tags",
    (stack) => {
      const release = ofType(stack, "kubernetes:helm.sh/v3:Release").find(
        (r) => r.inputs.chart === "cluster-autoscaler",
      );
      expect(release, "a Cluster Autoscaler release").toBeDefined();
      const clusterName = (one(stack, "aws:eks/cluster:Cluster").inputs as any).name as string;
      const discovery = clusterAutoscalerDiscoveryTags(clusterName);
      expect((release!.inputs.values as any).autoDiscovery.tags).toEqual(
        Object.entries(discovery).map(([k, v]) => `${k}=${v}`),
      );
      // Every discovery tag sits on the system node group's own ASG; Karpenter makes no ASGs.
      // The fake cloud names a group's ASG after the group, as EKS does (eks-<group>-<uuid>).
      const systemAsg = `eks-${one(stack, "aws:eks/nodeGroup:NodeGroup", "system").name}-`;
      const tags = ofType(stack, "aws:autoscaling/tag:Tag").map((t) => t.inputs as any);
      for (const [key, value] of Object.entries(discovery)) {
        const onSystem = tags.filter(
          (t) => t.tag.key === key && t.tag.value === value && String(t.autoscalingGroupName).startsWith(systemAsg),
        );
        expect(onSystem, key).toHaveLength(1);
      }
    },
  );

  it("dev (Cluster Autoscaler): every node group holds one instance shape (vCPU, memory, devices)", () => {
    const groups = ofType("dev", "aws:eks/nodeGroup:NodeGroup").filter((g) =>
      /NVIDIA|NEURON/.test(String(g.inputs.amiType)),
    );
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(nodeGroupShapeProblems(g.inputs.instanceTypes as string[]), g.name).toEqual([]);
  });
});

describe.each(ENVS)("stack %s: rollouts keep serving", (stack) => {
  it("labels the serving namespace so the load balancer controller injects its pod readiness gates", () => {
    const ns = ofType(stack, "kubernetes:core/v1:Namespace").find(
      (n) => (n.inputs as any).metadata?.name === SERVING_NAMESPACE,
    );
    expect(ns, "the serving namespace").toBeDefined();
    expect((ns!.inputs as any).metadata.labels).toMatchObject({ "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" });
    expect(POD_READINESS_GATE_NAMESPACE_LABEL).toEqual({ "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" });
    // The label only matters for pods behind IP targets: the model Ingresses use them.
    const ingresses = ofType(stack, "kubernetes:networking.k8s.io/v1:Ingress").filter(
      (i) => (i.inputs as any).metadata?.namespace === SERVING_NAMESPACE,
    );
    for (const i of ingresses)
      expect((i.inputs as any).metadata.annotations["alb.ingress.kubernetes.io/target-type"]).toBe("ip");
  });
});

describe.each(ENVS)("stack %s: Pod Security admission (issue 12)", (stack) => {
  it("labels every namespace the kit creates with its enforce, warn and audit levels, version-pinned", () => {
    const namespaces = ofType(stack, "kubernetes:core/v1:Namespace");
    expect(namespaces.length).toBeGreaterThan(0);
    for (const ns of namespaces) {
      const name = (ns.inputs as any).metadata.name as string;
      // A model team's namespace (mlserving:teams) runs at the serving namespace's level.
      if ((ns.inputs as any).metadata.labels?.[MODEL_TEAM_LABEL] !== undefined) {
        expect((ns.inputs as any).metadata.labels[MODEL_TEAM_LABEL]).toBe(name);
        expect((ns.inputs as any).metadata.labels, name).toMatchObject(modelTeamPodSecurityLabels());
        continue;
      }
      expect(Object.keys(KIT_NAMESPACE_POD_SECURITY), `${name} is in KIT_NAMESPACE_POD_SECURITY`).toContain(name);
      expect((ns.inputs as any).metadata.labels, name).toMatchObject(
        podSecurityLabels(KIT_NAMESPACE_POD_SECURITY[name]),
      );
    }
    const serving = namespaces.find((n) => (n.inputs as any).metadata.name === SERVING_NAMESPACE)!;
    expect((serving.inputs as any).metadata.labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
  });

  it("denies ingress to the monitoring namespace by default, Prometheus's API open to KEDA only", () => {
    const policies = ofType(stack, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((p) => p.inputs as any)
      .filter((p) => p.metadata.namespace === "monitoring");
    expect(policies.find((p) => p.metadata.name === "default-deny-ingress")?.spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
    });
    const clients = policies.find((p) => p.metadata.name === "allow-prometheus-clients")!;
    expect(clients.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "keda" } } },
    ]);
  });
});

describe.each(ENVS)("stack %s: CRDs upgrade with their charts (item 6)", (stack) => {
  const RELEASE = "kubernetes:helm.sh/v3:Release";
  const release = (chart: string) => {
    const found = ofType(stack, RELEASE).filter(
      (r) =>
        String((r.inputs as any).chart)
          .split("/")
          .pop() === chart,
    );
    expect(
      found.map((r) => r.name),
      `${stack}: one ${chart} release`,
    ).toHaveLength(1);
    return found[0];
  };
  /** Every resource `r` waits for, through dependsOn at any depth. */
  const waitsFor = (r: RecordedResource): Set<string> => {
    const seen = new Set<string>();
    const byUrn = new Map(plans[stack].resources.map((x) => [x.urn, x]));
    const visit = (x: RecordedResource) => {
      for (const u of x.dependsOn) {
        if (seen.has(u)) continue;
        seen.add(u);
        const d = byUrn.get(u);
        if (d) visit(d);
      }
    };
    visit(r);
    return seen;
  };
  const helmReleasesYaml = () => plans[stack].files["manifests/helm-releases.yaml"];

  it("kube-prometheus-stack skips its crds/ and its CRD subchart; prometheus-operator-crds (same operator) goes first", () => {
    const crds = release("prometheus-operator-crds");
    const stack_ = release("kube-prometheus-stack");
    expect(crds.inputs).toMatchObject({ version: CHARTS.prometheusOperatorCrds.version, takeOwnership: true });
    expect(CHARTS.prometheusOperatorCrds.appVersion).toBe(CHARTS.kubePrometheusStack.appVersion);
    expect(stack_.inputs).toMatchObject({ skipCrds: true, values: { crds: { enabled: false } } });
    expect(stack_.dependsOn).toContain(crds.urn);
    expect(helmReleasesYaml()).toMatch(/- name: prometheus-operator-crds\n/);
  });

  it("the load balancer controller's CRDs are applied from the commit of its pinned chart, before it, and it skips crds/", () => {
    const lbc = release("aws-load-balancer-controller");
    const crds = one(stack, "kubernetes:yaml/v2:ConfigGroup", "lbc-crds");
    expect((crds.inputs as any).files).toEqual(crdManifestUrls(CRD_MANIFESTS.awsLoadBalancerController));
    expect(CRD_MANIFESTS.awsLoadBalancerController.chartVersion).toBe((lbc.inputs as any).version);
    expect(lbc.inputs).toMatchObject({ skipCrds: true });
    expect(lbc.dependsOn).toContain(crds.urn);
    expect(plans[stack].files["manifests/crd-manifests.yaml"]).toContain(
      CRD_MANIFESTS.awsLoadBalancerController.commit,
    );
    for (const ingress of ofType(stack, "kubernetes:networking.k8s.io/v1:Ingress"))
      expect(waitsFor(ingress), ingress.name).toContain(lbc.urn);
  });

  it("every custom resource waits for the controller that serves it, which waits for its CRDs", () => {
    const controllers: Record<string, string> = {
      "monitoring.coreos.com": "kube-prometheus-stack",
      "serving.kserve.io": "kserve-resources",
      "keda.sh": "keda",
      "karpenter.sh": "karpenter",
      "karpenter.k8s.aws": "karpenter",
    };
    const custom = plans[stack].resources.filter((r) => r.custom && /^kubernetes:[a-z0-9.-]+\.[a-z]+\//.test(r.type));
    const groups = new Set<string>();
    for (const r of custom) {
      const group = r.type.split(":")[1].split("/")[0];
      if (!(group in controllers)) continue;
      groups.add(group);
      expect(waitsFor(r), `${r.type} ${r.name}`).toContain(release(controllers[group]).urn);
    }
    expect(groups.has("monitoring.coreos.com") && groups.has("keda.sh")).toBe(true);
  });
});

describe.each(["staging", "prod"] as const)("stack %s: Karpenter's CRDs (item 6)", (stack) => {
  it("installs karpenter-crd at karpenter's version before the controller, which skips crds/; NodePools wait for both", () => {
    const releases = ofType(stack, "kubernetes:helm.sh/v3:Release");
    const byChart = (c: string) => releases.find((r) => String((r.inputs as any).chart).endsWith(`/${c}`))!;
    const crd = byChart("karpenter-crd");
    const controller = byChart("karpenter");
    expect(crd.inputs).toMatchObject({
      chart: "oci://public.ecr.aws/karpenter/karpenter-crd",
      version: (controller.inputs as any).version,
      namespace: (controller.inputs as any).namespace,
      takeOwnership: true,
    });
    expect((crd.inputs as any).skipCrds).toBeUndefined();
    expect(controller.inputs).toMatchObject({ skipCrds: true });
    expect(controller.dependsOn).toContain(crd.urn);
    const kinds = ["kubernetes:karpenter.sh/v1:NodePool", "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"];
    const pools = plans[stack].resources.filter((r) => kinds.includes(r.type));
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) {
      const direct = p.dependsOn.includes(controller.urn);
      const viaClass = p.dependsOn.some((u) =>
        plans[stack].resources.find((x) => x.urn === u && x.dependsOn.includes(controller.urn)),
      );
      expect(direct || viaClass, p.name).toBe(true);
    }
    expect(plans[stack].files["manifests/helm-releases.yaml"]).toMatch(/- name: karpenter-crd\n/);
  });
});
