import { LABELS } from "../common/accelerators";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { MODEL_LABEL, MODEL_POD_LABEL, TRACK_LABEL, TRACK_POD_LABEL } from "../common/names";

export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** Label and annotation the Grafana sidecar reads dashboards (and their folder) from. */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";

export interface PrometheusStackSizing {
  /** How long Prometheus keeps samples, e.g. `15d`. */
  retention: string;
  /** Persistent volume per Prometheus replica, GiB. */
  storageGiB: number;
  replicas: number;
  /** Grafana's persistent volume, GiB. */
  grafanaStorageGiB: number;
  /** Alertmanager's persistent volume, GiB. */
  alertmanagerStorageGiB: number;
}

/** Secret (in the monitoring namespace) holding the receivers' URLs and keys; Alertmanager mounts it. */
export const ALERT_RECEIVERS_SECRET = "alertmanager-receivers";
export const ALERT_RECEIVER_KEYS = {
  slack: "slack-webhook-url",
  pagerduty: "pagerduty-routing-key",
  webhook: "webhook-url",
  heartbeat: "heartbeat-url",
} as const;
export type AlertReceiverKind = keyof typeof ALERT_RECEIVER_KEYS;

const secretFile = (kind: AlertReceiverKind) =>
  `/etc/alertmanager/secrets/${ALERT_RECEIVERS_SECRET}/${ALERT_RECEIVER_KEYS[kind]}`;

/**
 * Labels an inhibiting alert must share with the alert it silences: the same alert about the
 * same namespace, model and track (a Triton model name too). Without the model labels, one
 * model's page would hide every other model's ticket of the same name in the namespace, which is
 * what the chart's default rules (equal: namespace, alertname) do.
 */
export const INHIBIT_EQUAL = ["namespace", "alertname", MODEL_LABEL, TRACK_LABEL, "model"] as const;

/**
 * How the heartbeat reaches its dead man's switch: Watchdog (the chart's always-firing alert,
 * kube-prometheus-stack `general.rules`) is sent at once and then every `repeat_interval`, so the
 * switch (a healthchecks.io-style ping URL, Dead Man's Snitch, PagerDuty's heartbeat webhook)
 * should expect a ping every 5 minutes and alert after about 15 without one. Nothing pings when
 * Prometheus, Alertmanager or the path between them is down.
 */
export const HEARTBEAT_ROUTE = { group_wait: "0s", group_interval: "1m", repeat_interval: "5m" } as const;

/**
 * How pages are grouped: one group, so one PagerDuty incident (Alertmanager sends a group's alerts
 * under one dedup key), per model and track. Every page about one model's fault (ModelDown,
 * LlmErrorRateHigh, a burn rate) joins that model's incident, and a second model failing opens its
 * own. Pages about no model keep the root grouping, by alert name and namespace.
 */
export const MODEL_PAGE_GROUP_BY = ["namespace", MODEL_LABEL, TRACK_LABEL] as const;

/**
 * Alertmanager routing (v0.34 configuration; the tests run it through amtool 0.25): Watchdog goes
 * to the heartbeat receiver when one is configured, and nowhere otherwise, as InfoInhibitor;
 * critical alerts page PagerDuty when it is configured (one incident per model and track,
 * {@link MODEL_PAGE_GROUP_BY}) and then go on, like every other alert, to Slack and the webhook
 * when they are configured. URLs and keys are read from files of the mounted Secret
 * (`api_url_file`, `routing_key_file`, `url_file`), so no secret is in the Helm values. The inhibit
 * rules replace the chart's (Helm replaces lists): a critical alert silences warnings and infos of
 * the same alert on the same model only.
 */
