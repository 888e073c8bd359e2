import { ArgsChecker } from "../common/errors";
import { MODEL_LABEL, TRACK_LABEL } from "../common/names";
import { AlertRule, AlertRuleGroup, BURN_RATE_WINDOWS, burnPageGuard, leLabelValue, MODEL_SCOPE } from "./alert-rules";

/**
 * Bucket bounds (s) of vLLM's `vllm:time_to_first_token_seconds` and
 * `vllm:inter_token_latency_seconds` (vllm/v1/metrics/loggers.py, PrometheusStatLogger, at the
 * pinned v0.16.0). An SLO bound must be one of them: the burn-rate rules read it from a bucket.
 */
export const VLLM_TTFT_BUCKETS_S: readonly number[] = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
];
export const VLLM_ITL_BUCKETS_S: readonly number[] = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];

/** Objectives of the kit's LLM (vLLM) alerts. */
export interface LlmAlertRuleInput {
  /** Time to first token, seconds, that {@link ttftSloTarget} of requests must meet. A TTFT bucket bound. Default 1. */
  ttftSloSeconds: number;
  /** Share of requests within {@link ttftSloSeconds}, above 0.9305 (the 14.4x burn stays below 100%). Default 0.99. */
  ttftSloTarget: number;
  /** Time between output tokens, seconds, that {@link itlSloTarget} of tokens must meet. An ITL bucket bound. Default 0.1. */
  itlSloSeconds: number;
  /** Share of output tokens within {@link itlSloSeconds}. Default 0.99. */
  itlSloTarget: number;
  /** Share of failing requests (HTTP 5xx) or dead engines per model that raises an alert, in (0, 1). Default 0.05. */
  errorRateThreshold: number;
}

export const DEFAULT_LLM_ALERT_RULE_INPUT: LlmAlertRuleInput = {
  ttftSloSeconds: 1,
  ttftSloTarget: 0.99,
  itlSloSeconds: 0.1,
  itlSloTarget: 0.99,
  errorRateThreshold: 0.05,
};

/**
 * Per served model and track, as the serving alerts (alert-rules.ts): the kit's labels, which the
 * runtimes' PodMonitors copy from the pod labels onto every scraped series (`up` included).
 * Alertmanager's inhibition compares exactly these (`INHIBIT_EQUAL`), so a page about one LLM
 * silences that LLM's ticket only. vLLM's own `model_name` (the InferenceService's name, `<model>-canary`
 * on a canary) is in neither the routes' nor the inhibition's labels.
 */
const BY = MODEL_SCOPE.join(", ");
const modelRef = `{{ $labels.namespace }}/{{ $labels.${MODEL_LABEL} }}{{ with $labels.${TRACK_LABEL} }} ({{ . }}){{ end }}`;
const pct = (x: number) => `${+(x * 100).toFixed(4)}%`;

/** PromQL: share of observations of vLLM histogram `metric` above `bound` seconds over `window`, per served model. */
export function vllmSlowRatio(metric: string, bound: number, window: string): string {
  return `(1 - (sum by (${BY}) (rate(${metric}_bucket{le="${leLabelValue(bound)}"}[${window}])) / sum by (${BY}) (rate(${metric}_count[${window}]))))`;
}

/**
 * Pods that served vLLM in the last hour (value 1): `http_requests_total` and `up` are not vLLM's
 * alone, and a dead engine reports nothing but `up == 0`.
 */
const VLLM_PODS = `group by (namespace, pod) (max_over_time(vllm:num_requests_running[1h]))`;
const onVllmPods = (expr: string) => `${expr} * on (namespace, pod) group_left () ${VLLM_PODS}`;

/**
 * PromQL: share of vLLM's inference requests that fail over 5 minutes, per served model: HTTP 5xx
 * answers (prometheus-fastapi-instrumentator counts every response by status class; an engine
 * failure answers 500, EngineGenerateError, and EngineDeadError after which the server exits within
 * 5 s unless VLLM_KEEP_ALIVE_ON_ENGINE_DEATH: vllm/entrypoints/launcher.py) plus requests the
 * engine ended with reason "error" inside a stream that had already answered 200. Inference
 * requests are the POSTs. A model whose every engine died has no requests and so no error rate:
 * ModelDown pages for it (alert-rules.ts).
 */
export function vllmErrorRatio(): string {
  const rate = (series: string) => `sum by (${BY}) (${onVllmPods(`sum by (${BY}, pod) (rate(${series}[5m]))`)})`;
  const failed = `sum by (${BY}) (${onVllmPods(`sum by (${BY}, pod) (rate(http_requests_total{method="POST",status="5xx"}[5m]) or rate(vllm:request_success_total{finished_reason="error"}[5m]))`)})`;
  return `${failed}\n/\n${rate('http_requests_total{method="POST"}')}`;
}

/** One observation per request that produced a token: the requests a burn-rate page counts (ITL observes tokens). */
const REQUESTS = "vllm:time_to_first_token_seconds_count";

