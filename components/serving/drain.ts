/**
 * How a model server leaves without cutting requests, and how its replicas spread: one figure per
 * fact, each with its source, shared by the kit's Triton Deployment and every KServe predictor.
 *
 * When a pod starts terminating, the kubelet runs its preStop hook while, in parallel, the
 * EndpointSlice controller drops the pod and the AWS Load Balancer Controller deregisters its IP
 * from the ALB's target group; the ALB keeps sending new requests for a while after that (EKS Best
 * Practices Guide, Load Balancing, "Gracefully handle the client requests";
 * kubernetes-sigs/aws-load-balancer-controller#3270). So every model server:
 * 1. pauses in preStop for {@link ENDPOINT_REMOVAL_SECONDS}, still serving, until no new request
 *    reaches it;
 * 2. finishes the requests it holds, within its runtime's `drain.longestRequestSeconds`: Triton after
 *    SIGTERM (`--exit-timeout-secs`), vLLM in preStop: vLLM aborted in-flight requests on SIGTERM
 *    until `--shutdown-timeout` (vllm-project/vllm#34730, merged 2026-02-17, reverted, re-added by
 *    #36666 on 2026-03-10), which v0.16.0 (out by late February 2026) cannot be shown to have, and
 *    a flag vLLM does not know stops it from starting; a preStop drain works either way;
 * 3. gets a termination grace period covering both plus {@link EXIT_MARGIN_SECONDS}.
 *
 * Pure: no Pulumi imports.
 */
import type { ModelTrack } from "./tracks";
import { MODEL_POD_LABEL, TRACK_POD_LABEL } from "../common/names";

/**
 * preStop pause, seconds: long enough for the endpoint removal and the ALB target deregistration to
 * take effect before the server stops taking requests (EKS Best Practices Guide, Load Balancing:
 * delay SIGTERM with a preStop sleep; kubernetes-sigs/aws-load-balancer-controller#3270 reports
 * requests reaching a draining target for tens of seconds after deregistration starts).
 */
export const ENDPOINT_REMOVAL_SECONDS = 30;

/**
 * ALB idle timeout, seconds (Elastic Load Balancing, Application Load Balancers, "Connection idle
 * timeout": default 60; the kit sets no `idle_timeout.timeout_seconds`). A request whose response
 * sends nothing for that long is closed by the ALB, so a non-streamed request lasts at most this.
 */
export const ALB_IDLE_TIMEOUT_SECONDS = 60;

/**
 * ALB target deregistration delay, seconds (Elastic Load Balancing, target groups, "Deregistration
 * delay": default 300; the kit sets no `deregistration_delay.timeout_seconds`). The ALB closes the
 * connections of a deregistering target once it elapses, so no stream through it outlives this.
 */
export const ALB_DEREGISTRATION_DELAY_SECONDS = 300;

/**
 * Seconds left between the end of a server's drain and the kubelet's SIGKILL at the end of the grace
 * period, for the process to exit (vllm-project/vllm#43208 asks for a grace strictly above preStop +
 * drain). The kit's own margin, not an upstream figure.
 */
export const EXIT_MARGIN_SECONDS = 10;

/** How one runtime drains: the longest request it may hold when it stops taking new ones. */
export interface RuntimeDrain {
  /** Seconds: the ALB's idle timeout for request/response servers, its deregistration delay for streams. */
  readonly longestRequestSeconds: number;
}

/** The pod's termination grace period for a runtime: preStop pause, the longest request, the exit margin. */
export function terminationGracePeriodSeconds(drain: RuntimeDrain): number {
  return ENDPOINT_REMOVAL_SECONDS + drain.longestRequestSeconds + EXIT_MARGIN_SECONDS;
}

/** The preStop hook of a server that drains itself after SIGTERM (Triton): the endpoint-removal pause. */
export function preStopPause() {
  return { preStop: { sleep: { seconds: ENDPOINT_REMOVAL_SECONDS } } };
}

/**
 * The zone spread of one model's (and track's) replicas: at most one replica of skew between zones.
 * `ScheduleAnyway`, not `DoNotSchedule`: a spot pool often cannot get capacity in a given zone, and a
 * hard constraint would then leave a replica pending (and the model short) rather than run it in
 * another zone. Karpenter v1.14 honours it (website concepts/scheduling.md, "Preferences" and
 * "Topology Spread": a preference is first treated as required, then relaxed one at a time when it
 * cannot be met), so new nodes are launched across zones whenever capacity allows.
 */
export function zoneSpread(podLabels: Record<string, string>) {
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { ...podLabels } },
    },
  ];
}

/** The labels that select one KServe track's predictor pods (model and track). */
export function trackSelector(model: string, track: ModelTrack): Record<string, string> {
  return { [MODEL_POD_LABEL]: model, [TRACK_POD_LABEL]: track };
}
