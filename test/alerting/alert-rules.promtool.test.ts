/**
 * The kit's alert rules, as `alertRuleGroups` builds them, run through `promtool test rules`
 * (Debian's Prometheus 2.42) on synthetic series: for every alert, cases where it must fire and
 * where it must not (idle, healthy, starting, and a canary next to its stable track).
 *
 * Firing is read from the `ALERTS` series promtool's rule evaluation writes, so a case states the
 * alert's labels without repeating its templated annotations.
 *
 * What 2.42 and the cluster's Prometheus 3.x do differently, and how the cases stay within both:
 * - `le` label values: Prometheus 3 stores classic histogram bounds as floats (`le="500.0"`); the
 *   input series here are written that way, as the cluster stores them (2.42 does not normalise
 *   at scrape time, but promtool tests read input series as written).
 * - Range selectors: Prometheus 3 leaves out the sample at the window's left edge, 2.42 keeps it.
 *   Cases assert well inside thresholds, never on the sample where a window boundary decides.
 * - Counters that appear with their first increment: neither version's `increase()` counts the
 *   jump from nothing (Prometheus 3's created-timestamp ingestion is off by default).
 */
import { describe, expect, it } from "vitest";
import { AlertRule, alertRuleGroups, DEFAULT_ALERT_RULE_INPUT } from "../../components/monitoring/alert-rules";
import { llmAlertRuleGroup } from "../../components/monitoring/llm-alert-rules";
import { describeWithTools, ExprTest, InputSeries, promtoolTestRules, PromtoolTest, series } from "../prom-tools";

const groups = alertRuleGroups(DEFAULT_ALERT_RULE_INPUT);
const allRules: AlertRule[] = groups.flatMap((g) => g.rules);
/** The kit's groups and the LLM group, as the kit's PrometheusRule holds them (monitoring-stack.ts). */
const withLlm = [...groups, llmAlertRuleGroup()];

