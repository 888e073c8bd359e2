import { describe, expect, it } from "vitest";
import {
  alertRuleGroups,
  AlertRule,
  BURN_PAGE_MIN_REQUESTS,
  BURN_RATE_WINDOWS,
  DEFAULT_ALERT_RULE_INPUT,
  KIT_SCRAPE_JOBS,
  leLabelValue,
  prometheusRule,
  TRITON_FIRST_RESPONSE_BUCKETS_MS,
} from "../../components/monitoring/alert-rules";
import { InvalidArgsError } from "../../components/common/errors";
import { ACCELERATOR_KINDS, ACCELERATORS, type AcceleratorKindRecord } from "../../components/common/accelerators";
import { unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

const rules = (input = DEFAULT_ALERT_RULE_INPUT): AlertRule[] => alertRuleGroups(input).flatMap((g) => g.rules);
const burnRules = (input = DEFAULT_ALERT_RULE_INPUT) =>
  rules(input).filter((r) => r.alert === "TritonLatencyBudgetBurn");
const exprProblems = (r: Pick<AlertRule, "alert" | "expr">): string[] => {
  const errors = promqlSyntaxErrors(r.expr);
  if (errors.length > 0) return [`${r.alert}: syntax error at ${errors.join(", ")}`];
  return unknownMetricNames(metricNamesIn(r.expr)).map((n) => `${r.alert}: metric ${n} is not in METRIC_CATALOG`);
};

describe("alertRuleGroups (defaults)", () => {
  it("has the kit's alerts, in uniquely named groups", () => {
    const groups = alertRuleGroups(DEFAULT_ALERT_RULE_INPUT);
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
    expect(new Set(rules().map((r) => r.alert))).toEqual(
      new Set([
        "TritonLatencyBudgetBurn",
        "TritonLatencyHistogramMissing",
        "ModelDown",
        "TritonErrorRateHigh",
        "TritonQueueTimeHigh",
        "VllmQueueTimeHigh",
        "ModelMetricsMissing",
        "GpuMemoryNearFull",
        "GpuIdle",
        "NeuronCoresIdle",
        "AcceleratorsUnrequested",
        "SpotInterruptionsHigh",
        "AcceleratorPodsPending",
        "KarpenterNodePoolNearLimit",
        "ClusterAutoscalerNodeGroupAtMax",
        "ModelDnsSyncStale",
        "ScrapeTargetDown",
        "AcceleratorExporterMissing",
        "KedaOperatorMissing",
        "KedaScaledObjectErrors",
      ]),
    );
  });

  it.each(rules().map((r, i) => [`${r.alert}#${i}`, r] as const))(
    "%s: severity, for, summary and an actionable runbook",
    (_n, r) => {
      expect(["critical", "warning"]).toContain(r.labels.severity);
      expect(r.for).toMatch(/^\d+[smhd]$/);
      expect(r.annotations.summary.length).toBeGreaterThan(20);
      expect(r.annotations.runbook.length).toBeGreaterThan(80);
      expect(r.annotations.runbook).not.toMatch(/https?:\/\//);
    },
  );

  it.each(rules().map((r, i) => [`${r.alert}#${i}`, r] as const))(
    "%s: expression parses and uses catalog metrics only",
    (_n, r) => {
      expect(exprProblems(r)).toEqual([]);
    },
  );
});

describe("latency SLO burn-rate alerts", () => {
  it("pages at 14.4x over 1h and 5m and 6x over 6h and 30m; tickets at 1x over 3d and 6h", () => {
    expect(burnRules().map((r) => [r.labels.long, r.labels.short, r.labels.severity])).toEqual([
      ["1h", "5m", "critical"],
      ["6h", "30m", "critical"],
      ["3d", "6h", "warning"],
    ]);
  });

  it.each(BURN_RATE_WINDOWS.map((w) => [w.long, w.short, w.factor] as const))(
    "%s/%s: both windows must burn above %sx the budget",
    (long, short, factor) => {
      const r = burnRules().find((x) => x.labels.long === long)!;
      const sides = r.expr.split(/\nand on \(namespace, mlserving_model, mlserving_track, model\)\n/);
      // Pages carry a third condition, the minimum of requests in the long window.
      const page = r.labels.severity === "critical";
      expect(sides).toHaveLength(page ? 3 : 2);
      if (page)
        expect(sides.pop()).toBe(
          `sum by (namespace, mlserving_model, mlserving_track, model) (increase(nv_inference_first_response_histogram_ms_count[${long}])) ` +
            `>= ${BURN_PAGE_MIN_REQUESTS}`,
        );
      expect(sides[0]).toContain(`[${long}]`);
      expect(sides[0]).not.toContain(`[${short}]`);
      expect(sides[1]).toContain(`[${short}]`);
      expect(sides[1]).not.toContain(`[${long}]`);
      for (const side of sides) expect(side).toContain(`> (${factor} * 0.01)`);
    },
  );

  it("counts requests slower than the objective from the histogram bucket at the SLO bound", () => {
    for (const r of burnRules()) {
      expect(r.expr).toContain('nv_inference_first_response_histogram_ms_bucket{le="500.0"}');
      expect(r.expr).toContain("nv_inference_first_response_histogram_ms_count");
    }
  });

  it("defaults to a bound of Triton's default buckets", () => {
    expect(TRITON_FIRST_RESPONSE_BUCKETS_MS).toEqual([100, 500, 2000, 5000]);
    expect(TRITON_FIRST_RESPONSE_BUCKETS_MS).toContain(DEFAULT_ALERT_RULE_INPUT.latencySloMs);
  });

  it("follows another objective and target", () => {
    const input = { ...DEFAULT_ALERT_RULE_INPUT, latencySloMs: 2000, latencySloTarget: 0.995 };
    expect(burnRules(input).length).toBeGreaterThanOrEqual(3);
    for (const r of burnRules(input)) {
      expect(r.expr).toContain('le="2000.0"');
      expect(r.expr).toContain("* 0.005)");
      expect(r.annotations.summary).toContain("2000 ms for 99.5% of requests");
    }
  });

  it("writes le the way Prometheus 3 stores it", () => {
    expect(leLabelValue(500)).toBe("500.0");
    expect(leLabelValue(0.25)).toBe("0.25");
  });
});

describe("thresholds", () => {
  it("put the error-rate and queue-time thresholds into the rules", () => {
    const input = { ...DEFAULT_ALERT_RULE_INPUT, errorRateThreshold: 0.02, queueTimeMsThreshold: 75 };
    const byName = (n: string) => rules(input).find((r) => r.alert === n)!;
    expect(byName("TritonErrorRateHigh").expr).toMatch(/> 0\.02$/);
    expect(byName("TritonQueueTimeHigh").expr).toMatch(/\/ 1000 > 75$/);
    expect(byName("VllmQueueTimeHigh").expr).toMatch(/\* 1000 > 75$/);
  });

  it("compare GPU memory as FB_USED / (FB_USED + FB_FREE)", () => {
    expect(rules().find((r) => r.alert === "GpuMemoryNearFull")!.expr).toContain(
      "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)",
    );
  });

  it("watch the kit's scrape jobs and every model server's targets, in serving or a team's namespace", () => {
    const expr = rules().find((r) => r.alert === "ScrapeTargetDown")!.expr;
    expect(expr).toContain(`up{job=~"${KIT_SCRAPE_JOBS.join("|")}"} == 0`);
    expect(expr).toContain('up{mlserving_model!=""} == 0');
    // No rule pins model series to the serving namespace: teams' models are alerted on alike.
    for (const r of rules()) expect(r.expr, r.alert).not.toMatch(/namespace="serving"/);
  });

  it("reject an objective that is not a bucket bound, naming the field", () => {
    expect(() => alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, latencySloMs: 300 })).toThrow(
      /latencySloMs: must be one of the first-response histogram bucket bounds \(100, 500, 2000, 5000 ms\)/,
    );
    expect(() =>
      alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, latencySloMs: 300, latencyBucketsMs: [50, 300, 1000] }),
    ).not.toThrow();
  });

  it("reject a kind's replica floor that is not a whole number of replicas, or a floor of no kind, naming the field", () => {
    for (const floor of [-1, 1.5])
      expect(() =>
        alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: { neuron: floor } }),
      ).toThrow(/idleDeviceReplicaFloors\.neuron: must be a whole number of replicas, 0 or more/);
    expect(() =>
      alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: { tpu: 1 } as never }),
    ).toThrow(/idleDeviceReplicaFloors\.tpu: is not an accelerator kind/);
  });

  it("give each kind with an idle alert in its record that alert, on its own floor, and no other kind one", () => {
    const rules = (floors: Record<string, number>) =>
      alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: floors })
        .find((g) => g.name === "mlserving-accelerators")!
        .rules.map((r) => r.alert);
    const idle = ACCELERATOR_KINDS.flatMap((k) => {
      const a = (ACCELERATORS[k] as AcceleratorKindRecord).idleAlert;
      return a ? [a.alert] : [];
    });
    expect(idle).toEqual(["NeuronCoresIdle"]);
    expect(rules({})).toEqual(["GpuMemoryNearFull", "GpuIdle", ...idle, "AcceleratorsUnrequested"]);
    const neuron = alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: { nvidia: 5, neuron: 3 } })
      .flatMap((g) => g.rules)
      .find((r) => r.alert === "NeuronCoresIdle")!;
    expect(neuron.expr).toContain(
      '\n> (3 + (count((max by (namespace, pod) (kube_pod_container_resource_requests{resource="aws_amazon_com_neuron"',
    );
    expect(neuron.annotations.summary).toContain("the Neuron models' floor (3 replica(s)");
  });

  it("reject out-of-range thresholds, every problem at once", () => {
    let error: unknown;
    try {
      alertRuleGroups({
        latencySloMs: 500,
        latencySloTarget: 0.9,
        errorRateThreshold: 1.5,
        queueTimeMsThreshold: 0,
        scrapeJobs: ["a|b"],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgsError);
    expect((error as InvalidArgsError).problems).toEqual([
      "latencySloTarget: must be above 0.9305 so the 14.4x burn threshold stays below 100% slow requests",
      "errorRateThreshold: must be between 0 and 1",
      "queueTimeMsThreshold: must be positive",
      "scrapeJobs: must be non-empty job names without regex characters",
    ]);
  });
});

describe("the expression checker", () => {
  it("fails on a misspelt metric name", () => {
    expect(
      exprProblems({ alert: "X", expr: "DCGM_FI_DEV_FB_USD / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.95" }),
    ).toEqual(["X: metric DCGM_FI_DEV_FB_USD is not in METRIC_CATALOG"]);
    expect(exprProblems({ alert: "Y", expr: 'sum(rate(vllm:request_success{finished_reason="error"}[5m]))' })).toEqual([
      "Y: metric vllm:request_success is not in METRIC_CATALOG",
    ]);
  });

  it("fails on a syntax error", () => {
    expect(exprProblems({ alert: "Z", expr: "sum by (model) (rate(nv_inference_request_failure[5m])" })[0]).toMatch(
      /^Z: syntax error/,
    );
  });
});

describe("prometheusRule", () => {
  it("is a monitoring.coreos.com/v1 PrometheusRule that passes the upstream schema", () => {
    const obj = prometheusRule("monitoring");
    expect(obj).toMatchObject({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "mlserving-alerts", namespace: "monitoring" },
    });
    expect(obj.spec.groups).toEqual(alertRuleGroups(DEFAULT_ALERT_RULE_INPUT));
    validateAgainstUpstreamSchema(obj);
  });
});
