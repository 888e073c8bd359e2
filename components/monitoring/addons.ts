import type { ChartAddOn } from "../common/chart-addon";
import { MONITORING_NAMESPACE, PROMETHEUS_STACK_RELEASE } from "../common/names";
import { CHARTS } from "../versions";
import { AlertReceiverKind, PrometheusStackSizing, prometheusStackValues } from "./prometheus-stack-values";

/**
 * The Prometheus operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule, ...) as their own
 * release, cut for the operator version kube-prometheus-stack runs.
 */
export const PROMETHEUS_OPERATOR_CRDS_ADDON: ChartAddOn<void> = {
  release: "prometheus-operator-crds",
  chart: CHARTS.prometheusOperatorCrds,
  namespace: MONITORING_NAMESPACE,
  wait: { timeoutSeconds: 300 },
  crds: {
    kind: "templates",
    source: "prometheus-community/helm-charts prometheus-operator-crds-31.0.1 charts/crds/templates",
  },
};

/**
 * kube-prometheus-stack: Prometheus operator, Prometheus, Alertmanager, Grafana, exporters.
 *
 * CRDs: at 88.5.3 the chart keeps them in its `crds` subchart's `crds/` folder, which Helm never
 * upgrades; its README says they "are not updated by default and should be manually updated", and
 * UPGRADE.md gives `kubectl apply --server-side` per CRD or, since 68.4.0, `crds.upgradeJob.enabled`.
 * The kit uses the community's prometheus-operator-crds chart instead of the upgrade job: the job is
 * "in preview, off by default and may change" (values.yaml), pulls `busybox:latest` and a kubectl
 * image chosen from the cluster's version unless both are pinned, and runs a hook Job with rights on
 * every CRD; the CRD chart is an ordinary release the plan shows with its version, like
 * karpenter-crd and kserve-crd. The stack's own CRD subchart is then off (`crds.enabled: false`).
 */
export const PROMETHEUS_STACK_ADDON: ChartAddOn<{
  sizing: PrometheusStackSizing;
  storageClassName: string;
  receivers: AlertReceiverKind[];
  slackChannel?: string;
  keepVolumes?: boolean;
}> = {
  release: PROMETHEUS_STACK_RELEASE,
  chart: CHARTS.kubePrometheusStack,
  namespace: MONITORING_NAMESPACE,
  values: ({ sizing, storageClassName, receivers, slackChannel, keepVolumes }) =>
    prometheusStackValues(sizing, storageClassName, receivers, slackChannel, keepVolumes),
  wait: { timeoutSeconds: 900 },
  crds: {
    kind: "crdChart",
    chart: PROMETHEUS_OPERATOR_CRDS_ADDON,
    source:
      'prometheus-community/helm-charts kube-prometheus-stack-88.5.3 README "Upgrading Chart", UPGRADE.md and values.yaml crds.*',
  },
};
