/**
 * Every version the kit deploys, pinned in one place: the Kubernetes version, EKS add-ons,
 * Helm charts (with their repositories) and container images. Each pin names where it was
 * checked. Changing a version here is the only way to upgrade a component.
 */

/**
 * EKS Kubernetes minor version. 1.35 is in EKS standard support until 2027-03 (AWS
 * "Kubernetes versions on standard support"); 1.34 leaves standard support on 2026-12-02.
 */
export const KUBERNETES_VERSION = "1.35";

/**
 * EKS managed add-on versions for {@link KUBERNETES_VERSION}.
 * - coredns, kube-proxy: the per-version tables of the EKS user guide ("Manage CoreDNS",
 *   "Manage kube-proxy") for 1.35.
 * - vpc-cni: v1.22.3-eksbuild.1, released for EKS in 2026-07 (`describe-addon-versions`).
 * - eks-pod-identity-agent: v1.3.10-eksbuild.1, the default build in all regions (aws/containers-roadmap#2684).
 * - aws-ebs-csi-driver: v1.66.0-eksbuild.1, the EKS default build as of 2026-09.
 * - aws-mountpoint-s3-csi-driver: v2.7.0-eksbuild.1, reported as the newest build on an EKS 1.35
 *   cluster on 2026-08-11 (aws-samples/comfyui-on-eks docs/mirador-security-findings-status.md);
 *   upstream awslabs/mountpoint-s3-csi-driver v2.7.0 tests Kubernetes 1.35 (.github/matrix.yaml).
 *   A v2.8.0-eksbuild.1 exists, but no source ties it to 1.35; check with
 *   `aws eks describe-addon-versions --addon-name aws-mountpoint-s3-csi-driver --kubernetes-version 1.35`.
 */
export const EKS_ADDONS = {
  vpcCni: "v1.22.3-eksbuild.1",
  coredns: "v1.14.3-eksbuild.3",
  kubeProxy: "v1.35.3-eksbuild.13",
  podIdentityAgent: "v1.3.10-eksbuild.1",
  ebsCsiDriver: "v1.66.0-eksbuild.1",
  mountpointS3CsiDriver: "v2.7.0-eksbuild.1",
} as const;

/** A Helm chart pinned to one version in one repository. */
export interface ChartPin {
  readonly chart: string;
  readonly repository: string;
  readonly version: string;
  /**
   * The chart's `appVersion`, recorded where a CRD chart is versioned apart from its controller's
   * chart: both must carry the same one (`chartCrdProblems`).
   */
  readonly appVersion?: string;
}

