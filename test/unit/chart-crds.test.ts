import { describe, expect, it } from "vitest";
import * as capacityAddOns from "../../components/capacity/addons";
import * as clusterAddOns from "../../components/cluster/addons";
import { ChartAddOn, chartCrdProblems, crdManifestUrls } from "../../components/common/chart-addon";
import * as monitoringAddOns from "../../components/monitoring/addons";
import * as servingAddOns from "../../components/serving/addons";
import * as gatewayAddOns from "../../components/serving/gateway/addons";
import { istioBaseValues } from "../../components/serving/gateway/gateway-builders";
import { gpuOperatorValues } from "../../components/common/accelerators/device-plugin-values";
import { prometheusStackValues } from "../../components/monitoring/prometheus-stack-values";
import { certManagerValues, kedaValues } from "../../components/serving/kserve-builders";
import { CHARTS, CRD_MANIFESTS } from "../../components/versions";

/**
 * Issue 9, item 6: Helm installs a chart's `crds/` once and never upgrades them. Every chart the
 * kit pins is installed through a descriptor that says how its CRDs are kept current.
 */
const isAddOn = (v: unknown): v is ChartAddOn<unknown> =>
  typeof v === "object" && v !== null && "release" in v && "chart" in v && "wait" in v;
const ADDONS: ChartAddOn<unknown>[] = [
  capacityAddOns,
  clusterAddOns,
  monitoringAddOns,
  servingAddOns,
  gatewayAddOns,
].flatMap((m) => Object.values(m).filter(isAddOn));
const byChart = (pin: (typeof CHARTS)[keyof typeof CHARTS]) => ADDONS.find((a) => a.chart === pin)!;

describe("every pinned chart declares how its CRDs are upgraded", () => {
  it("finds the descriptors (the collector is not vacuous)", () => {
    expect(ADDONS.length).toBeGreaterThanOrEqual(Object.keys(CHARTS).length);
  });

  it("installs every pinned chart through exactly one descriptor", () => {
    for (const [key, pin] of Object.entries(CHARTS)) {
      expect(
        ADDONS.filter((a) => a.chart === pin).map((a) => a.release),
        `CHARTS.${key} has one descriptor`,
      ).toHaveLength(1);
    }
  });

  it.each(ADDONS.map((a) => [a.release, a] as const))("%s: its CRD handling keeps the CRDs current", (_, addOn) => {
    expect(chartCrdProblems(addOn)).toEqual([]);
  });

  it("installs each CRD chart as the CRD strategy of a controller, never on its own", () => {
    const crdCharts = ADDONS.filter((a) => a.chart.chart.endsWith("-crd") || a.chart.chart.endsWith("-crds"));
    expect(crdCharts.map((a) => a.release).sort()).toEqual(["karpenter-crd", "kserve-crd", "prometheus-operator-crds"]);
    for (const crd of crdCharts) {
      const owners = ADDONS.filter((a) => a.crds.kind === "crdChart" && a.crds.chart === crd);
      expect(owners, crd.release).toHaveLength(1);
    }
  });
});

describe("the shipped CRD strategies, as each upstream recommends at the pinned version", () => {
  it("Karpenter: the karpenter-crd chart at the controller's version", () => {
    const karpenter = byChart(CHARTS.karpenter);
    expect(karpenter.crds.kind).toBe("crdChart");
    if (karpenter.crds.kind !== "crdChart") return;
    expect(karpenter.crds.chart.chart).toBe(CHARTS.karpenterCrd);
    expect(CHARTS.karpenterCrd).toMatchObject({
      chart: "karpenter-crd",
      repository: CHARTS.karpenter.repository,
      version: CHARTS.karpenter.version,
    });
    expect(karpenter.crds.chart.namespace).toBe(karpenter.namespace);
    expect(karpenter.crds.chart.values).toBeUndefined();
  });

  it("kube-prometheus-stack: prometheus-operator-crds for the same operator, and the stack's own CRD subchart off", () => {
    const stack = byChart(CHARTS.kubePrometheusStack);
    expect(stack.crds.kind).toBe("crdChart");
    if (stack.crds.kind !== "crdChart") return;
    expect(stack.crds.chart.chart).toBe(CHARTS.prometheusOperatorCrds);
    expect(CHARTS.prometheusOperatorCrds.appVersion).toBe(CHARTS.kubePrometheusStack.appVersion);
    const values = prometheusStackValues(
      { retention: "15d", storageGiB: 50, replicas: 1, grafanaStorageGiB: 10, alertmanagerStorageGiB: 10 },
      "gp3",
    );
    expect(values.crds).toEqual({ enabled: false });
  });

  it("AWS Load Balancer Controller: the chart's crds/ files at the commit that publishes the pinned chart", () => {
    const lbc = byChart(CHARTS.awsLoadBalancerController);
    expect(lbc.crds).toMatchObject({ kind: "manifests", manifests: CRD_MANIFESTS.awsLoadBalancerController });
    expect(CRD_MANIFESTS.awsLoadBalancerController.chartVersion).toBe(CHARTS.awsLoadBalancerController.version);
    expect(crdManifestUrls(CRD_MANIFESTS.awsLoadBalancerController)).toEqual([
      "https://raw.githubusercontent.com/aws/eks-charts/5239609242f3430be50fb0b714a24d3ef2b47983/stable/aws-load-balancer-controller/crds/crds.yaml",
      "https://raw.githubusercontent.com/aws/eks-charts/5239609242f3430be50fb0b714a24d3ef2b47983/stable/aws-load-balancer-controller/crds/gateway-crds.yaml",
    ]);
  });

  it("Istio: the base chart, its CRDs as templates, at istiod's version", () => {
    const istiod = byChart(CHARTS.istiod);
    expect(istiod.crds.kind === "crdChart" && istiod.crds.chart.chart).toBe(CHARTS.istioBase);
    expect(CHARTS.istioBase.version).toBe(CHARTS.istiod.version);
    expect(istioBaseValues().base.enableCRDTemplates).toBe(true);
  });

  it("KServe: the kserve-crd chart at the controller's version", () => {
    const kserve = byChart(CHARTS.kserveResources);
    expect(kserve.crds.kind === "crdChart" && kserve.crds.chart.chart).toBe(CHARTS.kserveCrd);
  });

  it("charts whose CRDs are templates keep them switched on, so each upgrade applies them", () => {
    expect(byChart(CHARTS.keda).crds.kind).toBe("templates");
    expect(kedaValues().crds).toEqual({ install: true });
    expect(byChart(CHARTS.certManager).crds.kind).toBe("templates");
    expect(certManagerValues().crds).toEqual({ enabled: true, keep: true });
  });

  it("gpu-operator: its own pre-upgrade CRD hook, on", () => {
    expect(byChart(CHARTS.gpuOperator).crds.kind).toBe("upgradeHook");
    expect(gpuOperatorValues().operator).toMatchObject({ upgradeCRD: true });
  });
});
