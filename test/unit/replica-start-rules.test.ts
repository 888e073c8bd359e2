import { describe, expect, it } from "vitest";
import { MODEL_SCOPE } from "../../components/monitoring/alert-rules";
import { catalogEntryFor, unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import {
  MODEL_SERVER_CONTAINERS,
  POD_START_TIMES,
  replicaStartRuleGroup,
  START_FIGURES,
} from "../../components/monitoring/replica-start-rules";
import { tritonDeployment } from "../../components/serving/triton-builders";
import { MODEL_RUNTIMES } from "../../components/serving/runtimes";
import { TRITON_GPU_MODEL } from "../fixtures/models";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

const group = replicaStartRuleGroup();

describe("replica-start recording rules", () => {
  it("are one group recording the per-pod times, then the figures per model and track", () => {
    expect(group.name).toBe("mlserving-replica-start");
    expect(group.rules.map((r) => r.record)).toEqual([
      ...Object.values(POD_START_TIMES),
      START_FIGURES.replicaStart,
      START_FIGURES.serverStart,
      START_FIGURES.tritonModelLoad,
    ]);
    // Recording rules only: no alert is raised on a start (an event, not a state).
    for (const r of group.rules) expect(Object.keys(r).sort()).toEqual(["expr", "record"]);
  });

  it("follow Prometheus's level:metric:operations naming, the figures at the kit's model level", () => {
    for (const r of group.rules) expect(r.record).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
    for (const name of Object.values(START_FIGURES)) expect(name).toMatch(/^mlserving:\w+_(seconds|secs):max24h$/);
    for (const name of Object.values(POD_START_TIMES)) expect(name).toMatch(/^mlserving_pod:kube_pod_\w+:relabel$/);
  });

  it.each(group.rules.map((r) => [r.record, r] as const))("%s parses and reads catalogued series only", (_n, r) => {
    expect(promqlSyntaxErrors(r.expr)).toEqual([]);
    expect(unknownMetricNames(metricNamesIn(r.expr))).toEqual([]);
  });

  it("catalogue what they record, labelled as the rules aggregate", () => {
    for (const f of [START_FIGURES.replicaStart, START_FIGURES.serverStart]) {
      expect(catalogEntryFor(f)?.info.labels).toEqual([...MODEL_SCOPE]);
      expect(group.rules.find((r) => r.record === f)!.expr).toMatch(
        new RegExp(`^max by \\(${MODEL_SCOPE.join(", ")}\\) \\(`),
      );
    }
    expect(catalogEntryFor(START_FIGURES.tritonModelLoad)?.info.labels).toEqual([...MODEL_SCOPE, "model"]);
    for (const t of Object.values(POD_START_TIMES)) expect(catalogEntryFor(t)?.info.labels).toContain("pod");
  });

  it("time the server container the kit's Triton Deployment and KServe runtimes actually name", () => {
    const triton = tritonDeployment({ model: TRITON_GPU_MODEL, serviceAccountName: "sa", region: "us-east-1" });
    // Every runtime's ServingRuntime (KServe) runs its server in one container.
    const kserve = Object.values(MODEL_RUNTIMES).map(
      (r) => r.servingRuntime("serving").spec.containers as { name: string }[],
    );
    for (const containers of kserve) expect(containers).toHaveLength(1);
    expect(new Set(MODEL_SERVER_CONTAINERS)).toEqual(
      new Set([triton.spec.template.spec.containers[0].name, ...kserve.map((c) => c[0].name)]),
    );
    const started = group.rules.find((r) => r.record === POD_START_TIMES.serverStarted)!.expr;
    expect(started).toContain(`kube_pod_container_state_started{container=~"${MODEL_SERVER_CONTAINERS.join("|")}"}`);
  });

  it("validate against the operator's PrometheusRule schema", () => {
    validateAgainstUpstreamSchema({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "mlserving-alerts", namespace: "monitoring" },
      spec: { groups: [group] },
    });
  });
});
