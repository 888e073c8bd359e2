import { MODEL_POD_LABEL } from "../../common/names";
import { modelTracks, type TrackedModel } from "../tracks";
import {
  LLM_GATEWAY_LISTENER,
  LLM_GATEWAY_NAME,
  LLM_GATEWAY_NAMESPACE,
  LLM_ROUTE_TIMEOUT_SECONDS,
} from "./gateway-builders";
import { INFERENCE_POOL_GROUP } from "./inference-pool";
import type { WakeSettings } from "./scale-from-zero";

/**
 * The route's `timeouts.request`: a generation's {@link LLM_ROUTE_TIMEOUT_SECONDS}, plus, for a
 * model woken from zero, the time its picker may hold a request. Istio 1.30.3 makes it the Envoy
 * route's timeout (pilot/pkg/config/kube/gateway/conversion.go, networking/core/route/route.go
 * `setTimeout`), whose timer Envoy's router starts once the request reaches it, after the picker
 * releases it; counting the hold too keeps the route from cutting a held request under either reading.
 */
export function llmRouteTimeout(wake?: WakeSettings): string {
  return `${LLM_ROUTE_TIMEOUT_SECONDS + (wake?.holdSeconds ?? 0)}s`;
}

/** A Gateway and listener a route attaches to. */
export interface GatewayParent {
  name: string;
  namespace: string;
  listener: string;
}

/** The kit's own Gateway. */
export const KIT_GATEWAY: GatewayParent = {
  name: LLM_GATEWAY_NAME,
  namespace: LLM_GATEWAY_NAMESPACE,
  listener: LLM_GATEWAY_LISTENER,
};

/** KServe's predictor Service of an InferenceService: `<isvc>-predictor` on port 80 (Standard mode). */
const predictorService = (isvc: string) => ({ name: `${isvc}-predictor`, port: 80 });

const poolRef = (isvc: string, weight?: number) => ({
  group: INFERENCE_POOL_GROUP,
  kind: "InferencePool",
  name: isvc,
  ...(weight !== undefined ? { weight } : {}),
});

/**
 * The model's HTTPRoute (gateway.networking.k8s.io/v1) on the LLM gateway, at its host, every path
 * (the OpenAI-compatible API is unchanged). Rules, most specific first:
 * - with an A/B variant: requests whose header equals the value go to the variant's pool;
 * - every other request goes to the stable pool, or split by weight between the stable and canary
 *   pools (`100 - trafficPercent` and `trafficPercent`);
 * - with a shadow: each rule mirrors its requests (all, or `mirrorPercent`) to the shadow's
 *   predictor Service; the gateway drops a mirror's answers (Gateway API HTTPRequestMirrorFilter).
 * The shadow is a plain Service, not a pool: a mirrored request is not scheduled by a picker.
 */
export function llmRoute(input: {
  model: TrackedModel;
  namespace: string;
  host: string;
  wake?: WakeSettings;
  /** The Gateway the route attaches to. Default: {@link KIT_GATEWAY}. */
  parent?: GatewayParent;
}) {
  const parent = input.parent ?? KIT_GATEWAY;
  const { model } = input;
  const tracks = new Map(modelTracks(model).map((t) => [t.track, t]));
  const stable = tracks.get("stable")!;
  const canary = tracks.get("canary");
  const variant = tracks.get("variant");
  const shadow = tracks.get("shadow");
  const filters = shadow
    ? [
        {
          type: "RequestMirror",
          requestMirror: {
            backendRef: predictorService(shadow.isvc),
            ...(model.shadow?.mirrorPercent !== undefined && model.shadow.mirrorPercent < 100
              ? { percent: model.shadow.mirrorPercent }
              : {}),
          },
        },
      ]
    : [];
  const everyPath = { path: { type: "PathPrefix", value: "/" } };
  const rule = (matches: object[], backendRefs: object[]) => ({
    matches,
    ...(filters.length > 0 ? { filters } : {}),
    backendRefs,
    timeouts: { request: llmRouteTimeout(input.wake) },
  });
  const rules: object[] = [];
  if (variant && model.abTest)
    rules.push(
      rule(
        [
          {
            ...everyPath,
            headers: [{ type: "Exact", name: model.abTest.header.name, value: model.abTest.header.value }],
          },
        ],
        [poolRef(variant.isvc)],
      ),
    );
  const percent = model.canary?.trafficPercent;
  rules.push(
    rule(
      [everyPath],
      canary && percent !== undefined
        ? // Istio 1.30.3 runs one endpoint picker per route rule, the last backend's
          // (pilot/pkg/config/kube/gateway/conversion.go buildHTTPDestination, route_collections.go):
          // the stable pool goes last, so the larger share (canaries take at most 50%) is scored.
          [poolRef(canary.isvc, percent), poolRef(stable.isvc, 100 - percent)]
        : [poolRef(stable.isvc)],
    ),
  );
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: model.name, namespace: input.namespace, labels: { [MODEL_POD_LABEL]: model.name } },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: parent.name,
          namespace: parent.namespace,
          sectionName: parent.listener,
        },
      ],
      hostnames: [input.host],
      rules,
    },
  };
}
