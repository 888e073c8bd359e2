import type { ChartAddOn } from "../common/chart-addon";
import { MONITORING_NAMESPACE, PROMETHEUS_STACK_RELEASE } from "../common/names";
import { CHARTS } from "../versions";
import { AlertReceiverKind, PrometheusStackSizing, prometheusStackValues } from "./prometheus-stack-values";

/** kube-prometheus-stack: Prometheus operator and CRDs, Prometheus, Alertmanager, Grafana, exporters. */
export const PROMETHEUS_STACK_ADDON: ChartAddOn<{
  sizing: PrometheusStackSizing;
  storageClassName: string;
  receivers: AlertReceiverKind[];
  slackChannel?: string;
}> = {
  release: PROMETHEUS_STACK_RELEASE,
  chart: CHARTS.kubePrometheusStack,
  namespace: MONITORING_NAMESPACE,
  values: ({ sizing, storageClassName, receivers, slackChannel }) =>
    prometheusStackValues(sizing, storageClassName, receivers, slackChannel),
  wait: { timeoutSeconds: 900 },
};
