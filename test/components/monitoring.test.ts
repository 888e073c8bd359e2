import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  alertmanagerConfig,
  DASHBOARDS,
  MonitoringStack,
  prometheusStackValues,
  replicaStartRuleGroup,
} from "../../components/monitoring";
import { MONITORING_DEFAULTS } from "../../components/monitoring/rules";
import { CHARTS } from "../../components/versions";
import { Plan, runComponent, testCluster } from "../harness";

describe("kube-prometheus-stack values", () => {
  const values = prometheusStackValues(
    { retention: "30d", storageGiB: 200, replicas: 2, grafanaStorageGiB: 20, alertmanagerStorageGiB: 10 },
    "gp3-encrypted",
    ["slack", "pagerduty"],
    "#alerts",
  );

  it("lets Prometheus pick up the kit's monitors and rules in every namespace", () => {
    const spec = values.prometheus.prometheusSpec;
    for (const k of [
      "serviceMonitorSelectorNilUsesHelmValues",
      "podMonitorSelectorNilUsesHelmValues",
      "ruleSelectorNilUsesHelmValues",
    ] as const)
      expect(spec[k]).toBe(false);
  });

  it("keeps samples on encrypted gp3 volumes with retention per environment", () => {
    const spec = values.prometheus.prometheusSpec;
    expect(spec.retention).toBe("30d");
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "gp3-encrypted",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "200Gi" } },
    });
    expect(values.grafana.persistence).toMatchObject({
      enabled: true,
      storageClassName: "gp3-encrypted",
      size: "20Gi",
    });
  });

  it("takes Grafana's admin from a Secret, turns anonymous access off and provisions dashboards from labelled ConfigMaps", () => {
    expect(values.grafana.admin.existingSecret).toBe("grafana-admin");
    expect(values.grafana["grafana.ini"]["auth.anonymous"].enabled).toBe(false);
    expect(values.grafana.sidecar.dashboards).toMatchObject({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      searchNamespace: "ALL",
    });
  });

  it("reads receivers' URLs from the mounted Secret, never from the values", () => {
    const text = JSON.stringify(values.alertmanager);
    expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(["alertmanager-receivers"]);
    expect(text).toContain("/etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url");
    expect(text).toContain("routing_key_file");
    expect(text).not.toMatch(/hooks\.slack\.com|api_url"/);
  });

  it("routes critical alerts to PagerDuty and everything but Watchdog to Slack", () => {
    const cfg = alertmanagerConfig({ kinds: ["slack", "pagerduty"] });
    expect(cfg.route.receiver).toBe("notify");
    // The paged alert continues to the catch-all Slack route (amtool proves it: test/alerting/).
    expect(cfg.route.routes).toEqual([
      { receiver: "null", matchers: ['alertname = "Watchdog"'] },
      { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
      // One incident per model and track; pages about no model keep the root's grouping.
      {
        receiver: "page",
        matchers: ['severity = "critical"', 'mlserving_model =~ ".+"'],
        group_by: ["namespace", "mlserving_model", "mlserving_track"],
        continue: true,
      },
      { receiver: "page", matchers: ['severity = "critical"', 'mlserving_model = ""'], continue: true },
      { receiver: "notify" },
    ]);
    expect(alertmanagerConfig({ kinds: [] }).route.receiver).toBe("null");
  });

  // The chart's rule templates for these components are gated on `<component>.enabled`
  // (kube-prometheus-stack 88.5.3 templates/prometheus/rules-1.14): on EKS their targets do not
  // exist, and KubeControllerManagerDown / KubeSchedulerDown (critical, absent()) paged forever.
  it.each([
    ["kubeControllerManager", "KubeControllerManagerDown"],
    ["kubeScheduler", "KubeSchedulerDown"],
    ["kubeEtcd", "etcdMembersDown"],
    ["kubeProxy", "KubeProxyDown"],
  ])("turns off %s, which EKS does not expose (no %s)", (component) => {
    const values = prometheusStackValues(MONITORING_DEFAULTS, "gp3-encrypted") as Record<string, unknown>;
    expect(values[component]).toEqual({ enabled: false });
  });

  it("sends Watchdog to the heartbeat receiver, read from the mounted Secret, when one is configured", () => {
    const cfg = alertmanagerConfig({ kinds: ["slack", "heartbeat"] });
    expect(cfg.route.routes[0]).toEqual({
      receiver: "heartbeat",
      matchers: ['alertname = "Watchdog"'],
      group_by: ["alertname"],
      group_wait: "0s",
      group_interval: "1m",
      repeat_interval: "5m",
    });
    expect(cfg.receivers).toContainEqual({
      name: "heartbeat",
      webhook_configs: [
        { url_file: "/etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url", send_resolved: false },
      ],
    });
  });
});

describe("MonitoringStack", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = testCluster({ tags: { environment: "prod", team: "ml" } });
      return new MonitoringStack("monitoring", {
        cluster: c.handle,
        protect: true,
        receivers: {
          pagerdutyRoutingKey: pulumi.secret("R0UTINGKEY"),
          slackChannel: "#a",
          heartbeatUrl: pulumi.secret("https://hc-ping.example/HEARTBEAT-UUID"),
        },
      });
    });
  });

  it("installs the pinned chart, protected in prod", () => {
    const release = plan.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "monitoring")!;
    // Its CRDs' release: deleting it would delete the Prometheus and Alertmanager objects too.
    const crds = plan.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "monitoring-crd")!;
    expect(crds.inputs).toMatchObject({ chart: "prometheus-operator-crds", namespace: "monitoring" });
    expect(crds.protect).toBe(true);
    expect(release.inputs).toMatchObject({
      chart: "kube-prometheus-stack",
      version: CHARTS.kubePrometheusStack.version,
      namespace: "monitoring",
    });
    expect(release.protect).toBe(true);
  });

  it("keeps the Grafana password and receiver keys as secrets", () => {
    const secrets = plan.ofType("kubernetes:core/v1:Secret");
    expect(secrets.map((s) => (s.inputs.metadata as any).name).sort()).toEqual([
      "alertmanager-receivers",
      "grafana-admin",
    ]);
    for (const s of secrets) expect(s.inputs.stringData).toBe("[secret]");
    expect(JSON.stringify(plan.resources)).not.toContain("R0UTINGKEY");
    expect(JSON.stringify(plan.resources)).not.toContain("HEARTBEAT-UUID");
  });

  it("provisions every dashboard and the alert rules", () => {
    const maps = plan.ofType("kubernetes:core/v1:ConfigMap");
    expect(maps).toHaveLength(DASHBOARDS.length);
    for (const m of maps) expect((m.inputs.metadata as any).labels.grafana_dashboard).toBe("1");
    const rule = plan.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs as any;
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        "TritonLatencyBudgetBurn",
        "GpuMemoryNearFull",
        "SpotInterruptionsHigh",
        "ScrapeTargetDown",
        "LlmTimeToFirstTokenBudgetBurn",
        "LlmInterTokenLatencyBudgetBurn",
        "LlmErrorRateHigh",
        "ModelDown",
      ]),
    );
    // Group names are the CRD's list-map key (x-kubernetes-list-map-keys: name): no two alike.
    const groupNames = rule.spec.groups.map((g: any) => g.name);
    expect(new Set(groupNames).size).toBe(groupNames.length);
    // The replica-start recording rules ride in the same PrometheusRule, as built.
    expect(rule.spec.groups.find((g: any) => g.name === "mlserving-replica-start")).toEqual(replicaStartRuleGroup());
  });
});
