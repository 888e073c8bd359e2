import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MONITORING_NAMESPACE, PROMETHEUS_URL } from "./names";

/**
 * Everything another component needs to know about a cluster, passed as one typed value.
 * Plain strings are known before deployment (they name and tag things); outputs are not.
 */
export interface ClusterHandle {
  /** The EKS cluster's name (set by the kit, so known at plan time). */
  readonly name: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: pulumi.Output<string>;
  /** AWS account id. */
  readonly accountId: pulumi.Output<string>;
  /** Kubernetes minor version of the control plane. */
  readonly kubernetesVersion: string;
  readonly arn: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly certificateAuthority: pulumi.Output<string>;
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Security group EKS attaches to the control plane and managed nodes. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** Role of the system node group; other node groups may reuse it. */
  readonly nodeRole: aws.iam.Role;
  /** Kubernetes provider for this cluster; every Kubernetes object must use it. */
  readonly provider: k8s.Provider;
  /** Resources that must exist before workloads schedule (system nodes, CoreDNS, storage). */
  readonly workloadReady: pulumi.Resource[];
  /** Tags to put on AWS resources attached to this cluster. */
  readonly tags: Record<string, string>;
}

/** What serving needs to pull `models:/` references from the registry. */
export interface RegistryHandle {
  /** In-cluster tracking URI, e.g. http://mlflow.mlflow.svc.cluster.local:5000. */
  readonly trackingUri: string;
  /** A registry user that may read models (Pulumi secrets). */
  readonly credentials: { username: pulumi.Output<string>; password: pulumi.Output<string> };
  /** Namespaces whose pods may reach the registry. */
  readonly clientNamespaces: string[];
  /** Where the registry's server runs, so clients' NetworkPolicies admit exactly its pods. Default: unknown (no egress rule). */
  readonly server?: { namespace: string; podLabels: Readonly<Record<string, string>>; port: number };
  /** The artifact bucket and its KMS key: registry versions are staged there for models that mount their weights. Default: none (no staging). */
  readonly weightsStore?: WeightsStore;
}

/** Where registry versions are staged for models that mount their weights (`mountWeights`): the registry's bucket and key. */
export interface WeightsStore {
  readonly bucket: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
}

/** What components that export metrics need from monitoring: where it is and what to wait for. */
export interface MonitoringHandle {
  /** Namespace of Prometheus, Alertmanager and Grafana. */
  readonly namespace: string;
  /** In-cluster URL of Prometheus (KEDA queries it). */
  readonly prometheusUrl: string;
  /** Resources whose CRDs ServiceMonitors, PodMonitors and PrometheusRules need (the operator's release). */
  readonly ready: pulumi.Resource[];
}

/**
 * The handle of the kit's monitoring as installed by `MonitoringStack`, for components deployed
 * into a platform whose monitoring already exists (nothing to wait for).
 */
export function existingMonitoring(ready: pulumi.Resource[] = []): MonitoringHandle {
  return { namespace: MONITORING_NAMESPACE, prometheusUrl: PROMETHEUS_URL, ready };
}

/**
 * The part of a {@link ClusterHandle} a workload deployed into the cluster needs (a model server):
 * the names that tag and scope its AWS resources and the Kubernetes provider. A `ClusterHandle`
 * is one; so is `PlatformReference.cluster`, built from another stack's outputs.
 */
export type WorkloadClusterHandle = Pick<
  ClusterHandle,
  "name" | "region" | "partition" | "accountId" | "tags" | "provider"
> & {
  /** The cluster's private subnets: a model endpoint's default callers are their CIDRs. */
  readonly privateSubnetIds: pulumi.Input<string[]>;
};