export function alertmanagerConfig(receivers: { kinds: AlertReceiverKind[]; slackChannel?: string }) {
  const has = (k: AlertReceiverKind) => receivers.kinds.includes(k);
  const notifies = has("slack") || has("webhook");
  const notify = {
    name: "notify",
    ...(has("slack")
      ? {
          slack_configs: [
            {
              api_url_file: secretFile("slack"),
              send_resolved: true,
              ...(receivers.slackChannel ? { channel: receivers.slackChannel } : {}),
              title: "{{ .CommonLabels.alertname }} ({{ .Status }})",
              text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.runbook }}\n{{ end }}",
            },
          ],
        }
      : {}),
    ...(has("webhook") ? { webhook_configs: [{ url_file: secretFile("webhook"), send_resolved: true }] } : {}),
  };
  const page = {
    name: "page",
    pagerduty_configs: [{ routing_key_file: secretFile("pagerduty"), send_resolved: true }],
  };
  const heartbeat = {
    name: "heartbeat",
    webhook_configs: [{ url_file: secretFile("heartbeat"), send_resolved: false }],
  };
  const routes: Record<string, unknown>[] = [
    has("heartbeat")
      ? { receiver: "heartbeat", matchers: ['alertname = "Watchdog"'], group_by: ["alertname"], ...HEARTBEAT_ROUTE }
      : { receiver: "null", matchers: ['alertname = "Watchdog"'] },
    { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
  ];
  // `continue: true` lets a paged alert match the next sibling; the catch-all below is that sibling.
  // (The root's own receiver is used only when no child route matches, so it cannot be relied on.)
  // Alertmanager's `label = ""` matches an alert without the label: the two page routes never both match.
  if (has("pagerduty"))
    routes.push(
      {
        receiver: "page",
        matchers: ['severity = "critical"', `${MODEL_LABEL} =~ ".+"`],
        group_by: [...MODEL_PAGE_GROUP_BY],
        continue: true,
      },
      { receiver: "page", matchers: ['severity = "critical"', `${MODEL_LABEL} = ""`], continue: true },
    );
  if (notifies) routes.push({ receiver: "notify" });
  return {
    global: { resolve_timeout: "5m" },
    route: {
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      receiver: notifies ? "notify" : "null",
      routes,
    },
    inhibit_rules: [
      {
        source_matchers: ['severity = "critical"'],
        target_matchers: ['severity =~ "warning|info"'],
        equal: [...INHIBIT_EQUAL],
      },
      { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: [...INHIBIT_EQUAL] },
      {
        source_matchers: ['alertname = "InfoInhibitor"'],
        target_matchers: ['severity = "info"'],
        equal: ["namespace"],
      },
    ],
    receivers: [
      { name: "null" },
      ...(notifies ? [notify] : []),
      ...(has("pagerduty") ? [page] : []),
      ...(has("heartbeat") ? [heartbeat] : []),
    ],
  };
}

/**
 * What happens to Prometheus's and Alertmanager's claims when the operator's StatefulSets go
 * (`helm uninstall` deletes the Prometheus and Alertmanager objects, whose StatefulSets they own):
 * `Delete` removes the claims with them, so their volumes go while the EBS CSI driver still runs;
 * `Retain` (Kubernetes' default) keeps them. Claims of replicas scaled away are always kept.
 * The field is `persistentVolumeClaimRetentionPolicy` of prometheusSpec and alertmanagerSpec in chart
 * kube-prometheus-stack 88.5.3 (values.yaml; templates/prometheus/prometheus.yaml and
 * templates/alertmanager/alertmanager.yaml pass it on), a StatefulSet field in the operator's CRDs
 * (charts/crds/crds/crd-prometheuses.yaml: whenDeleted, whenScaled; "The default behavior is all
 * PVCs are retained"); StatefulSetAutoDeletePVC is GA since Kubernetes 1.32.
 */
export function claimRetentionPolicy(keepVolumes: boolean) {
  return { whenDeleted: keepVolumes ? "Retain" : "Delete", whenScaled: "Retain" };
}

/** Alertmanager replicas: the chart's default (kube-prometheus-stack 88.5.3 values.yaml alertmanagerSpec.replicas: 1). */
export const ALERTMANAGER_REPLICAS = 1;

/** The monitoring volumes of a sizing: Prometheus's per replica, Alertmanager's, Grafana's; total GiB. */
export function monitoringVolumes(sizing: PrometheusStackSizing) {
  const volumes = [
    { name: "Prometheus", count: sizing.replicas, gib: sizing.storageGiB },
    { name: "Alertmanager", count: ALERTMANAGER_REPLICAS, gib: sizing.alertmanagerStorageGiB },
    { name: "Grafana", count: 1, gib: sizing.grafanaStorageGiB },
  ];
  return { volumes, totalGiB: volumes.reduce((t, v) => t + v.count * v.gib, 0) };
}

/** kube-prometheus-stack components with no scrape target on EKS, turned off (rules, monitors and dashboards). */
export const EKS_ABSENT_COMPONENTS = {
  kubeControllerManager: { enabled: false },
  kubeScheduler: { enabled: false },
  kubeEtcd: { enabled: false },
  kubeProxy: { enabled: false },
} as const;

