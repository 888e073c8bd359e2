// The components composed by hand, as docs/library.md shows: a network, an EKS cluster, the load
// balancer controller, the serving platform and one model. Used alone, outside MlPlatform, they
// are as safe as inside it: tagged, private, and each model namespace default-deny.
import * as pulumi from "@pulumi/pulumi";
import {
  EksCluster,
  existingMonitoring,
  KServeModel,
  LoadBalancerController,
  Network,
  ServingPlatform,
  withModelDefaults,
} from "@mlserving/kit";

const region = new pulumi.Config("aws").require("region");
const tags = { environment: "dev", team: "ml" };

const network = new Network("net", { clusterName: "ml", region, natGateways: "single", tags });
const eks = new EksCluster("eks", {
  clusterName: "ml",
  region,
  vpcId: network.vpcId,
  privateSubnetIds: network.privateSubnetIds,
  tags,
});
const lbc = new LoadBalancerController("lbc", { cluster: eks.handle });
// Prometheus and its operator are someone else's here: models only wait for what exists.
const monitoring = existingMonitoring();
const serving = new ServingPlatform("serving", {
  cluster: eks.handle,
  kserve: true,
  monitoring,
  ingressReady: [lbc.release],
});
new KServeModel("fraud-detector", {
  cluster: eks.handle,
  platform: serving,
  model: withModelDefaults(
    {
      name: "fraud-detector",
      server: "kserve",
      accelerator: "nvidia",
      source: "s3://ml-models/fraud-detector/7",
      resources: { gpus: 1 },
    },
    "prod",
  ),
  environment: "prod",
  ingressDomain: "models.dev.internal",
  ingressGroup: "ml-models",
  monitoring,
});

export const clusterName = eks.handle.name;
