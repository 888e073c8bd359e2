/**
 * How long the first request to an LLM woken from zero waits, for the plan: the model's cold-start
 * floor (`cold-start.ts`) against how long the gateway holds the request (`wakeTimeoutSeconds`,
 * serving/gateway/scale-from-zero.ts). Pure: no Pulumi imports.
 */
import { modelWake } from "../serving/gateway/scale-from-zero";
import { PICKER_SCRAPE_SECONDS } from "../serving/gateway/inference-pool";
import { routedByGateway } from "../serving/runtimes";
import { SCALER_POLLING_SECONDS } from "../serving/autoscaling";
import type { ColdStartEstimate, ColdStartFinding } from "./cold-start";
import type { PlatformSpec } from "./spec";

/**
 * Seconds between a held request and KEDA seeing it, at most: the picker's scrape interval and
 * KEDA's polling interval. Not in the floor (it may be 0).
 */
export const WAKE_SIGNAL_DELAY_MAX_SECONDS = PICKER_SCRAPE_SECONDS + SCALER_POLLING_SECONDS;

/** One model that scales from zero behind the gateway. */
export interface WakeEstimate {
  model: string;
  /** How long the gateway holds a request while the model has no replica (`wakeTimeoutSeconds`). */
  holdSeconds: number;
  /** Least seconds the first request waits: a replica on a new node (the pool's nodes leave with the model). */
  firstRequestSeconds: number;
  /** Up to this much more before KEDA sees the held request. */
  signalDelayMaxSeconds: number;
  warnings: ColdStartFinding[];
}

/** Every model of the spec that the gateway wakes from zero, with its first request's wait. */
export function wakeEstimates(spec: PlatformSpec, coldStart: readonly ColdStartEstimate[]): WakeEstimate[] {
  const out: WakeEstimate[] = [];
  spec.serving.models.forEach((m, i) => {
    const wake = modelWake(m, spec.serving.gateway !== undefined && routedByGateway(m));
    const estimate = coldStart.find((e) => e.model === m.name);
    if (!wake || !estimate) return;
    const at = `serving.models[${i}]`;
    const warnings: ColdStartFinding[] = [];
    if (estimate.newNodeSeconds >= wake.holdSeconds)
      warnings.push({
        path: `${at}.wakeTimeoutSeconds`,
        message:
          `model ${m.name} wakes from zero on a new node in at least ${estimate.newNodeSeconds} s, but ` +
          `the gateway holds its first request only ${wake.holdSeconds} s: that request is answered 503 ` +
          `before a replica serves. Raise wakeTimeoutSeconds above the cold start, or keep replicas.min at 1.`,
      });
    out.push({
      model: m.name,
      holdSeconds: wake.holdSeconds,
      firstRequestSeconds: estimate.newNodeSeconds,
      signalDelayMaxSeconds: WAKE_SIGNAL_DELAY_MAX_SECONDS,
      warnings,
    });
  });
  return out;
}

/** Lines the plan prints under the cold start. */
export function wakeSummaryLines(estimates: readonly WakeEstimate[]): string[] {
  if (estimates.length === 0) return [];
  const lines = ["Scale from zero (the gateway holds the first request while a replica starts):"];
  for (const e of estimates)
    lines.push(
      `  ${e.model}: first request waits >= ${e.firstRequestSeconds} s (cold start on a new node, ` +
        `plus up to ${e.signalDelayMaxSeconds} s for the autoscaler to see it); held up to ${e.holdSeconds} s, then 503`,
    );
  for (const w of estimates.flatMap((e) => e.warnings)) lines.push(`  warning: ${w.path}: ${w.message}`);
  return lines;
}