const volumeClaim = (storageClassName: string, gib: number) => ({
  volumeClaimTemplate: {
    spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } },
  },
});

/**
 * Values for chart kube-prometheus-stack 88.5.3 (keys checked in its values.yaml). Prometheus
 * selects ServiceMonitors, PodMonitors, Probes and PrometheusRules in every namespace without a
 * release label; samples and Grafana live on encrypted gp3 volumes; Grafana's admin comes from a
 * Secret, anonymous access is off, dashboards come from labelled ConfigMaps in any namespace.
 * kube-state-metrics exports the node labels capacity dashboards group by.
 */
export function prometheusStackValues(
  sizing: PrometheusStackSizing,
  storageClassName: string,
  receivers: AlertReceiverKind[] = [],
  slackChannel?: string,
  keepVolumes = false,
) {
  const retentionSizeGiB = Math.floor(sizing.storageGiB * 0.85);
  return {
    // The CRDs are the prometheus-operator-crds release (addons.ts); this subchart's crds/ would never upgrade.
    crds: { enabled: false },
    prometheus: {
      prometheusSpec: {
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        retention: sizing.retention,
        retentionSize: `${retentionSizeGiB}GiB`,
        replicas: sizing.replicas,
        storageSpec: volumeClaim(storageClassName, sizing.storageGiB),
        persistentVolumeClaimRetentionPolicy: claimRetentionPolicy(keepVolumes),
        nodeSelector: { ...SYSTEM_NODE_SELECTOR },
        resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
      },
    },
    alertmanager: {
      config: alertmanagerConfig({ kinds: receivers, slackChannel }),
      alertmanagerSpec: {
        secrets: receivers.length > 0 ? [ALERT_RECEIVERS_SECRET] : [],
        storage: volumeClaim(storageClassName, sizing.alertmanagerStorageGiB),
        persistentVolumeClaimRetentionPolicy: claimRetentionPolicy(keepVolumes),
        nodeSelector: { ...SYSTEM_NODE_SELECTOR },
      },
    },
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
      persistence: { enabled: true, type: "pvc", storageClassName, size: `${sizing.grafanaStorageGiB}Gi` },
      // The ReadWriteOnce volume can be attached to one pod at a time, so roll out by recreating.
      deploymentStrategy: { type: "Recreate" },
      service: { type: "ClusterIP" },
      "grafana.ini": { "auth.anonymous": { enabled: false }, users: { allow_sign_up: false } },
      sidecar: {
        dashboards: {
          enabled: true,
          label: GRAFANA_DASHBOARD_LABEL,
          labelValue: "1",
          searchNamespace: "ALL",
          folderAnnotation: GRAFANA_FOLDER_ANNOTATION,
          provider: { foldersFromFilesStructure: true },
        },
      },
      nodeSelector: { ...SYSTEM_NODE_SELECTOR },
    },
    // EKS runs the control plane and exposes no kube-controller-manager, kube-scheduler or etcd
    // target, and its kube-proxy add-on serves metrics on 127.0.0.1:10249 only
    // (aws/containers-roadmap#657): the chart's KubeControllerManagerDown, KubeSchedulerDown (critical,
    // absent()) and their etcd and kube-proxy kin would fire from day one and never resolve. Each
    // `<component>.enabled: false` removes the component's Service, ServiceMonitor, rules and
    // dashboard (kube-prometheus-stack 88.5.3 templates/prometheus/rules-1.14/
    // kubernetes-system-controller-manager.yaml, kubernetes-system-scheduler.yaml,
    // kube-scheduler.rules.yaml, etcd.yaml, kubernetes-system-kube-proxy.yaml and templates/exporters/).
    ...EKS_ABSENT_COMPONENTS,
    "kube-state-metrics": {
      metricLabelsAllowlist: [
        // kube_pod_labels{label_mlserving_io_model, label_mlserving_io_track}: which model and track a pod serves.
        `pods=[${MODEL_POD_LABEL},${TRACK_POD_LABEL}]`,
        `nodes=[karpenter.sh/nodepool,karpenter.sh/capacity-type,eks.amazonaws.com/capacityType,eks.amazonaws.com/nodegroup,node.kubernetes.io/instance-type,${LABELS.accelerator},${LABELS.nodePool}]`,
      ],
    },
  };
}
