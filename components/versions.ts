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
 */
export const EKS_ADDONS = {
  vpcCni: "v1.22.3-eksbuild.1",
  coredns: "v1.14.3-eksbuild.3",
  kubeProxy: "v1.35.3-eksbuild.13",
  podIdentityAgent: "v1.3.10-eksbuild.1",
  ebsCsiDriver: "v1.66.0-eksbuild.1",
} as const;

/** A Helm chart pinned to one version in one repository. */
export interface ChartPin {
  readonly chart: string;
  readonly repository: string;
  readonly version: string;
}

export const CHARTS = {
  /** aws/eks-charts `stable/aws-load-balancer-controller` 3.5.0 (appVersion v3.5.0). */
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    repository: "https://aws.github.io/eks-charts",
    version: "3.5.0",
  },
} as const satisfies Record<string, ChartPin>;
