/** What a ServiceMonitor needs to scrape one Service. */
export interface ScrapeTarget {
  name: string;
  namespace: string;
  /** Labels of the Service to scrape; the ServiceMonitor selects exactly these. */
  serviceLabels: Record<string, string>;
  /** Name of the Service port that serves metrics. */
  port: string;
  path?: string;
  interval?: string;
  /** Keep the target's own `namespace`/`pod` labels (exporters that report on other pods). */
  honorLabels?: boolean;
  /** Relabelings applied to each target (e.g. copying a pod label onto every series, dropping a target label). */
  relabelings?: { sourceLabels?: string[]; targetLabel?: string; action?: string; regex?: string }[];
  /**
   * HTTPS behind kube-rbac-proxy: Prometheus presents its service account token and accepts the
   * proxy's self-signed certificate.
   */
  kubeRbacProxy?: boolean;
  /** Secret (in the ServiceMonitor's namespace) with the basic-auth credentials the target requires. */
  basicAuthSecret?: { name: string; usernameKey: string; passwordKey: string };
}

/**
 * A monitoring.coreos.com/v1 ServiceMonitor for one Service, in the Service's namespace. The
 * kit's Prometheus selects ServiceMonitors in every namespace, so no release label is needed.
 */
export function serviceMonitor(target: ScrapeTarget) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: target.name, namespace: target.namespace, labels: { "app.kubernetes.io/part-of": "mlserving" } },
    spec: {
      namespaceSelector: { matchNames: [target.namespace] },
      selector: { matchLabels: target.serviceLabels },
      endpoints: [
        {
          port: target.port,
          path: target.path ?? "/metrics",
          interval: target.interval ?? "30s",
          ...(target.honorLabels ? { honorLabels: true } : {}),
          ...(target.relabelings ? { relabelings: target.relabelings } : {}),
          ...(target.kubeRbacProxy
            ? {
                scheme: "https",
                tlsConfig: { insecureSkipVerify: true },
                bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
              }
            : {}),
          ...(target.basicAuthSecret
            ? {
                basicAuth: {
                  username: { name: target.basicAuthSecret.name, key: target.basicAuthSecret.usernameKey },
                  password: { name: target.basicAuthSecret.name, key: target.basicAuthSecret.passwordKey },
                },
              }
            : {}),
        },
      ],
    },
  };
}

/**
 * Relabeling that removes the target's own `pod`, `namespace` and `container` labels, for an
 * exporter that reports on other pods (with `honorLabels`): a series the exporter attributes to
 * no pod then carries no pod label, instead of the exporter's own pod.
 */
export const DROP_TARGET_POD_LABELS = { action: "labeldrop", regex: "pod|namespace|container" } as const;

/** Relabeling that copies a pod label onto every series of the target (Prometheus' pod-label meta label). */
export function copyPodLabel(podLabel: string, targetLabel: string) {
  return {
    sourceLabels: [`__meta_kubernetes_pod_label_${podLabel.replace(/[^a-zA-Z0-9_]/g, "_")}`],
    targetLabel,
    action: "replace",
  };
}

/** A monitoring.coreos.com/v1 PodMonitor for pods with these labels, scraping a named container port. */
export function podMonitor(target: {
  name: string;
  namespace: string;
  podLabels: Record<string, string>;
  port: string;
  path?: string;
  interval?: string;
  relabelings?: ReturnType<typeof copyPodLabel>[];
}) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: target.name, namespace: target.namespace, labels: { "app.kubernetes.io/part-of": "mlserving" } },
    spec: {
      namespaceSelector: { matchNames: [target.namespace] },
      selector: { matchLabels: target.podLabels },
      podMetricsEndpoints: [
        {
          port: target.port,
          path: target.path ?? "/metrics",
          interval: target.interval ?? "15s",
          ...(target.relabelings ? { relabelings: target.relabelings } : {}),
        },
      ],
    },
  };
}
