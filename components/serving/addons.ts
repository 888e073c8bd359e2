import type { ChartAddOn } from "../common/chart-addon";
import { CHARTS } from "../versions";
import {
  CERT_MANAGER_NAMESPACE,
  certManagerValues,
  KEDA_NAMESPACE,
  KEDA_OPERATOR_METRICS,
  kedaValues,
  KSERVE_CONTROLLER_METRICS,
  KSERVE_NAMESPACE,
  kserveValues,
} from "./kserve-builders";

/** KEDA with its CRDs: the kit's ScaledObjects scale models on Prometheus queries. */
export const KEDA_ADDON: ChartAddOn<void> = {
  release: "keda",
  chart: CHARTS.keda,
  namespace: KEDA_NAMESPACE,
  values: () => kedaValues(),
  // Prometheus job `keda-operator` (the Service's name), which the kit's alerts watch.
  metrics: { name: "keda-operator", ...KEDA_OPERATOR_METRICS },
  wait: { timeoutSeconds: 600 },
  crds: { kind: "templates", source: "kedacore/charts v2.20.2 keda/templates/crds (crds.install: true)" },
};

/** cert-manager with its CRDs: KServe's webhooks get their certificates from it. */
export const CERT_MANAGER_ADDON: ChartAddOn<void> = {
  release: "cert-manager",
  chart: CHARTS.certManager,
  namespace: CERT_MANAGER_NAMESPACE,
  values: () => certManagerValues(),
  wait: { timeoutSeconds: 600 },
  crds: {
    kind: "templates",
    source:
      "cert-manager v1.21.1 deploy/charts/cert-manager/templates/crd-*.yaml (crds.enabled: true, crds.keep: true)",
  },
};

/** KServe's CRDs, a chart of their own so that a version bump upgrades them. */
export const KSERVE_CRD_ADDON: ChartAddOn<void> = {
  release: "kserve-crd",
  chart: CHARTS.kserveCrd,
  namespace: KSERVE_NAMESPACE,
  wait: { timeoutSeconds: 300 },
  crds: { kind: "templates", source: "kserve/kserve v0.20.0 charts/kserve-crd/templates" },
};

/** KServe's controller in Standard mode; its metrics sit behind kube-rbac-proxy. */
export const KSERVE_ADDON: ChartAddOn<{ region: string }> = {
  release: "kserve",
  chart: CHARTS.kserveResources,
  namespace: KSERVE_NAMESPACE,
  values: () => kserveValues(),
  metrics: { name: "kserve-controller", ...KSERVE_CONTROLLER_METRICS, kubeRbacProxy: true },
  wait: { timeoutSeconds: 600 },
  crds: {
    kind: "crdChart",
    chart: KSERVE_CRD_ADDON,
    source: "kserve/kserve v0.20.0 charts/: kserve-resources has no crds/; the CRDs are the kserve-crd chart",
  },
};
