import type { ChartAddOn } from "../../common/chart-addon";
import { CHARTS } from "../../versions";
import { ISTIO_NAMESPACE, ISTIOD_METRICS, istioBaseValues, istiodValues } from "./gateway-builders";

/** Istio's CRDs, the `base` chart rendering them from templates, installed before istiod and upgraded with it. */
export const ISTIO_BASE_ADDON: ChartAddOn<void> = {
  release: "istio-base",
  chart: CHARTS.istioBase,
  namespace: ISTIO_NAMESPACE,
  values: () => istioBaseValues(),
  wait: { timeoutSeconds: 300 },
  crds: {
    kind: "templates",
    source: "istio/istio 1.30.3 manifests/charts/base/templates/crds.yaml (base.enableCRDTemplates: true, the default)",
  },
};

/** istiod: the Gateway API controller of the LLM gateway, InferencePool backends on. */
export const ISTIOD_ADDON: ChartAddOn<{ gatewayReplicas: number }> = {
  release: "istiod",
  chart: CHARTS.istiod,
  namespace: ISTIO_NAMESPACE,
  values: ({ gatewayReplicas }) => istiodValues(gatewayReplicas),
  metrics: { name: "istiod", ...ISTIOD_METRICS },
  wait: { timeoutSeconds: 600 },
  crds: {
    kind: "crdChart",
    chart: ISTIO_BASE_ADDON,
    source:
      "istio/istio 1.30.3 manifests/charts: the istio-discovery chart has no crds/; Istio's CRDs are the base chart",
  },
};
