/**
 * Dashboard queries whose meaning depends on the series the exporters produce, evaluated by
 * `promtool test rules` (Debian's Prometheus 2.42) on the panel's own query from the JSON.
 */
import { expect, it } from "vitest";
import capacity from "../../components/monitoring/dashboards/capacity.json";
import { describeWithTools, promtoolTestRules, series } from "../prom-tools";

function panelQuery(title: string, legend: string): string {
  const panel = (capacity.panels as { title?: string; targets?: { expr: string; legendFormat?: string }[] }[]).find(
    (p) => p.title === title,
  );
  const t = panel?.targets?.find((x) => x.legendFormat === legend);
  if (!t) throw new Error(`no panel "${title}" with legend "${legend}"`);
  return t.expr;
}

describeWithTools("dashboard queries under promtool", ["promtool"], () => {
  it('"Allocated but idle" counts idle GPUs a pod holds, not GPUs no pod holds', async () => {
    const util = (labels: Record<string, string>, v: number) => ({
      series: series("DCGM_FI_DEV_GPU_UTIL", {
        Hostname: "n1",
        job: "dcgm-exporter",
        instance: "10.0.0.1:9400",
        ...labels,
      }),
      values: `${v}x60`,
    });
    const r = await promtoolTestRules(
      [],
      [
        {
          name: "idle gpus",
          interval: "1m",
          input_series: [
            util({ gpu: "0", namespace: "research", pod: "notebook-0" }, 1),
            util({ gpu: "1", namespace: "serving", pod: "fd-1" }, 70),
            // Unallocated: DCGM attributes it to no pod; the ServiceMonitor no longer adds its own.
            util({ gpu: "2" }, 0),
          ],
          promql_expr_test: [
            {
              expr: panelQuery("Allocated but idle", "GPUs"),
              eval_time: "45m",
              exp_samples: [{ labels: "{}", value: 1 }],
            },
          ],
        },
      ],
    );
    expect(r.output, r.output).toMatch(/SUCCESS/);
  });

  it('"Interruption messages" counts every spot warning of the hour, the first included', async () => {
    const r = await promtoolTestRules(
      [],
      [
        {
          name: "spot",
          interval: "1m",
          input_series: [
            {
              series: series("karpenter_interruption_received_messages_total", { message_type: "spot_interrupted" }),
              values: "_x10 1x10 2x10 3x10 4x20",
            },
          ],
          promql_expr_test: [
            {
              expr: panelQuery("Interruption messages (Karpenter)", "{{message_type}}"),
              eval_time: "45m",
              exp_samples: [{ labels: '{message_type="spot_interrupted"}', value: 4 }],
            },
          ],
        },
      ],
    );
    expect(r.output, r.output).toMatch(/SUCCESS/);
  });
});