function ruleFor(alert: string, ruleLabels: Record<string, string> = {}): AlertRule {
  const found = withLlm
    .flatMap((g) => g.rules)
    .filter((r) => r.alert === alert && Object.entries(ruleLabels).every(([k, v]) => r.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} rules named ${alert} with ${JSON.stringify(ruleLabels)}`);
  return found[0];
}

/** The alert fires at `at` with exactly these output labels (the rule's own labels are added). */
function fires(
  alert: string,
  at: string,
  labels: Record<string, string>,
  opts: { ruleLabels?: Record<string, string> } = {},
): ExprTest {
  const rule = ruleFor(alert, opts.ruleLabels);
  const selector = { alertname: alert, alertstate: "firing", ...(opts.ruleLabels ?? {}), ...labels };
  return {
    expr: series("ALERTS", selector),
    eval_time: at,
    exp_samples: [{ labels: series("ALERTS", { ...rule.labels, ...selector }), value: 1 }],
  };
}

/** The rule's expression returns exactly these samples at `at` (the alert's `$value`). */
function valueOf(
  alert: string,
  at: string,
  samples: { labels: Record<string, string>; value: number }[],
  ruleLabels: Record<string, string> = {},
): ExprTest {
  const rule = ruleFor(alert, ruleLabels);
  return {
    expr: rule.expr,
    eval_time: at,
    exp_samples: samples.map((x) => ({ labels: series("", x.labels), value: x.value })),
  };
}

/** The alert does not fire at `at` (for series matching `labels`, when given). */
function silent(alert: string, at: string, labels: Record<string, string> = {}): ExprTest {
  return {
    expr: series("ALERTS", { alertname: alert, alertstate: "firing", ...labels }),
    eval_time: at,
    exp_samples: [],
  };
}

/**
 * Expects promtool to pass every case; on failure the message is promtool's own report. Only
 * the rule groups of the alerts the cases name are loaded (each group as the kit builds it), which
 * keeps the runs short; a case on every alert (`ALERTS{...}` without an alertname) loads them all.
 */
async function expectPass(tests: PromtoolTest[], evaluationInterval = "1m", ruleGroups = groups) {
  const exprs = tests.flatMap((t) => (t.promql_expr_test ?? []).map((c) => c.expr));
  // A case about every alert (no alertname, e.g. all pages at once) loads every group given.
  const all = exprs.some((e) => e.startsWith("ALERTS{") && !e.includes("alertname="));
  const named = ruleGroups.filter(
    (g) => all || g.rules.some((r) => exprs.some((e) => e.includes(`alertname="${r.alert}"`) || e === r.expr)),
  );
  const r = await promtoolTestRules(named, tests, evaluationInterval);
  expect(r.output, r.output).toMatch(/SUCCESS/);
  expect(r.status, r.output).toBe(0);
}

const test = (name: string, interval: string, input: InputSeries[], cases: ExprTest[]): PromtoolTest => ({
  name,
  interval,
  input_series: input,
  promql_expr_test: cases,
});
const s = (name: string, labels: Record<string, string>, values: string): InputSeries => ({
  series: series(name, labels),
  values,
});

// --- the shapes of the series the kit's scrape configs produce ---------------------------------
const stable = { namespace: "serving", mlserving_model: "fraud-detector", mlserving_track: "stable" };
const canary = { namespace: "serving", mlserving_model: "fraud-detector", mlserving_track: "canary" };
/** Triton's own labels are the same on both tracks: the repository holds one model, version 1. */
const tritonModel = { model: "fraud-detector", version: "1" };
const assistant = { namespace: "serving", mlserving_model: "assistant", mlserving_track: "stable" };
const assistantCanary = { ...assistant, mlserving_track: "canary" };
const vllmLabels = { model_name: "assistant", engine: "0" };

/** Per-minute counter increments for `minutes` minutes, as promtool expanding notation. */
const perMin = (perSecond: number, minutes = 30) => `0+${+(perSecond * 60).toFixed(6)}x${minutes}`;

/**
 * A quiet model at night: one request every 5 minutes for 3 hours (12 an hour), all within the
 * objective except the two at minutes 170 and 175. The last hour then holds 2 slow of 12 (17%, above
 * the 1h page's 14.4%) and the last 5 minutes are all slow.
 */
function lowTraffic(histogram: string, le: string, labels: Record<string, string>): InputSeries[] {
  const minutes = Array.from({ length: 181 }, (_, m) => m);
  const count = minutes.map((m) => Math.floor(m / 5));
  const slowBefore = (m: number) => [170, 175].filter((t) => t <= m).length;
  return [
    s(`${histogram}_count`, labels, count.join(" ")),
    s(`${histogram}_bucket`, { ...labels, le }, minutes.map((m) => count[m] - slowBefore(m)).join(" ")),
  ];
}

describeWithTools("alert rules under promtool", ["promtool"], () => {
  it("LLM time to first token: no page for 2 slow requests of 12 in a night's hour", async () => {
    await expectPass(
      [
        test("night", "1m", lowTraffic("vllm:time_to_first_token_seconds", "1.0", { ...assistant, ...vllmLabels }), [
          silent("LlmTimeToFirstTokenBudgetBurn", "176m", { severity: "critical" }),
        ]),
      ],
      "1m",
      withLlm,
    );
  });

  it("the rule file passes promtool check rules", async () => {
    const { run, scratchDir } = await import("../prom-tools");
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { stringify } = await import("yaml");
    const dir = scratchDir("check");
    writeFileSync(join(dir, "rules.yml"), stringify({ groups }));
    const r = await run("promtool", ["check", "rules", "rules.yml"], dir);
    expect(r.status, r.output).toBe(0);
  });

  describe("TritonErrorRateHigh", () => {
    const triton = (labels: Record<string, string>, okPerSec: number, failPerSec: number): InputSeries[] => [
      s("nv_inference_request_success", { ...labels, ...tritonModel }, perMin(okPerSec)),
      s("nv_inference_request_failure", { ...labels, ...tritonModel, reason: "BACKEND" }, perMin(failPerSec)),
    ];
    it("fires for a canary failing 45% of its 10% share, and not for its healthy stable track", async () => {
      await expectPass([
        test(
          "canary",
          "1m",
          [...triton(stable, 90, 0), ...triton(canary, 5.5, 4.5)],
          [
            fires("TritonErrorRateHigh", "20m", { ...canary, ...tritonModel }),
            silent("TritonErrorRateHigh", "20m", { mlserving_track: "stable" }),
          ],
        ),
      ]);
    });
    it("fires for a model failing 10% of its requests, after 10 minutes", async () => {
      await expectPass([
        test("failing", "1m", triton(stable, 90, 10), [
          silent("TritonErrorRateHigh", "8m"),
          fires("TritonErrorRateHigh", "20m", { ...stable, ...tritonModel }),
        ]),
      ]);
    });
    it("stays silent when healthy, idle (no requests) or starting (series just appeared)", async () => {
      await expectPass([
        test("healthy", "1m", triton(stable, 90, 0.5), [silent("TritonErrorRateHigh", "25m")]),
        test("idle", "1m", triton(stable, 0, 0), [silent("TritonErrorRateHigh", "25m")]),
        test(
          "starting",
          "1m",
          [
            s("nv_inference_request_success", { ...stable, ...tritonModel }, "_x20 0x10"),
            s("nv_inference_request_failure", { ...stable, ...tritonModel, reason: "BACKEND" }, "_x20 0x10"),
          ],
          [silent("TritonErrorRateHigh", "30m")],
        ),
      ]);
    });
  });

  describe("vLLM request errors: one page per fault (LlmErrorRateHigh)", () => {
    /** One vLLM pod of `labels` serving `ok` good and `http5xx` failed POSTs a second, `engineErrors` failed mid-stream. */
    const vllm = (
      labels: Record<string, string>,
      pod: string,
      perSec: { ok: number; http5xx: number; engineErrors?: number },
    ): InputSeries[] => {
      const l = { ...labels, pod };
      return [
        s("vllm:num_requests_running", { ...l, ...vllmLabels }, "1x30"),
        s(
          "http_requests_total",
          { ...l, handler: "/v1/completions", method: "POST", status: "2xx" },
          perMin(perSec.ok),
        ),
        s(
          "http_requests_total",
          { ...l, handler: "/v1/completions", method: "POST", status: "5xx" },
          perMin(perSec.http5xx),
        ),
        s("http_requests_total", { ...l, handler: "/v1/models", method: "GET", status: "2xx" }, perMin(50)),
        s("vllm:request_success_total", { ...l, ...vllmLabels, finished_reason: "stop" }, perMin(perSec.ok)),
        s(
          "vllm:request_success_total",
          { ...l, ...vllmLabels, finished_reason: "error" },
          perMin(perSec.engineErrors ?? 0),
        ),
      ];
    };
    /** Every critical alert firing at `at`: exactly this one (the kit's groups and the LLM group loaded together). */
    const onlyPage = (at: string, alert: string, labels: Record<string, string>): ExprTest => ({
      expr: 'ALERTS{alertstate="firing",severity="critical"}',
      eval_time: at,
      exp_samples: [
        {
          labels: series("ALERTS", { ...labels, alertname: alert, alertstate: "firing", severity: "critical" }),
          value: 1,
        },
      ],
    });
    it("a 5xx fault raises one page, not two (old: LlmErrorRateHigh and VllmErrorRateHigh)", async () => {
      await expectPass(
        [
          test("http 5xx", "1m", vllm(assistant, "a-1", { ok: 9, http5xx: 1 }), [
            onlyPage("20m", "LlmErrorRateHigh", assistant),
          ]),
        ],
        "1m",
        withLlm,
      );
    });
    it("counts requests the engine ended in error after answering 200 (streams), and a failing canary apart", async () => {
      await expectPass(
        [
          test("engine errors", "1m", vllm(assistant, "a-1", { ok: 9, http5xx: 0, engineErrors: 1 }), [
            fires("LlmErrorRateHigh", "20m", assistant),
          ]),
          test(
            "canary",
            "1m",
            [
              ...vllm(assistant, "a-1", { ok: 9, http5xx: 0 }),
              ...vllm(assistantCanary, "ac-1", { ok: 0.55, http5xx: 0.45 }),
            ],
            [
              fires("LlmErrorRateHigh", "20m", assistantCanary),
              silent("LlmErrorRateHigh", "20m", { mlserving_track: "stable" }),
            ],
          ),
        ],
        "1m",
        withLlm,
      );
    });
    it("stays silent when healthy or idle", async () => {
      await expectPass(
        [
          test("healthy", "1m", vllm(assistant, "a-1", { ok: 10, http5xx: 0.05 }), [silent("LlmErrorRateHigh", "25m")]),
          test("idle", "1m", vllm(assistant, "a-1", { ok: 0, http5xx: 0 }), [silent("LlmErrorRateHigh", "25m")]),
        ],
        "1m",
        withLlm,
      );
    });
  });

  describe("ModelDown", () => {
    /**
     * A model pod as kube-state-metrics reports it over `minutes`: created at `createdMin` (minutes
     * from the start; negative: before it), ready or not, with `restarts` container restarts.
     */
    const kpod = (
      name: string,
      labels: Record<string, string>,
      o: {
        ready: string;
        restarts?: string;
        createdMin?: number;
        phase?: string;
        deleting?: boolean;
        minutes?: number;
      },
    ): InputSeries[] => {
      const n = o.minutes ?? 240;
      const ns = labels.namespace;
      const id = { namespace: ns, pod: name, uid: `uid-${name}` };
      return [
        s(
          "kube_pod_labels",
          {
            ...id,
            label_mlserving_io_model: labels.mlserving_model,
            ...(labels.mlserving_track ? { label_mlserving_io_track: labels.mlserving_track } : {}),
          },
          `1x${n}`,
        ),
        s("kube_pod_status_phase", { ...id, phase: o.phase ?? "Running" }, `1x${n}`),
        s("kube_pod_status_ready", { ...id, condition: "true" }, o.ready),
        s("kube_pod_created", id, `${(o.createdMin ?? -600) * 60}x${n}`),
        s("kube_pod_container_status_restarts_total", { ...id, container: "kserve-container" }, o.restarts ?? `0x${n}`),
        ...(o.deleting ? [s("kube_pod_deletion_timestamp", id, `0x${n}`)] : []),
      ];
    };
    const fdTriton = { namespace: "serving", mlserving_model: "fraud-detector", mlserving_track: "stable" };
    it("pages for a crash-looping Triton model (never paged before), and keeps paging while it stays down", async () => {
      // Serving for hours, then from minute 20 every restart fails: restarts climb, never ready again.
      await expectPass([
        test(
          "crash loop",
          "1m",
          [
            ...kpod("fd-1", fdTriton, { ready: "1x20 0x220", restarts: "0x20 1+1x220" }),
            ...kpod("fd-2", fdTriton, { ready: "1x20 0x220", restarts: "0x20 1+1x220" }),
          ],
          [
            silent("ModelDown", "22m"),
            fires("ModelDown", "30m", fdTriton),
            // Hours later, with no traffic and no errors, it still pages.
            fires("ModelDown", "230m", fdTriton),
          ],
        ),
      ]);
    });
    it("pages for a vLLM model whose every engine died, for as long as none is back (old: resolved after an hour)", async () => {
      await expectPass([
        test(
          "dead engines",
          "1m",
          [
            ...kpod("a-1", assistant, { ready: "1x10 0x230", restarts: "0x10 1+0x20 2+0x20 3+0x190" }),
            ...kpod("a-2", assistant, { ready: "1x10 0x230", restarts: "0x10 1+0x230" }),
          ],
          [fires("ModelDown", "20m", assistant), fires("ModelDown", "200m", assistant)],
        ),
      ]);
    });
    it("pages for a canary with no ready replica while its stable track serves", async () => {
      await expectPass([
        test(
          "canary down",
          "1m",
          [
            ...kpod("fd-1", fdTriton, { ready: "1x60" }),
            ...kpod("fd-c-1", { ...fdTriton, mlserving_track: "canary" }, { ready: "0x60", restarts: "0+1x60" }),
          ],
          [
            fires("ModelDown", "20m", { ...fdTriton, mlserving_track: "canary" }),
            silent("ModelDown", "20m", { mlserving_track: "stable" }),
          ],
        ),
      ]);
    });
    it("pages for replicas that stay unschedulable or stuck past the start allowance", async () => {
      await expectPass([
        test("stuck", "1m", kpod("fd-1", fdTriton, { ready: "0x60", createdMin: 0, phase: "Pending" }), [
          silent("ModelDown", "25m"),
          fires("ModelDown", "40m", fdTriton),
        ]),
      ]);
    });
    it("stays silent while pods start (a scale from zero or a first deploy), with one ready replica, scaled to zero, or draining", async () => {
      await expectPass([
        test("starting", "1m", kpod("a-1", assistant, { ready: "0x12 1x20", createdMin: 0, minutes: 32 }), [
          silent("ModelDown", "11m"),
          silent("ModelDown", "25m"),
        ]),
        test(
          "one of two ready",
          "1m",
          [
            ...kpod("fd-1", fdTriton, { ready: "1x60" }),
            ...kpod("fd-2", fdTriton, { ready: "0x60", restarts: "0+1x60" }),
          ],
          [silent("ModelDown", "30m")],
        ),
        test("scaled to zero", "1m", [], [silent("ModelDown", "30m")]),
        test(
          "draining",
          "1m",
          [
            ...kpod("a-1", assistant, { ready: "0x60", deleting: true }),
            ...kpod("a-old", assistant, { ready: "0x60", phase: "Failed" }),
          ],
          [silent("ModelDown", "30m")],
        ),
      ]);
    });
  });

  describe("TritonQueueTimeHigh and VllmQueueTimeHigh", () => {
    /** Triton: `perSec` requests a second, each waiting `ms` in the queue. */
    const tritonQueue = (labels: Record<string, string>, perSec: number, ms: number): InputSeries[] => [
      s("nv_inference_request_success", { ...labels, ...tritonModel }, perMin(perSec)),
      s("nv_inference_queue_duration_us", { ...labels, ...tritonModel }, perMin(perSec * ms * 1000)),
    ];
    const vllmQueue = (labels: Record<string, string>, perSec: number, ms: number): InputSeries[] => [
      s("vllm:request_queue_time_seconds_count", { ...labels, ...vllmLabels }, perMin(perSec)),
      s("vllm:request_queue_time_seconds_sum", { ...labels, ...vllmLabels }, perMin((perSec * ms) / 1000)),
    ];
    it("fire for the canary track whose requests wait 300 ms, not for its stable track", async () => {
      await expectPass([
        test(
          "triton canary",
          "1m",
          [...tritonQueue(stable, 90, 5), ...tritonQueue(canary, 10, 300)],
          [
            fires("TritonQueueTimeHigh", "20m", { ...canary, ...tritonModel }),
            silent("TritonQueueTimeHigh", "20m", { mlserving_track: "stable" }),
          ],
        ),
        test(
          "vllm canary",
          "1m",
          [...vllmQueue(assistant, 9, 20), ...vllmQueue(assistantCanary, 1, 400)],
          [
            fires("VllmQueueTimeHigh", "20m", assistantCanary),
            silent("VllmQueueTimeHigh", "20m", { mlserving_track: "stable" }),
          ],
        ),
      ]);
    });
    it("stay silent when healthy, idle or for a wait shorter than 10 minutes", async () => {
      await expectPass([
        test(
          "healthy",
          "1m",
          [...tritonQueue(stable, 90, 20), ...vllmQueue(assistant, 9, 20)],
          [silent("TritonQueueTimeHigh", "25m"), silent("VllmQueueTimeHigh", "25m")],
        ),
        test(
          "idle",
          "1m",
          [...tritonQueue(stable, 0, 0), ...vllmQueue(assistant, 0, 0)],
          [silent("TritonQueueTimeHigh", "25m"), silent("VllmQueueTimeHigh", "25m")],
        ),
        test("brief", "1m", tritonQueue(stable, 10, 300), [silent("TritonQueueTimeHigh", "8m")]),
      ]);
    });
  });

  describe("TritonLatencyBudgetBurn (1% budget at 500 ms)", () => {
    /**
     * `rps` requests a second, all fast for `healthyMin` minutes, then all slower than 500 ms
     * (a full outage of the objective) for `outageMin` minutes, sampled every `step` minutes.
     */
    const outage = (labels: Record<string, string>, rps: number, healthyMin: number, outageMin: number, step = 1) => {
      const inc = rps * 60 * step;
      const h = healthyMin / step;
      const o = outageMin / step;
      const l = { ...labels, model: "fraud-detector" };
      return [
        s("nv_inference_first_response_histogram_ms_count", l, `0+${inc}x${h + o}`),
        s(
          "nv_inference_first_response_histogram_ms_bucket",
          { ...l, le: "500.0" },
          `0+${inc}x${h} ${inc * h}+0x${o - 1}`,
        ),
      ];
    };
    const budgetLabels = { ...stable, model: "fraud-detector" };
    it("pages for a full outage within 10 minutes (1h/5m at 14.4x: 2% of the budget), not after 11", async () => {
      await expectPass([
        test("full outage, 1h window", "1m", outage(stable, 100, 60, 15), [
          silent("TritonLatencyBudgetBurn", "68m", { long: "1h" }),
          fires("TritonLatencyBudgetBurn", "70m", budgetLabels, { ruleLabels: { long: "1h" } }),
        ]),
      ]);
    });
    it("pages on the 6h/30m pair within 23 minutes of a full outage (5% of the budget), not after 37", async () => {
      await expectPass([
        test("full outage, 6h window", "1m", outage(stable, 100, 360, 25), [
          fires("TritonLatencyBudgetBurn", "383m", budgetLabels, { ruleLabels: { long: "6h" } }),
        ]),
      ]);
    });
    it("opens the 3d/6h ticket within 45 minutes of a full outage (10% of the budget), not after 104", async () => {
      await expectPass(
        [
          test("full outage, 3d window", "15m", outage(stable, 100, 4320, 90, 15), [
            fires("TritonLatencyBudgetBurn", "4365m", budgetLabels, { ruleLabels: { long: "3d" } }),
          ]),
        ],
        "15m",
      );
    });
    it("pages for a canary whose every request is slow while it takes 10% of the traffic", async () => {
      await expectPass([
        test(
          "canary",
          "1m",
          [...outage(stable, 90, 75, 1), ...outage(canary, 10, 60, 15)],
          [
            fires(
              "TritonLatencyBudgetBurn",
              "70m",
              { ...canary, model: "fraud-detector" },
              { ruleLabels: { long: "1h" } },
            ),
            silent("TritonLatencyBudgetBurn", "70m", { mlserving_track: "stable" }),
          ],
        ),
      ]);
    });
    it("does not page for 2 slow requests of 12 in a night's hour (minimum of requests), though they are 17%", async () => {
      await expectPass([
        test(
          "night",
          "1m",
          lowTraffic("nv_inference_first_response_histogram_ms", "500.0", { ...stable, model: "fraud-detector" }),
          [silent("TritonLatencyBudgetBurn", "176m", { severity: "critical" })],
        ),
      ]);
    });
    it("stays silent when healthy (0.5% slow), idle or starting", async () => {
      const l = { ...stable, model: "fraud-detector" };
      await expectPass([
        test(
          "healthy",
          "1m",
          [
            s("nv_inference_first_response_histogram_ms_count", l, "0+6000x120"),
            s("nv_inference_first_response_histogram_ms_bucket", { ...l, le: "500.0" }, "0+5970x120"),
          ],
          [silent("TritonLatencyBudgetBurn", "120m")],
        ),
        test(
          "idle",
          "1m",
          [
            s("nv_inference_first_response_histogram_ms_count", l, "0x120"),
            s("nv_inference_first_response_histogram_ms_bucket", { ...l, le: "500.0" }, "0x120"),
          ],
          [silent("TritonLatencyBudgetBurn", "120m")],
        ),
        test(
          "starting",
          "1m",
          [
            s("nv_inference_first_response_histogram_ms_count", l, "_x110 0+6000x10"),
            s("nv_inference_first_response_histogram_ms_bucket", { ...l, le: "500.0" }, "_x110 0+6000x10"),
          ],
          [silent("TritonLatencyBudgetBurn", "120m")],
        ),
      ]);
    });
  });

  describe("TritonLatencyHistogramMissing", () => {
    const l = { ...stable, ...tritonModel };
    it("fires when a model reports requests but no first-response histogram", async () => {
      await expectPass([
        test(
          "no histogram",
          "1m",
          [s("nv_inference_request_success", l, perMin(10, 60))],
          [fires("TritonLatencyHistogramMissing", "45m", { ...stable, model: "fraud-detector" })],
        ),
      ]);
    });
    it("stays silent with the histogram (healthy or idle)", async () => {
      await expectPass([
        test(
          "healthy",
          "1m",
          [
            s("nv_inference_request_success", l, perMin(10, 60)),
            s("nv_inference_first_response_histogram_ms_count", { ...l }, perMin(10, 60)),
          ],
          [silent("TritonLatencyHistogramMissing", "45m")],
        ),
      ]);
    });
  });

  describe("ModelMetricsMissing", () => {
    const pod = (name: string, labels: Record<string, string>, ready: boolean): InputSeries[] => [
      s(
        "kube_pod_labels",
        {
          namespace: labels.namespace ?? "serving",
          pod: name,
          uid: `uid-${name}`,
          label_mlserving_io_model: labels.mlserving_model,
          ...(labels.mlserving_track ? { label_mlserving_io_track: labels.mlserving_track } : {}),
        },
        "1x40",
      ),
      s(
        "kube_pod_status_ready",
        { namespace: labels.namespace ?? "serving", pod: name, uid: `uid-${name}`, condition: "true" },
        ready ? "1x40" : "0x40",
      ),
      s(
        "kube_pod_status_ready",
        { namespace: labels.namespace ?? "serving", pod: name, uid: `uid-${name}`, condition: "false" },
        ready ? "0x40" : "1x40",
      ),
    ];
    const tritonMetrics = (name: string, labels: Record<string, string>) =>
      s("nv_inference_request_success", { ...labels, pod: name, ...tritonModel }, "0x40");
    const resnet = { namespace: "serving", mlserving_model: "resnet50" };
    it("fires when a ready model pod reports nothing (KEDA would read the empty query as 0)", async () => {
      await expectPass([
        test("missing", "1m", pod("resnet50-7d9f8b6c5d-abcde", resnet, true), [
          silent("ModelMetricsMissing", "5m"),
          fires("ModelMetricsMissing", "15m", resnet),
        ]),
      ]);
    });
    it("fires for a team's model in the team's namespace, as for the serving namespace's", async () => {
      const scorer = { namespace: "fraud", mlserving_model: "fraud-scorer" };
      await expectPass([
        test("team", "1m", pod("fraud-scorer-7d9f8b6c5d-abcde", scorer, true), [
          fires("ModelMetricsMissing", "15m", scorer),
        ]),
      ]);
    });
    it("fires for a canary that stopped reporting while its stable track reports", async () => {
      await expectPass([
        test(
          "canary",
          "1m",
          [
            ...pod("fd-predictor-1", stable, true),
            tritonMetrics("fd-predictor-1", stable),
            ...pod("fd-canary-predictor-1", canary, true),
          ],
          [
            fires("ModelMetricsMissing", "15m", canary),
            silent("ModelMetricsMissing", "15m", { mlserving_track: "stable" }),
          ],
        ),
      ]);
    });
    it("stays silent when healthy (Triton or vLLM), idle (reporting zeros) or starting (not ready)", async () => {
      await expectPass([
        test(
          "triton",
          "1m",
          [...pod("p1", stable, true), tritonMetrics("p1", stable)],
          [silent("ModelMetricsMissing", "20m")],
        ),
        test(
          "vllm",
          "1m",
          [
            ...pod("a1", assistant, true),
            s("vllm:num_requests_running", { ...assistant, pod: "a1", ...vllmLabels }, "0x40"),
          ],
          [silent("ModelMetricsMissing", "20m")],
        ),
        test("starting", "1m", pod("p2", stable, false), [silent("ModelMetricsMissing", "20m")]),
      ]);
    });
  });

  describe("GpuIdle", () => {
    const dcgm = (labels: Record<string, string>, util: number) =>
      s(
        "DCGM_FI_DEV_GPU_UTIL",
        {
          gpu: "0",
          UUID: "GPU-1",
          Hostname: "ip-10-30-1-1",
          modelName: "NVIDIA L4",
          instance: "10.30.1.1:9400",
          job: "dcgm-exporter",
          ...labels,
        },
        `${util}x48`,
      );
    it("fires for a GPU a pod outside the model servers holds and barely uses", async () => {
      await expectPass([
        test(
          "notebook",
          "5m",
          [dcgm({ namespace: "research", pod: "notebook-0" }, 1)],
          [fires("GpuIdle", "200m", { Hostname: "ip-10-30-1-1", gpu: "0", namespace: "research", pod: "notebook-0" })],
        ),
      ]);
    });
    const modelPod = (namespace: string, pod: string) =>
      s("kube_pod_labels", { namespace, pod, uid: `uid-${pod}`, label_mlserving_io_model: "fraud-detector" }, "1x48");
    it("fires for a pod in a team's namespace that is not one of its model servers", async () => {
      await expectPass([
        test(
          "team notebook",
          "5m",
          [dcgm({ namespace: "fraud", pod: "scratch-0" }, 0), modelPod("fraud", "scorer-predictor-1")],
          [fires("GpuIdle", "200m", { Hostname: "ip-10-30-1-1", gpu: "0", namespace: "fraud", pod: "scratch-0" })],
        ),
      ]);
    });
    it("stays silent for a model server idling at its minimum replicas (serving or a team's), a busy GPU and an unallocated one", async () => {
      const pod = "fraud-detector-predictor-7d9f8b6c5d-abcde";
      await expectPass([
        test(
          "model at minimum",
          "5m",
          [dcgm({ namespace: "serving", pod }, 0), modelPod("serving", pod)],
          [silent("GpuIdle", "200m")],
        ),
        test(
          "team model at minimum",
          "5m",
          [dcgm({ namespace: "fraud", pod }, 0), modelPod("fraud", pod)],
          [silent("GpuIdle", "200m")],
        ),
        test("busy", "5m", [dcgm({ namespace: "research", pod: "trainer-0" }, 60)], [silent("GpuIdle", "200m")]),
        test("unallocated", "5m", [dcgm({}, 0)], [silent("GpuIdle", "200m")]),
      ]);
    });
  });

  describe("GpuMemoryNearFull", () => {
    const fb = (used: number) => {
      const l = { gpu: "0", Hostname: "ip-10-30-1-1", namespace: "serving", pod: "fd-1" };
      return [s("DCGM_FI_DEV_FB_USED", l, `${used}x30`), s("DCGM_FI_DEV_FB_FREE", l, `${24000 - used}x30`)];
    };
    it("fires for a framebuffer over 95% full for 15 minutes, silent at 70%", async () => {
      await expectPass([
        test("full", "1m", fb(23500), [
          fires("GpuMemoryNearFull", "20m", { gpu: "0", Hostname: "ip-10-30-1-1", namespace: "serving", pod: "fd-1" }),
        ]),
        test("room", "1m", fb(16800), [silent("GpuMemoryNearFull", "20m")]),
      ]);
    });
  });

  describe("NeuronCoresIdle", () => {
    const neuron = (util: number) =>
      s(
        "neuroncore_utilization_ratio",
        { instance_id: "i-0abc", instance_type: "inf2.xlarge", neuroncore: "0", runtime_tag: "1" },
        `${util}x48`,
      );
    it("fires for NeuronCores idle for hours and stays silent when they work", async () => {
      await expectPass([
        test(
          "idle",
          "5m",
          [neuron(0.01)],
          [fires("NeuronCoresIdle", "200m", { instance_id: "i-0abc", instance_type: "inf2.xlarge" })],
        ),
        test("busy", "5m", [neuron(0.4)], [silent("NeuronCoresIdle", "200m")]),
      ]);
    });

    // Prod keeps 2 replicas of its Neuron model however quiet the night.
    const atFloor = alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: { neuron: 2 } });
    const instance = (id: string, util: number) =>
      s(
        "neuroncore_utilization_ratio",
        { instance_id: id, instance_type: "inf2.xlarge", neuroncore: "0", runtime_tag: "1" },
        `${util}x48`,
      );
    it("stays silent for idle instances the replica floor keeps, alone or beside busy ones", async () => {
      await expectPass(
        [
          test(
            "night at the floor",
            "5m",
            [instance("i-0a", 0.01), instance("i-0b", 0.02)],
            [silent("NeuronCoresIdle", "200m")],
          ),
          test(
            "floor idle, scaled-out model busy",
            "5m",
            [instance("i-0a", 0.01), instance("i-0b", 0.01), instance("i-0c", 0.5), instance("i-0d", 0.4)],
            [silent("NeuronCoresIdle", "200m")],
          ),
        ],
        "1m",
        atFloor,
      );
    });
    it("fires for each idle instance once more of them idle than the floor explains", async () => {
      await expectPass(
        [
          test(
            "a replica the autoscaler did not take back",
            "5m",
            [instance("i-0a", 0.01), instance("i-0b", 0.01), instance("i-0c", 0.02)],
            ["i-0a", "i-0b", "i-0c"].map((id) =>
              fires("NeuronCoresIdle", "200m", { instance_id: id, instance_type: "inf2.xlarge" }),
            ),
          ),
        ],
        "1m",
        atFloor,
      );
    });
  });

  describe("AcceleratorsUnrequested", () => {
    const node = s(
      "kube_node_status_allocatable",
      { node: "ip-10-30-1-1", resource: "nvidia_com_gpu", unit: "integer" },
      "1x30",
    );
    const gpuPod = (phase: string) => [
      s(
        "kube_pod_container_resource_requests",
        {
          namespace: "serving",
          pod: "p1",
          container: "triton",
          node: "ip-10-30-1-1",
          resource: "nvidia_com_gpu",
          unit: "integer",
        },
        "1x30",
      ),
      s("kube_pod_status_phase", { namespace: "serving", pod: "p1", phase }, "1x30"),
    ];
    it("fires for a GPU no running pod requested for an hour", async () => {
      await expectPass([
        test(
          "empty node",
          "5m",
          [node],
          [fires("AcceleratorsUnrequested", "90m", { node: "ip-10-30-1-1", resource: "nvidia_com_gpu" })],
        ),
      ]);
    });
    it("stays silent while a running pod holds it", async () => {
      await expectPass([test("held", "5m", [node, ...gpuPod("Running")], [silent("AcceleratorsUnrequested", "90m")])]);
    });
  });

  describe("AcceleratorPodsPending", () => {
    const pending = (opts: { unschedulable: boolean; resource?: string }) => [
      s("kube_pod_status_phase", { namespace: "serving", pod: "p1", uid: "u1", phase: "Pending" }, "1x40"),
      s(
        "kube_pod_container_resource_requests",
        {
          namespace: "serving",
          pod: "p1",
          uid: "u1",
          container: "kserve-container",
          node: "",
          resource: opts.resource ?? "nvidia_com_gpu",
          unit: "integer",
        },
        "1x40",
      ),
      ...(opts.unschedulable
        ? [s("kube_pod_status_unschedulable", { namespace: "serving", pod: "p1", uid: "u1" }, "1x40")]
        : []),
    ];
    it("fires for an accelerator pod no node can take for 15 minutes", async () => {
      await expectPass([
        test("unschedulable", "1m", pending({ unschedulable: true }), [
          silent("AcceleratorPodsPending", "10m"),
          fires("AcceleratorPodsPending", "20m", { namespace: "serving", pod: "p1" }),
        ]),
      ]);
    });
    it("stays silent for a scheduled pod still starting (pulling its image, downloading its model) and for CPU pods", async () => {
      await expectPass([
        test("starting", "1m", pending({ unschedulable: false }), [silent("AcceleratorPodsPending", "35m")]),
        test("cpu", "1m", pending({ unschedulable: true, resource: "cpu" }), [silent("AcceleratorPodsPending", "35m")]),
      ]);
    });
  });

  describe("SpotInterruptionsHigh (more than 3 an hour)", () => {
    const warnings = (values: string) =>
      s(
        "karpenter_interruption_received_messages_total",
        { job: "karpenter", message_type: "spot_interrupted" },
        values,
      );
    it("counts all 4 warnings of the hour, the first of which created the counter", async () => {
      const input = [warnings("_x10 1x10 2x10 3x10 4x20")];
      await expectPass([
        test("four", "1m", input, [
          valueOf("SpotInterruptionsHigh", "45m", [{ labels: {}, value: 4 }]),
          fires("SpotInterruptionsHigh", "50m", {}),
        ]),
      ]);
    });
    it("counts across a counter reset (Karpenter restarted)", async () => {
      await expectPass([
        test(
          "reset",
          "1m",
          [warnings("0x10 1x10 2x5 0x5 1x10 2x10 3x10")],
          [valueOf("SpotInterruptionsHigh", "62m", [{ labels: {}, value: 5 }])],
        ),
      ]);
    });
    it("counts the warnings of a leader that handed over inside the hour (old: its 2 were lost)", async () => {
      // Only the leader counts; the old leader's pod is replaced and its series ends, the new one starts at 1.
      const from = (pod: string, values: string) =>
        s(
          "karpenter_interruption_received_messages_total",
          { job: "karpenter", pod, message_type: "spot_interrupted" },
          values,
        );
      await expectPass([
        test(
          "leader change",
          "1m",
          [from("karpenter-a", "_x5 1x10 2x10 stale"), from("karpenter-b", "_x30 1x10 2x20")],
          [
            valueOf("SpotInterruptionsHigh", "50m", [{ labels: {}, value: 4 }]),
            fires("SpotInterruptionsHigh", "55m", {}),
          ],
        ),
      ]);
    });
    it("stays silent for 3 in an hour, or none", async () => {
      await expectPass([
        test("three", "1m", [warnings("0x10 1x10 2x10 3x30")], [silent("SpotInterruptionsHigh", "55m")]),
        test("none", "1m", [warnings("0x60")], [silent("SpotInterruptionsHigh", "55m")]),
      ]);
    });
  });

  describe("KarpenterNodePoolNearLimit", () => {
    // Karpenter's resource_type keeps the resource's name (`nvidia.com/gpu`); kube-state-metrics sanitizes it.
    const gpu = { nodepool: "gpu-spot", resource_type: "nvidia.com/gpu" };
    const pool = (usage: number) => [
      s("karpenter_nodepools_usage", gpu, `${usage}x30`),
      s("karpenter_nodepools_limit", gpu, "16x30"),
    ];
    /** An unschedulable pod requesting one `resource` (kube-state-metrics' name), for `values`. */
    const unschedulable = (pod: string, resource = "nvidia_com_gpu", values = "1x30") => [
      s("kube_pod_status_unschedulable", { namespace: "serving", pod, uid: `uid-${pod}` }, values),
      s(
        "kube_pod_container_resource_requests",
        { namespace: "serving", pod, uid: `uid-${pod}`, container: "c", node: "", resource, unit: "integer" },
        "1x30",
      ),
    ];
    it("fires at 90% of a pool's limit while pods needing its devices are unschedulable, and stays silent below", async () => {
      await expectPass([
        test(
          "near, pods pending",
          "1m",
          [...pool(15), ...unschedulable("fraud-detector-predictor-abc")],
          [fires("KarpenterNodePoolNearLimit", "20m", gpu)],
        ),
        test(
          "room, pods pending",
          "1m",
          [...pool(8), ...unschedulable("fraud-detector-predictor-abc")],
          [silent("KarpenterNodePoolNearLimit", "20m")],
        ),
      ]);
    });
    it("stays silent near the limit while nothing waits for a node, or only pods the pool cannot serve", async () => {
      await expectPass([
        test("near, nothing pending", "1m", pool(15), [silent("KarpenterNodePoolNearLimit", "20m")]),
        test(
          "near, a pod was pending and got scheduled",
          "1m",
          [...pool(15), ...unschedulable("p", "nvidia_com_gpu", "1x5")],
          [silent("KarpenterNodePoolNearLimit", "25m")],
        ),
        // Old rule: any unschedulable pod in the cluster made the GPU pool's alert fire.
        test(
          "near, a CPU pod and a Neuron pod pending",
          "1m",
          [...pool(15), ...unschedulable("web-1", "cpu"), ...unschedulable("llm-1", "aws_amazon_com_neuron")],
          [silent("KarpenterNodePoolNearLimit", "20m")],
        ),
      ]);
    });
  });

  describe("ClusterAutoscalerNodeGroupAtMax", () => {
    const group = (target: number, unschedulable: number) => [
      s("cluster_autoscaler_node_group_target_count", { node_group: "gpu-spot-a" }, `${target}x30`),
      s("cluster_autoscaler_node_group_max_count", { node_group: "gpu-spot-a" }, "2x30"),
      s("cluster_autoscaler_unschedulable_pods_count", { type: "unschedulable" }, `${unschedulable}x30`),
    ];
    it("fires at the maximum while pods are unschedulable", async () => {
      await expectPass([
        test("blocked", "1m", group(2, 3), [
          fires("ClusterAutoscalerNodeGroupAtMax", "20m", { node_group: "gpu-spot-a" }),
        ]),
      ]);
    });
    it("stays silent at the maximum with nothing pending, and below it", async () => {
      await expectPass([
        test("full, nothing waits", "1m", group(2, 0), [silent("ClusterAutoscalerNodeGroupAtMax", "20m")]),
        test("room", "1m", group(1, 3), [silent("ClusterAutoscalerNodeGroupAtMax", "20m")]),
      ]);
    });
  });

  describe("ModelDnsSyncStale", () => {
    const dns = { job: "external-dns", namespace: "external-dns", instance: "10.0.0.9:7979" };
    // The gauge holds the time of the last successful sync; promtool's clock starts at 0.
    it("fires when ExternalDNS stops syncing the zone, and when it never synced", async () => {
      await expectPass([
        test(
          "stopped at 5m",
          "1m",
          [s("external_dns_controller_last_sync_timestamp_seconds", dns, "0+60x5 300x30")],
          [silent("ModelDnsSyncStale", "14m"), fires("ModelDnsSyncStale", "25m", {})],
        ),
        test(
          "never synced",
          "1m",
          [s("external_dns_controller_last_sync_timestamp_seconds", dns, "0x30")],
          [fires("ModelDnsSyncStale", "20m", {})],
        ),
      ]);
    });
    it("stays silent while it syncs every minute, and where there is no private zone", async () => {
      await expectPass([
        test(
          "syncing",
          "1m",
          [s("external_dns_controller_last_sync_timestamp_seconds", dns, "0+60x40")],
          [silent("ModelDnsSyncStale", "40m")],
        ),
        test(
          "no zone, no series",
          "1m",
          [s("up", { job: "karpenter", instance: "10.0.0.3:8080" }, "1x40")],
          [silent("ModelDnsSyncStale", "40m")],
        ),
      ]);
    });
  });

  describe("ScrapeTargetDown", () => {
    // Model servers' targets carry the kit's model label (their monitors copy it from the pod).
    const fd = { mlserving_model: "fraud-detector" };
    const scorer = { mlserving_model: "fraud-scorer" };
    it("fires for a kit exporter or a model server (serving or a team's) that cannot be scraped, not for healthy targets", async () => {
      await expectPass([
        test(
          "down",
          "1m",
          [
            s("up", { job: "dcgm-exporter", instance: "10.0.0.1:9400" }, "0x20"),
            s(
              "up",
              { ...fd, job: "serving/triton-gpu", namespace: "serving", pod: "fd-1", instance: "10.0.0.2:8002" },
              "0x20",
            ),
            s(
              "up",
              { ...scorer, job: "fraud/vllm-gpu", namespace: "fraud", pod: "sc-1", instance: "10.0.0.4:8080" },
              "0x20",
            ),
            s("up", { job: "karpenter", instance: "10.0.0.3:8080" }, "1x20"),
          ],
          [
            fires("ScrapeTargetDown", "15m", { job: "dcgm-exporter", instance: "10.0.0.1:9400" }),
            fires("ScrapeTargetDown", "15m", {
              ...fd,
              job: "serving/triton-gpu",
              namespace: "serving",
              pod: "fd-1",
              instance: "10.0.0.2:8002",
            }),
            fires("ScrapeTargetDown", "15m", {
              ...scorer,
              job: "fraud/vllm-gpu",
              namespace: "fraud",
              pod: "sc-1",
              instance: "10.0.0.4:8080",
            }),
            silent("ScrapeTargetDown", "15m", { job: "karpenter" }),
          ],
        ),
      ]);
    });
  });

  describe("ScrapeTargetDown on a model server's cold start", () => {
    const id = (pod: string) => ({ namespace: "serving", pod, uid: `uid-${pod}` });
    /** The pod's target down for 25 minutes; the pod created at `createdMin`, with `restarts`, never ready. */
    const cold = (pod: string, createdMin: number, restarts: string) => [
      s(
        "up",
        {
          mlserving_model: "support-llm",
          job: "serving/vllm-gpu",
          namespace: "serving",
          pod,
          instance: "10.0.0.9:8080",
        },
        "0x25",
      ),
      s("kube_pod_created", id(pod), `${createdMin * 60}x25`),
      s("kube_pod_status_ready", { ...id(pod), condition: "true" }, "0x25"),
      s("kube_pod_container_status_restarts_total", { ...id(pod), container: "kserve-container" }, restarts),
    ];
    const down = (pod: string) => ({
      mlserving_model: "support-llm",
      job: "serving/vllm-gpu",
      namespace: "serving",
      pod,
      instance: "10.0.0.9:8080",
    });
    it("stays silent while a large LLM pulls its image and loads (old: fired after 10 minutes)", async () => {
      await expectPass([test("cold start", "1m", cold("llm-1", 0, "0x25"), [silent("ScrapeTargetDown", "20m")])]);
    });
    it("fires for a pod that restarted, or that has been starting longer than the allowance", async () => {
      await expectPass([
        test("restarted", "1m", cold("llm-1", 0, "0x3 1x22"), [fires("ScrapeTargetDown", "20m", down("llm-1"))]),
        test("too long", "1m", cold("llm-2", -25, "0x25"), [fires("ScrapeTargetDown", "20m", down("llm-2"))]),
      ]);
    });
  });

  describe("NeuronCoresIdle with team models", () => {
    const atFloor = alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: { neuron: 2 } });
    const instance = (id: string) =>
      s(
        "neuroncore_utilization_ratio",
        { instance_id: id, instance_type: "inf2.xlarge", neuroncore: "0", runtime_tag: "1" },
        "0.01x48",
      );
    const teamPod = (pod: string) => {
      const l = { namespace: "fraud", pod, uid: `uid-${pod}` };
      return [
        s("kube_pod_labels", { ...l, label_mlserving_io_model: "fraud-llm" }, "1x48"),
        s("kube_pod_status_phase", { ...l, phase: "Running" }, "1x48"),
        s(
          "kube_pod_container_resource_requests",
          { ...l, container: "kserve-container", node: "n", resource: "aws_amazon_com_neuron", unit: "integer" },
          "1x48",
        ),
      ];
    };
    it("counts a team's running Neuron model replica in the floor (old: the platform's models only)", async () => {
      await expectPass(
        [
          test(
            "platform floor 2, team replica 1",
            "5m",
            [instance("i-0a"), instance("i-0b"), instance("i-0c"), ...teamPod("fraud-llm-predictor-1")],
            [silent("NeuronCoresIdle", "200m")],
          ),
          test(
            "one more idle than both",
            "5m",
            [
              instance("i-0a"),
              instance("i-0b"),
              instance("i-0c"),
              instance("i-0d"),
              ...teamPod("fraud-llm-predictor-1"),
            ],
            [fires("NeuronCoresIdle", "200m", { instance_id: "i-0d", instance_type: "inf2.xlarge" })],
          ),
        ],
        "1m",
        atFloor,
      );
    });
  });

  describe("AcceleratorExporterMissing", () => {
    const gpuNode = s(
      "kube_node_status_allocatable",
      { node: "ip-10-30-1-1", resource: "nvidia_com_gpu", unit: "integer" },
      "1x30",
    );
    it("fires when GPU nodes run and no DCGM exporter is scraped at all (old: nothing fired)", async () => {
      await expectPass([
        test(
          "gone",
          "1m",
          [gpuNode],
          [fires("AcceleratorExporterMissing", "20m", {}, { ruleLabels: { job: "dcgm-exporter" } })],
        ),
      ]);
    });
    it("stays silent with the exporter up, or without GPU nodes", async () => {
      await expectPass([
        test(
          "up",
          "1m",
          [gpuNode, s("up", { job: "dcgm-exporter", instance: "10.0.0.1:9400" }, "1x30")],
          [silent("AcceleratorExporterMissing", "20m")],
        ),
        test("no GPU nodes", "1m", [], [silent("AcceleratorExporterMissing", "20m")]),
      ]);
    });
  });

  describe("KEDA", () => {
    const hpa = s(
      "kube_horizontalpodautoscaler_info",
      {
        namespace: "serving",
        horizontalpodautoscaler: "keda-hpa-fraud-detector",
        scaletargetref_api_version: "apps/v1",
        scaletargetref_kind: "Deployment",
        scaletargetref_name: "fraud-detector-predictor",
      },
      "1x30",
    );
    it("KedaOperatorMissing fires when KEDA's HPAs exist and no operator is scraped, not while it is up or without HPAs", async () => {
      await expectPass([
        test("gone", "1m", [hpa], [fires("KedaOperatorMissing", "20m", {})]),
        test(
          "up",
          "1m",
          [hpa, s("up", { job: "keda-operator", namespace: "keda", instance: "10.0.0.5:8080" }, "1x30")],
          [silent("KedaOperatorMissing", "20m")],
        ),
        test("no HPAs", "1m", [], [silent("KedaOperatorMissing", "20m")]),
      ]);
    });
    it("KedaScaledObjectErrors fires for a ScaledObject whose scaler keeps failing, not for one that failed once", async () => {
      const errors = (values: string) =>
        s(
          "keda_scaled_object_errors_total",
          { job: "keda-operator", namespace: "serving", scaledObject: "fraud-detector" },
          values,
        );
      await expectPass([
        test(
          "failing",
          "1m",
          [errors("1+2x40")],
          [fires("KedaScaledObjectErrors", "25m", { namespace: "serving", scaledObject: "fraud-detector" })],
        ),
        test("once", "1m", [errors("1x5 2x35")], [silent("KedaScaledObjectErrors", "30m")]),
      ]);
    });
  });

  it("every alert rule has at least one firing case above", async () => {
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(__filename, "utf8");
    const missing = [...new Set(allRules.map((r) => r.alert))].filter((a) => !text.includes(`fires("${a}"`));
    expect(missing, `alerts without a firing case: ${missing.join(", ")}`).toEqual([]);
  });
});