export const CHARTS = {
  /** aws/eks-charts `stable/aws-load-balancer-controller` 3.5.0 (appVersion v3.5.0). */
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    repository: "https://aws.github.io/eks-charts",
    version: "3.5.0",
  },
  /** kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 (appVersion 1.35.0). */
  clusterAutoscaler: {
    chart: "cluster-autoscaler",
    repository: "https://kubernetes.github.io/autoscaler",
    version: "9.59.0",
  },
  /** aws/karpenter-provider-aws v1.14.1 (supports Kubernetes 1.35 from Karpenter 1.9). Its CRDs come from `karpenterCrd`. */
  karpenter: { chart: "karpenter", repository: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
  /**
   * aws/karpenter-provider-aws v1.14.1 `charts/karpenter-crd`: the same CRDs as the controller
   * chart's `crds/`, as templates Helm upgrades; published at the controller's version (website
   * v1.14 upgrade guide, "CRD Upgrades").
   */
  karpenterCrd: { chart: "karpenter-crd", repository: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
  /** NVIDIA/k8s-device-plugin v0.20.0 `deployments/helm/nvidia-device-plugin`. */
  nvidiaDevicePlugin: {
    chart: "nvidia-device-plugin",
    repository: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.20.0",
  },
  /** NVIDIA/gpu-operator v26.7.0 `deployments/gpu-operator`. */
  gpuOperator: { chart: "gpu-operator", repository: "https://helm.ngc.nvidia.com/nvidia", version: "v26.7.0" },
  /** NVIDIA/dcgm-exporter 4.5.3-4.8.2 `deployment/` (chart 4.8.2). */
  dcgmExporter: {
    chart: "dcgm-exporter",
    repository: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    version: "4.8.2",
  },
  /**
   * prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 (operator v0.93.1,
   * kube-state-metrics 2.20.0, node-exporter 1.12.1, Grafana chart 12.11.1 / Grafana 13.2.0).
   */
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    appVersion: "v0.93.1",
  },
  /**
   * prometheus-community/helm-charts tag prometheus-operator-crds-31.0.1 (appVersion v0.93.1): the
   * operator's CRDs as templates. Their specs are identical to kube-prometheus-stack 88.5.3's
   * `charts/crds/crds/` (both from prometheus-operator v0.93.1 `example/prometheus-operator-crd`).
   */
  prometheusOperatorCrds: {
    chart: "prometheus-operator-crds",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "31.0.1",
    appVersion: "v0.93.1",
  },
  /** cert-manager v1.21.1 (OCI chart per its README at v1.21.1); KServe needs >= 1.15. */
  certManager: { chart: "cert-manager", repository: "oci://quay.io/jetstack/charts", version: "v1.21.1" },
  /** kserve/kserve v0.20.0 `charts/kserve-crd`. */
  kserveCrd: { chart: "kserve-crd", repository: "oci://ghcr.io/kserve/charts", version: "v0.20.0" },
  /** kserve/kserve v0.20.0 `charts/kserve-resources` (controller and webhooks). */
  kserveResources: { chart: "kserve-resources", repository: "oci://ghcr.io/kserve/charts", version: "v0.20.0" },
  /** kedacore/charts v2.20.2 (KEDA 2.20.2, CRDs included). */
  keda: { chart: "keda", repository: "https://kedacore.github.io/charts", version: "2.20.2" },
  /**
   * kubernetes-sigs/external-dns tag external-dns-helm-chart-1.21.1 `charts/external-dns` (appVersion
   * 0.21.0): writes the models' records into the private hosted zone. Image pinned in `IMAGES.externalDns`.
   */
  externalDns: {
    chart: "external-dns",
    repository: "https://kubernetes-sigs.github.io/external-dns",
    version: "1.21.1",
    appVersion: "0.21.0",
  },
  /** aws-neuron/neuron-helm-charts `charts/neuron-helm-chart` 1.9.0 (Neuron SDK 2.31). */
  neuron: { chart: "neuron-helm-chart", repository: "oci://public.ecr.aws/neuron", version: "1.9.0" },
  /**
   * istio/istio 1.30.3 `manifests/charts/base`: Istio's CRDs as templates (`base.enableCRDTemplates`
   * defaults to true). The LLM gateway's implementation: Istio 1.30 passes every Gateway-profile
   * test of the Inference Extension v1.5.0 on Gateway API v1.5.1 standard (gateway-api-inference-extension
   * conformance/reports/v1.5.0/gateway/istio/1.30.1-default-gateway-report.yaml).
   */
  istioBase: { chart: "base", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
  /** istio/istio 1.30.3 `manifests/charts/istio-control/istio-discovery` (istiod; built on gateway-api v1.5.1, go.mod). */
  istiod: { chart: "istiod", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
} as const satisfies Record<string, ChartPin>;

/**
 * CRD manifests a chart publishes only in its `crds/` folder, applied by the kit from one pinned
 * commit (not a branch) so that a chart bump is a reviewed change of both.
 */
export interface CrdManifestsPin {
  /** GitHub `owner/name`. */
  readonly repository: string;
  /** Full 40-hex commit the files are read at. */
  readonly commit: string;
  /** Paths of the manifests inside the repository. */
  readonly paths: readonly string[];
  /** The chart version whose `crds/` these files are; must equal the chart's pin. */
  readonly chartVersion: string;
}

export const CRD_MANIFESTS = {
  /**
   * aws/eks-charts commit 5239609 "aws-load-balancer-controller: v3.5.0 (#1354)", which publishes
   * chart 3.5.0: `crds/crds.yaml` (TargetGroupBinding, IngressClassParams, ALBTargetControlConfig,
   * GlobalAccelerator) and `crds/gateway-crds.yaml` (the Gateway API configuration CRDs), the two
   * files Helm installs from the chart's `crds/` on a first install.
   */
  awsLoadBalancerController: {
    repository: "aws/eks-charts",
    commit: "5239609242f3430be50fb0b714a24d3ef2b47983",
    paths: [
      "stable/aws-load-balancer-controller/crds/crds.yaml",
      "stable/aws-load-balancer-controller/crds/gateway-crds.yaml",
    ],
    chartVersion: "3.5.0",
  },
} as const satisfies Record<string, CrdManifestsPin>;

/** CRDs a project publishes as release manifests, not as a chart: applied from one pinned commit of a release tag. */
export interface CrdReleasePin {
  /** GitHub `owner/name`. */
  readonly repository: string;
  /** The release tag the commit is. */
  readonly tag: string;
  /** Full 40-hex commit of `tag`, the files are read at. */
  readonly commit: string;
  /** Paths of the CRD manifests inside the repository. */
  readonly paths: readonly string[];
}

export const CRD_RELEASES = {
  /**
   * Gateway API v1.5.1, standard channel: the CRDs Istio 1.30 is built against (go.mod
   * sigs.k8s.io/gateway-api v1.5.1) and the version of its Inference Extension conformance report.
   */
  gatewayApi: {
    repository: "kubernetes-sigs/gateway-api",
    tag: "v1.5.1",
    commit: "e7677b70ae75d14a4448fba94870e7deea6cf0ad",
    // Every file of config/crd/standard at the tag: what the release's standard-install.yaml holds,
    // the safe-upgrades ValidatingAdmissionPolicy (it refuses experimental-channel CRDs over these) included.
    paths: [
      "config/crd/standard/gateway.networking.k8s.io_backendtlspolicies.yaml",
      "config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml",
      "config/crd/standard/gateway.networking.k8s.io_gateways.yaml",
      "config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_listenersets.yaml",
      "config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml",
      "config/crd/standard/gateway.networking.k8s.io_tlsroutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_vap_safeupgrades.yaml",
    ],
  },
  /**
   * Gateway API Inference Extension v1.5.0: InferencePool `inference.networking.k8s.io/v1`. v1.6.0
   * (2026-08) moved the endpoint picker to llm-d/llm-d-router and changed the pool CRD by one line;
   * v1.5.0 is the last release shipping the picker and the pool together, the one Istio passed.
   */
  inferenceExtension: {
    repository: "kubernetes-sigs/gateway-api-inference-extension",
    tag: "v1.5.0",
    commit: "df9f8909fe06fe2dfd4a6fc0bd0c01a0acabf849",
    paths: ["config/crd/bases/inference.networking.k8s.io_inferencepools.yaml"],
  },
} as const satisfies Record<string, CrdReleasePin>;

/** A container image pinned to one tag. */
export interface ImagePin {
  readonly repository: string;
  readonly tag: string;
}

export function imageRef(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}`;
}

export const IMAGES = {
  /** NVIDIA Triton Inference Server 2.71.0 (NGC release 26.07; triton-inference-server/server tag v2.71.0). */
  tritonServer: { repository: "nvcr.io/nvidia/tritonserver", tag: "26.07-py3" },
  /**
   * AWS Neuron deep learning container with vLLM 0.16.0 on Neuron SDK 2.31.1, listed for inf2
   * (aws-neuron/deep-learning-containers README at 2.32.0). No Triton build runs on Neuron.
   */
  vllmNeuron: {
    repository: "public.ecr.aws/neuron/pytorch-inference-vllm-neuronx",
    tag: "0.16.0-neuronx-py312-sdk2.31.1-ubuntu24.04",
  },
  /**
   * vLLM 0.16.0 OpenAI-compatible server for NVIDIA GPUs (Docker Hub vllm/vllm-openai, tag of
   * vllm-project/vllm release v0.16.0). The same vLLM release as the Neuron DLC, so both runtimes
   * expose one set of metric names (metrics-catalog.ts).
   */
  vllmOpenai: { repository: "docker.io/vllm/vllm-openai", tag: "v0.16.0" },
  /**
   * MLflow 3.16.1 "-full" image (mlflow/mlflow docker/Dockerfile.full: the db, auth and S3 extras,
   * psycopg2). 3.16.1 is the first release without a default basic-auth admin password (CVE-2026-2635).
   */
  mlflow: { repository: "ghcr.io/mlflow/mlflow", tag: "v3.16.1-full" },
  /** Matches the Kubernetes minor version, as Cluster Autoscaler requires; the chart's default for 9.59.0. */
  clusterAutoscaler: { repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.35.0" },
  /** ExternalDNS v0.21.0: the chart 1.21.1 default (`v<appVersion>`, templates/_helpers.tpl `external-dns.image`). */
  externalDns: { repository: "registry.k8s.io/external-dns/external-dns", tag: "v0.21.0" },
  /** AWS Neuron docs, `src/k8/k8s-neuron-monitor-daemonset.yml` (neuron-monitor with its Prometheus exporter on :8000). */
  neuronMonitor: { repository: "public.ecr.aws/neuron/neuron-monitor", tag: "1.3.0" },
  /**
   * The Inference Extension's endpoint picker v1.5.0 (gateway-api-inference-extension
   * config/charts/inferencepool/values.yaml at v1.5.0); distroless `static:nonroot` (Dockerfile).
   */
  endpointPicker: { repository: "registry.k8s.io/gateway-api-inference-extension/epp", tag: "v1.5.0" },
  /**
   * Istio's images (pilot for istiod, proxyv2 for the gateway pods), as the istiod chart's
   * `global.hub` and `global.tag`: the chart's source at 1.30.3 carries development defaults
   * (`registry.istio.io/testing`, `latest`, manifests/charts/istio-control/istio-discovery/values.yaml)
   * that the release packaging replaces; pinned here, the images are the same whichever way the
   * chart was built (a `helm template` of the source rendered `registry.istio.io/testing/pilot:latest`).
   */
  istio: { repository: "docker.io/istio", tag: "1.30.3" },
  /**
   * The pause image of warm-headroom placeholder pods: the sandbox image kubeadm pins for
   * Kubernetes 1.35 (kubernetes cmd/kubeadm/app/constants/constants.go `PauseVersion = "3.10.1"`),
   * which the EKS AMIs also run, so it is usually on the node already. It runs as 65535, does nothing.
   */
  pause: { repository: "registry.k8s.io/pause", tag: "3.10.1" },
} as const satisfies Record<string, ImagePin>;

/**
 * EKS optimized AL2023 AMI release for Karpenter's `al2023@<version>` alias (awslabs/amazon-eks-ami
 * tag v20260724). The alias picks the standard, NVIDIA or Neuron variant per instance type.
 */
export const EKS_AMI_RELEASE = "v20260724";

/**
 * Bottlerocket release for Karpenter's `bottlerocket@<version>` alias (image-cache pools):
 * v1.61.0 (2026-05-18) ships the aws-k8s-1.35-nvidia variant (added in v1.53.0).
 */
export const BOTTLEROCKET_RELEASE = "v1.61.0";

/** RDS PostgreSQL major version of the registry's database; minor versions follow RDS's automatic upgrades. */
export const POSTGRES_MAJOR_VERSION = "17";
