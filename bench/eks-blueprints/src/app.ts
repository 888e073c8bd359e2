/**
 * The anchor for `npm run bench`: the platform of the kit's prod stack (private EKS cluster, system,
 * GPU and Inferentia node groups, Karpenter, AWS Load Balancer Controller, cert-manager, KEDA, NVIDIA
 * GPU operator, Neuron chart, kube-prometheus-stack, KServe) as an EKS
 * Blueprints CDK app, synthesized offline: `node dist/app.js` does what `cdk synth` does (it builds
 * the app and writes the cloud assembly), with a fixed account and region, so no AWS call is made.
 * Chart versions are the kit's (components/versions.ts) where EKS Blueprints lets them be set.
 */
import * as blueprints from "@aws-quickstart/eks-blueprints";
import { App } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as eks from "aws-cdk-lib/aws-eks";
import { Construct } from "constructs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A chart the Blueprints catalogue has no add-on for, installed like its own add-ons are. */
class ChartAddOn extends blueprints.HelmAddOn {
  constructor(
    props: blueprints.HelmAddOnProps,
    private readonly values: blueprints.Values,
  ) {
    super(props);
  }
  deploy(clusterInfo: blueprints.ClusterInfo): Promise<Construct> {
    return Promise.resolve(this.addHelmChart(clusterInfo, this.values, true));
  }
}

const ACCELERATOR_TAINT = { key: "mlserving.io/accelerator", value: "true", effect: "NoSchedule" as const };

async function main() {
  const keep = process.env.CDK_OUTDIR;
  const outdir = keep ?? mkdtempSync(join(tmpdir(), "eks-blueprints-synth-"));
  const app = new App({ outdir });

  const clusterProvider = blueprints
    .clusterBuilder()
    .version(eks.KubernetesVersion.V1_35)
    .withCommonOptions({ endpointAccess: eks.EndpointAccess.PRIVATE })
    .managedNodeGroup(
      {
        id: "system",
        instanceTypes: [new ec2.InstanceType("m7i.xlarge")],
        minSize: 3,
        maxSize: 6,
        desiredSize: 3,
        amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      },
      {
        id: "gpu",
        instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"].map((t) => new ec2.InstanceType(t)),
        minSize: 0,
        maxSize: 4,
        desiredSize: 0,
        amiType: eks.NodegroupAmiType.AL2023_X86_64_NVIDIA,
        nodeGroupCapacityType: eks.CapacityType.SPOT,
      },
      {
        id: "inferentia",
        instanceTypes: [new ec2.InstanceType("inf2.xlarge")],
        minSize: 0,
        maxSize: 4,
        desiredSize: 0,
        amiType: eks.NodegroupAmiType.AL2023_X86_64_NEURON,
        nodeGroupCapacityType: eks.CapacityType.SPOT,
      },
    )
    .build();

  const addOns: blueprints.ClusterAddOn[] = [
    new blueprints.addons.AwsLoadBalancerControllerAddOn(),
    new blueprints.addons.KarpenterV1AddOn({
      version: "1.14.1",
      interruptionHandling: true,
      nodePoolSpec: {
        requirements: [
          { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
          { key: "node.kubernetes.io/instance-type", operator: "In", values: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"] },
        ],
        taints: [ACCELERATOR_TAINT],
        limits: { cpu: 256, memory: "1024Gi" },
      },
      ec2NodeClassSpec: {
        amiSelectorTerms: [{ alias: "al2023@v20260724" }],
        subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "ml-serving" } }],
        securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "ml-serving" } }],
      },
    }),
    new blueprints.addons.CertManagerAddOn(),
    new blueprints.addons.KedaAddOn(),
    new blueprints.addons.GpuOperatorAddon({ values: { driver: { enabled: false } } }),
    // Blueprints' NeuronDevicePluginAddOn (which its NeuronMonitorAddOn requires) downloads its
    // manifests at synth time; the Neuron chart (device plugin and scheduler) keeps the synth offline.
    new ChartAddOn(
      {
        name: "neuron",
        namespace: "kube-system",
        chart: "neuron-helm-chart",
        release: "neuron",
        repository: "oci://public.ecr.aws/neuron/neuron-helm-chart",
        version: "1.9.0",
      },
      {},
    ),
    new ChartAddOn(
      {
        name: "kube-prometheus-stack",
        namespace: "monitoring",
        chart: "kube-prometheus-stack",
        release: "kube-prometheus-stack",
        repository: "https://prometheus-community.github.io/helm-charts",
        version: "88.5.3",
      },
      { prometheus: { prometheusSpec: { retention: "30d", replicas: 2 } } },
    ),
    new ChartAddOn(
      {
        name: "kserve-crd",
        namespace: "kserve",
        chart: "kserve-crd",
        release: "kserve-crd",
        repository: "oci://ghcr.io/kserve/charts/kserve-crd",
        version: "v0.20.0",
      },
      {},
    ),
    new ChartAddOn(
      {
        name: "kserve",
        namespace: "kserve",
        chart: "kserve-resources",
        release: "kserve",
        repository: "oci://ghcr.io/kserve/charts/kserve-resources",
        version: "v0.20.0",
      },
      { kserve: { controller: { deploymentMode: "Standard" } } },
    ),
  ];

  await blueprints.EksBlueprint.builder()
    .account("111122223333")
    .region("us-east-1")
    .version(eks.KubernetesVersion.V1_35)
    .clusterProvider(clusterProvider)
    .addOns(...addOns)
    .buildAsync(app, "ml-serving");
  const assembly = app.synth();
  const resources = assembly.stacks.reduce(
    (n, s) => n + Object.keys((s.template as { Resources?: object }).Resources ?? {}).length,
    0,
  );
  console.log(`synthesized ${assembly.stacks.length} stack(s), ${resources} resources, to ${assembly.directory}`);
  if (!keep) rmSync(outdir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