function burnRules(
  alert: string,
  metric: string,
  bound: number,
  target: number,
  what: string,
  runbook: { critical: string; warning: string },
): AlertRule[] {
  const budget = 1 - target;
  return BURN_RATE_WINDOWS.map((w) => {
    const threshold = `(${w.factor} * ${+budget.toFixed(6)})`;
    return {
      alert,
      expr:
        `${vllmSlowRatio(metric, bound, w.long)} > ${threshold}\nand on (${BY})\n${vllmSlowRatio(metric, bound, w.short)} > ${threshold}` +
        (w.severity === "critical" ? `\nand on (${BY})\n${burnPageGuard(REQUESTS, BY, w.long)}` : ""),
      for: w.for,
      labels: { severity: w.severity, long: w.long, short: w.short },
      annotations: {
        summary: `LLM ${modelRef} is burning its ${what} budget (${bound} s for ${pct(target)}) ${w.factor}x too fast over ${w.long} and ${w.short}.`,
        runbook: w.severity === "critical" ? runbook.critical : runbook.warning,
      },
    };
  });
}

/**
 * The LLM alert group: burn-rate alerts on time to first token and inter-token latency (SRE
 * Workbook multi-window pairs, as Triton's), and an error-rate alert counting HTTP 5xx responses
 * and dead engines. Throws when an objective is not a bucket bound or out of range.
 */
export function llmAlertRuleGroup(input: LlmAlertRuleInput = DEFAULT_LLM_ALERT_RULE_INPUT): AlertRuleGroup {
  new ArgsChecker("llmAlertRuleGroup")
    .require(
      VLLM_TTFT_BUCKETS_S.includes(input.ttftSloSeconds),
      "ttftSloSeconds",
      `must be a vllm:time_to_first_token_seconds bucket bound (${VLLM_TTFT_BUCKETS_S.join(", ")} s)`,
    )
    .require(
      VLLM_ITL_BUCKETS_S.includes(input.itlSloSeconds),
      "itlSloSeconds",
      `must be a vllm:inter_token_latency_seconds bucket bound (${VLLM_ITL_BUCKETS_S.join(", ")} s)`,
    )
    .require(
      14.4 * (1 - input.ttftSloTarget) < 1 && input.ttftSloTarget < 1,
      "ttftSloTarget",
      "must be above 0.9305 and below 1 so the 14.4x burn threshold stays below 100%",
    )
    .require(
      14.4 * (1 - input.itlSloTarget) < 1 && input.itlSloTarget < 1,
      "itlSloTarget",
      "must be above 0.9305 and below 1 so the 14.4x burn threshold stays below 100%",
    )
    .require(
      input.errorRateThreshold > 0 && input.errorRateThreshold < 1,
      "errorRateThreshold",
      "must be between 0 and 1",
    )
    .throwIfAny();

  const ttft = burnRules(
    "LlmTimeToFirstTokenBudgetBurn",
    "vllm:time_to_first_token_seconds",
    input.ttftSloSeconds,
    input.ttftSloTarget,
    "time-to-first-token",
    {
      critical:
        "Prompts wait too long for their first token. Open the LLM dashboard: if waiting requests and " +
        "KV-cache use are high, the model needs replicas (check the ScaledObject target and pending " +
        "GPU pods on the Capacity dashboard); if prompts grew, lower llm.maxModelLen or raise the KV-cache " +
        "budget with more GPUs per replica. Scale out first.",
      warning:
        "First-token latency has exceeded its budget rate for days. Compare TTFT with prompt tokens " +
        "per second on the LLM dashboard and plan capacity (more replicas, larger GPUs) before the budget runs out.",
    },
  );
  const itl = burnRules(
    "LlmInterTokenLatencyBudgetBurn",
    "vllm:inter_token_latency_seconds",
    input.itlSloSeconds,
    input.itlSloTarget,
    "inter-token latency",
    {
      critical:
        "Tokens stream too slowly. Decode slows when the batch is too large for the GPU: check running " +
        "requests and GPU utilisation on the LLM and GPU dashboards, lower llm.maxNumSeqs or add replicas; " +
        "a spot fallback to a slower instance type shows on the Capacity dashboard.",
      warning:
        "Inter-token latency has exceeded its budget rate for days. Review llm.maxNumSeqs against the GPU type and plan capacity before the budget runs out.",
    },
  );
  // The one page for a vLLM model's failing requests (the serving group has no second one: one
  // fault, one incident). Dead engines are ModelDown's when none is left, ScrapeTargetDown's otherwise.
  const errors: AlertRule = {
    alert: "LlmErrorRateHigh",
    expr: `(\n${vllmErrorRatio()}\n) > ${input.errorRateThreshold}`,
    for: "5m",
    labels: { severity: "critical" },
    annotations: {
      summary:
        `More than ${pct(input.errorRateThreshold)} of requests to LLM ${modelRef} fail with a server ` +
        `error or end in an engine error ({{ $value | humanizePercentage }}).`,
      runbook:
        "Read the predictor logs: an EngineDeadError or CUDA/Neuron out-of-memory means the engine " +
        "died (the pod restarts: look for restarts and ScrapeTargetDown; lower llm.maxModelLen or llm.maxNumSeqs, " +
        'or give the replica more GPUs); finished_reason="error" counts requests the engine failed ' +
        "mid-stream. Restart or reschedule the predictor pod if one instance is at fault. If only the " +
        "canary fails, set its traffic to 0.",
    },
  };
  return { name: "mlserving-llm", rules: [...ttft, ...itl, errors] };
}
