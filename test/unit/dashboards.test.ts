import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DASHBOARDS, dashboardConfigMap, DASHBOARD_FOLDER } from "../../components/monitoring/dashboards";
import { catalogEntryFor, METRIC_CATALOG, unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { expandGrafanaMacros, labelValuesSelector, metricNamesIn, promqlSyntaxErrors } from "../promql";

/** The kit's own dashboards, and each accelerator kind's beside its record. */
const DASHBOARD_DIRS = [
  join(__dirname, "../../components/monitoring/dashboards"),
  join(__dirname, "../../components/common/accelerators/dashboards"),
];
const DATASOURCE = { type: "prometheus", uid: "prometheus" };

interface Query {
  where: string;
  expr: string;
}

/** Every panel, rows' nested panels included. */
function allPanels(dashboard: any): any[] {
  return (dashboard.panels ?? []).flatMap((p: any) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL expression of a dashboard: panel targets and `label_values` variable selectors. */
function queriesOf(dashboard: any): Query[] {
  const fromPanels = allPanels(dashboard).flatMap((p: any) =>
    (p.targets ?? []).map((t: any) => ({
      where: `${dashboard.uid} panel "${p.title}" ${t.refId}`,
      expr: expandGrafanaMacros(t.expr),
    })),
  );
  const fromVariables = (dashboard.templating?.list ?? [])
    .filter((v: any) => v.type === "query")
    .map((v: any) => {
      const query = typeof v.query === "string" ? v.query : v.query.query;
      const selector = labelValuesSelector(query);
      if (selector === undefined) throw new Error(`${dashboard.uid} variable ${v.name}: unsupported query ${query}`);
      return { where: `${dashboard.uid} variable ${v.name}`, expr: selector };
    });
  return [...fromPanels, ...fromVariables];
}

/** Problems of a set of queries: syntax errors and metric names missing from the catalog. */
function queryProblems(queries: Query[]): string[] {
  return queries.flatMap((q) => {
    const errors = promqlSyntaxErrors(q.expr);
    if (errors.length > 0) return [`${q.where}: syntax error at ${errors.join(", ")} in ${q.expr}`];
    return unknownMetricNames(metricNamesIn(q.expr)).map((n) => `${q.where}: metric ${n} is not in METRIC_CATALOG`);
  });
}

describe("dashboard files", () => {
  const paths = new Map(
    DASHBOARD_DIRS.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => [f, join(dir, f)] as const),
    ),
  );
  const files = [...paths.keys()].sort();

  it("are exactly the dashboards the kit ships, the accelerator kinds' from their records", () => {
    expect(files).toEqual(DASHBOARDS.map((d) => `${d.name}.json`).sort());
    expect(DASHBOARDS.map((d) => d.name)).toEqual(["model-serving", "gpu", "neuron", "capacity", "llm", "llm-gateway"]);
    expect(dashboardConfigMap(DASHBOARDS[2], "monitoring").metadata.name).toBe("mlserving-dashboard-neuron");
  });

  it.each(files)("%s parses as JSON and matches the imported model", (file) => {
    const parsed = JSON.parse(readFileSync(paths.get(file)!, "utf8"));
    expect(parsed).toEqual(DASHBOARDS.find((d) => `${d.name}.json` === file)?.json);
  });
});

describe.each(DASHBOARDS.map((d) => [d.name, d.json as any] as const))("dashboard %s", (_name, dashboard) => {
  it("has a uid, a title, the kit's tag, schemaVersion 39 and panels", () => {
    expect(dashboard.uid).toMatch(/^mlserving-[a-z-]+$/);
    expect(dashboard.title).toMatch(/^ML serving \/ /);
    expect(dashboard.tags).toEqual(["mlserving"]);
    expect(dashboard.schemaVersion).toBe(39);
    expect(allPanels(dashboard).filter((p) => p.type !== "row").length).toBeGreaterThan(3);
  });

  it("queries the provisioned Prometheus datasource from every panel, target and variable", () => {
    for (const p of allPanels(dashboard).filter((p) => p.type !== "row")) {
      expect(p.datasource, p.title).toEqual(DATASOURCE);
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.datasource, p.title).toEqual(DATASOURCE);
    }
    for (const v of dashboard.templating.list) expect(v.datasource, v.name).toEqual(DATASOURCE);
  });

  it("has unique panel ids and no overlapping panels", () => {
    const panels = allPanels(dashboard);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          const cell = `${i},${j}`;
          expect(cells.has(cell), `${p.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
    }
  });

  it("has only PromQL that parses, on metrics in the catalog", () => {
    const queries = queriesOf(dashboard);
    expect(queries.length).toBeGreaterThan(3);
    expect(queryProblems(queries)).toEqual([]);
  });
});

describe("dashboards together", () => {
  it("have distinct uids", () => {
    const uids = DASHBOARDS.map((d) => (d.json as any).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("cover what each dashboard is for", () => {
    const names = (name: string) =>
      new Set(queriesOf(DASHBOARDS.find((d) => d.name === name)!.json).flatMap((q) => metricNamesIn(q.expr)));
    expect([...names("model-serving")]).toEqual(
      expect.arrayContaining([
        "nv_inference_request_success",
        "nv_inference_request_failure",
        "nv_inference_queue_duration_us",
        "nv_inference_first_response_histogram_ms_bucket",
        "vllm:e2e_request_latency_seconds_bucket",
        "vllm:request_success_total",
        // The measured replica starts (replica-start-rules.ts).
        "mlserving:replica_start_seconds:max24h",
        "mlserving:server_start_seconds:max24h",
        "mlserving:nv_model_load_duration_secs:max24h",
      ]),
    );
    expect([...names("gpu")]).toEqual(
      expect.arrayContaining([
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_FB_USED",
        "DCGM_FI_DEV_POWER_USAGE",
        "DCGM_FI_DEV_GPU_TEMP",
      ]),
    );
    expect([...names("neuron")]).toEqual(
      expect.arrayContaining(["neuroncore_utilization_ratio", "neuron_runtime_memory_used_bytes"]),
    );
    expect([...names("llm-gateway")]).toEqual(
      expect.arrayContaining([
        "inference_pool_average_queue_size",
        "inference_extension_scheduler_attempts_total",
        "inference_extension_prefix_indexer_hit_ratio_bucket",
      ]),
    );
    expect([...names("capacity")]).toEqual(
      expect.arrayContaining([
        "kube_node_labels",
        "karpenter_interruption_received_messages_total",
        "kube_pod_status_phase",
        "kube_node_status_allocatable",
      ]),
    );
  });

  it("use catalog entries that name an upstream source", () => {
    for (const [name, info] of Object.entries(METRIC_CATALOG)) {
      expect(info.source, name).toMatch(/\S{10,}/);
      expect(info.exporter, name).not.toBe("");
    }
  });
});

describe("the query checker", () => {
  it("flags a misspelt metric name", () => {
    expect(queryProblems([{ where: "t", expr: 'sum(rate(nv_inference_request_sucess{model="m"}[5m]))' }])).toEqual([
      "t: metric nv_inference_request_sucess is not in METRIC_CATALOG",
    ]);
  });

  it("flags a misspelt metric inside a real dashboard", () => {
    const broken = JSON.parse(
      JSON.stringify(DASHBOARDS[0].json).replace(/nv_inference_queue_duration_us/g, "nv_inference_queue_duration_ms"),
    );
    expect(queryProblems(queriesOf(broken)).some((p) => p.includes("nv_inference_queue_duration_ms"))).toBe(true);
  });

  it("accepts _bucket/_sum/_count only on histograms", () => {
    expect(catalogEntryFor("nv_inference_first_response_histogram_ms_bucket")?.name).toBe(
      "nv_inference_first_response_histogram_ms",
    );
    expect(catalogEntryFor("vllm:e2e_request_latency_seconds_count")?.name).toBe("vllm:e2e_request_latency_seconds");
    expect(catalogEntryFor("nv_inference_pending_request_count_bucket")).toBeUndefined();
    expect(unknownMetricNames(["DCGM_FI_DEV_FB_USED_sum", "up"])).toEqual(["DCGM_FI_DEV_FB_USED_sum"]);
  });

  it("flags syntax errors, including unexpanded Grafana macros", () => {
    expect(promqlSyntaxErrors("rate(up[5m]")).not.toEqual([]);
    expect(promqlSyntaxErrors("sum(rate(up[$__rate_interval]))")).not.toEqual([]);
    expect(promqlSyntaxErrors(expandGrafanaMacros("sum(rate(up[$__rate_interval]))"))).toEqual([]);
    expect(promqlSyntaxErrors("")).toEqual([0]);
    expect(queryProblems([{ where: "t", expr: "sum(up) by (" }])[0]).toMatch(/^t: syntax error/);
  });

  it("extracts metric names from selectors only", () => {
    expect(
      metricNamesIn('histogram_quantile(0.9, sum by (le) (rate(a_bucket{job="x"}[5m]))) / on (le) group_left () b'),
    ).toEqual(["a_bucket", "b"]);
    expect(labelValuesSelector('label_values(vllm:num_requests_running{namespace=~"$namespace"}, model_name)')).toBe(
      'vllm:num_requests_running{namespace=~"$namespace"}',
    );
    expect(labelValuesSelector("label_values(model)")).toBeUndefined();
  });
});

describe("dashboardConfigMap", () => {
  it.each(DASHBOARDS.map((d) => [d.name, d] as const))(
    "%s: a ConfigMap the Grafana sidecar picks up, in the ML serving folder",
    (_n, d) => {
      const cm = dashboardConfigMap(d, "monitoring");
      expect(cm).toMatchObject({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: `mlserving-dashboard-${d.name}`,
          namespace: "monitoring",
          labels: { grafana_dashboard: "1" },
          annotations: { grafana_folder: "ML serving" },
        },
      });
      expect(DASHBOARD_FOLDER).toBe("ML serving");
      expect(Object.keys(cm.data)).toEqual([`${d.name}.json`]);
      expect(JSON.parse(cm.data[`${d.name}.json`])).toEqual(d.json);
      // Under the 256 KiB kubectl last-applied annotation limit, far under the 1 MiB ConfigMap limit.
      expect(Buffer.byteLength(cm.data[`${d.name}.json`])).toBeLessThan(256 * 1024);
      validateAgainstUpstreamSchema(cm);
    },
  );
});
