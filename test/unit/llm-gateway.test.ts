import { CHARTS } from "../../components/versions";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import { CONFIG_NAMESPACE, resolvePlatformSpec, StackConfigError } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import {
  endpointPickerConfig,
  endpointPickerObjects,
  gatewayNamespacePolicies,
  inferencePool,
  inferenceService,
  istiodGatewayIngressPolicy,
  istiodValues,
  llmGateway,
  llmRoute,
  modelSpecProblems,
  modelTracks,
  pickerNamespacePolicies,
  rolloutKeyProblems,
  routedByGateway,
  withModelDefaults,
  type ModelSpec,
} from "../../components/serving";
import { hardenedPodProblems } from "../../components/common/pod-security";
import { ISTIOD_ADDON } from "../../components/serving/gateway/addons";
import { chartCrdProblems } from "../../components/common/chart-addon";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const llm = (extra: Partial<ModelSpec> = {}): ModelSpec =>
  withModelDefaults(
    { name: "chat", server: "kserve", accelerator: "nvidia", runtime: "vllm", source: "models:/chat/3", ...extra },
    "staging",
  );
const route = (m: ModelSpec) => llmRoute({ model: m, namespace: "serving", host: "chat.models.internal" });
type Rule = {
  matches: { path: object; headers?: { type: string; name: string; value: string }[] }[];
  backendRefs: { group: string; kind: string; name: string; weight?: number }[];
  filters?: { type: string; requestMirror: { backendRef: { name: string; port: number }; percent?: number } }[];
};
const rules = (m: ModelSpec) => route(m).spec.rules as Rule[];

describe("the model's HTTPRoute", () => {
  it("sends every request at the model's host to its stable InferencePool through the kit's Gateway", () => {
    const r = route(llm());
    validateAgainstUpstreamSchema(r);
    expect(r.spec.hostnames).toEqual(["chat.models.internal"]);
    expect(r.spec.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "llm",
        namespace: "llm-gateway",
        sectionName: "http",
      },
    ]);
    expect(rules(llm())).toEqual([
      {
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        backendRefs: [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat" }],
        timeouts: { request: "300s" },
      },
    ]);
  });

  it("splits by integer weights between the stable and canary pools, stable last (Istio scores a rule with its last pool's picker)", () => {
    const m = llm({ canary: { source: "models:/chat/4", trafficPercent: 10 } });
    validateAgainstUpstreamSchema(route(m));
    expect(rules(m)[0].backendRefs).toEqual([
      { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-canary", weight: 10 },
      { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat", weight: 90 },
    ]);
  });

  it("routes the A/B header's value to the variant's pool, first, and everything else to stable", () => {
    const m = llm({ abTest: { source: "models:/chat/5", header: { name: "x-cohort", value: "b" } } });
    validateAgainstUpstreamSchema(route(m));
    const [ab, rest] = rules(m);
    expect(ab.matches).toEqual([
      { path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "x-cohort", value: "b" }] },
    ]);
    expect(ab.backendRefs.map((b) => b.name)).toEqual(["chat-variant"]);
    expect(rest.matches[0].headers).toBeUndefined();
    expect(rest.backendRefs.map((b) => b.name)).toEqual(["chat"]);
  });

  it("mirrors every rule's requests to the shadow's predictor Service, at its share", () => {
    const m = llm({
      abTest: { source: "models:/chat/5", header: { name: "x-cohort", value: "b" } },
      shadow: { source: "models:/chat/6", mirrorPercent: 25 },
    });
    validateAgainstUpstreamSchema(route(m));
    for (const r of rules(m))
      expect(r.filters).toEqual([
        {
          type: "RequestMirror",
          requestMirror: { backendRef: { name: "chat-shadow-predictor", port: 80 }, percent: 25 },
        },
      ]);
    const all = llm({ shadow: { source: "models:/chat/6" } });
    expect(rules(all)[0].filters![0].requestMirror).toEqual({
      backendRef: { name: "chat-shadow-predictor", port: 80 },
    });
    // The shadow gets no pool: its answers are dropped and nothing routes to it.
    expect(rules(all).flatMap((r) => r.backendRefs.map((b) => b.name))).toEqual(["chat"]);
  });
});

describe("a track's InferencePool and endpoint picker", () => {
  it("selects exactly the predictor pods the track's InferenceService labels, on KServe's HTTP port", () => {
    for (const t of modelTracks(llm({ canary: { source: "models:/chat/4", trafficPercent: 10 } }))) {
      const pool = inferencePool({ model: "chat", track: t.track, isvc: t.isvc, namespace: "serving" });
      validateAgainstUpstreamSchema(pool);
      const isvc = inferenceService({
        model: llm(),
        track: t.track,
        name: t.isvc,
        source: t.source,
        serviceAccountName: "chat",
      });
      const podLabels = isvc.spec.predictor.labels as Record<string, string>;
      for (const [k, v] of Object.entries(pool.spec.selector.matchLabels)) expect(podLabels[k], k).toBe(v);
      expect(pool.spec.targetPorts).toEqual([{ number: 8080 }]);
      expect(pool.spec.endpointPickerRef).toEqual({
        name: `${t.isvc}-epp`,
        port: { number: 9002 },
        failureMode: "FailOpen",
      });
    }
  });

  it("scores on queue depth, KV-cache use and prefix-cache affinity", () => {
    const config = endpointPickerConfig();
    expect(config).toContain("kind: EndpointPickerConfig");
    for (const scorer of ["queue-scorer", "kv-cache-utilization-scorer", "prefix-cache-scorer"])
      expect(config).toMatch(new RegExp(`- pluginRef: ${scorer}\\n    weight: \\d`));
    const o = endpointPickerObjects({ model: "chat", track: "stable", isvc: "chat", namespace: "serving" });
    expect(o.configMap.data["kit-plugins.yaml"]).toBe(config);
    expect(o.deployment.spec.template.spec.containers[0].args).toEqual(
      expect.arrayContaining(["--pool-name", "chat", "--config-file", "/config/kit-plugins.yaml"]),
    );
  });

  it("runs the picker hardened, with a bound token only for the API calls it makes, and validates its objects", () => {
    const o = endpointPickerObjects({ model: "chat", track: "stable", isvc: "chat", namespace: "serving" });
    const pod = o.deployment.spec.template.spec;
    expect(hardenedPodProblems(pod)).toEqual([]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes.find((v) => v.name === "api-token")?.projected?.sources[0]).toEqual({
      serviceAccountToken: { path: "token", expirationSeconds: 3600 },
    });
    expect(o.role.rules.flatMap((r) => r.verbs)).not.toContain("create");
    // It stops no sooner than the pool's vLLM pods drain (30 + 300 + 10 s): its ext_proc stream
    // lives as long as a generation, which a picker restart would otherwise cut.
    expect(pod.terminationGracePeriodSeconds).toBe(340);
    const kinds: [string, object][] = [
      ["v1/ServiceAccount", o.serviceAccount],
      ["rbac.authorization.k8s.io/v1/Role", o.role],
      ["rbac.authorization.k8s.io/v1/RoleBinding", o.roleBinding],
      ["v1/ConfigMap", o.configMap],
      ["apps/v1/Deployment", o.deployment],
      ["v1/Service", o.service],
    ];
    for (const [key, obj] of kinds) {
      const at = key.lastIndexOf("/");
      validateAgainstUpstreamSchema({ apiVersion: key.slice(0, at), kind: key.slice(at + 1), ...obj });
    }
    validateAgainstUpstreamSchema(o.destinationRule);
    validateAgainstUpstreamSchema(o.monitor);
    expect(o.destinationRule.spec.host).toBe("chat-epp.serving.svc.cluster.local");
  });
});

describe("the Gateway", () => {
  it("is an internal NLB admitting only the named networks, for routes of the model namespaces", () => {
    const g = llmGateway({ allowedCidrs: ["10.0.0.0/16", "192.168.1.0/24"], replicas: 2 });
    validateAgainstUpstreamSchema(g);
    const a = g.spec.infrastructure.annotations;
    expect(a["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internal");
    expect(a["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"]).toBe("ip");
    expect(a["service.beta.kubernetes.io/load-balancer-source-ranges"]).toBe("10.0.0.0/16,192.168.1.0/24");
    expect(g.spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual(["serving"]);
    expect(() => llmGateway({ allowedCidrs: [], replicas: 2 })).toThrow(/at least one/);
  });

  it("configures istiod for InferencePool backends, on system nodes, its gateway pods with seccomp and a PDB", () => {
    const v = istiodValues(2) as any;
    expect(v.env.ENABLE_GATEWAY_API_INFERENCE_EXTENSION).toBe("true");
    // The chart's source defaults to registry.istio.io/testing/pilot:latest: the images are pinned
    // to the chart's own release.
    expect(v.global).toMatchObject({ hub: "docker.io/istio", tag: CHARTS.istiod.version });
    expect(v.gateways.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(v.gatewayClasses.istio.deployment.spec.replicas).toBe(2);
    expect(v.gatewayClasses.istio.podDisruptionBudget).toEqual({ spec: { minAvailable: 1 } });
    expect((istiodValues(1) as any).gatewayClasses.istio.podDisruptionBudget).toBeUndefined();
    expect(chartCrdProblems(ISTIOD_ADDON)).toEqual([]);
  });

  it("admits exactly the gateway's flows in its namespace, istiod's and the pickers'", () => {
    const policies = [
      ...gatewayNamespacePolicies({ nlbSubnetCidrs: ["10.0.0.0/20"] }),
      istiodGatewayIngressPolicy(),
      ...pickerNamespacePolicies("serving", { apiServerCidrs: ["10.0.0.0/20"] }),
    ];
    for (const p of policies)
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...p });
    const byName = Object.fromEntries(
      policies.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.spec as any]),
    );
    expect(byName["llm-gateway/default-deny"].policyTypes).toEqual(["Ingress", "Egress"]);
    expect(byName["llm-gateway/allow-nlb-to-gateway"].ingress[0].ports.map((p: any) => p.port)).toEqual([80, 15021]);
    expect(byName["llm-gateway/allow-endpoint-pickers"].egress[0].ports).toEqual([{ port: 9002, protocol: "TCP" }]);
    expect(byName["serving/allow-gateway-to-pickers"].ingress[0].ports).toEqual([{ port: 9002, protocol: "TCP" }]);
    expect(byName["serving/allow-pickers-to-api-server"].egress[0]).toEqual({
      to: [{ ipBlock: { cidr: "10.0.0.0/20" } }],
      ports: [{ port: 443, protocol: "TCP" }],
    });
    expect(() => gatewayNamespacePolicies({ nlbSubnetCidrs: [] })).toThrow();
    expect(() => pickerNamespacePolicies("serving", { apiServerCidrs: [] })).toThrow();
  });
});

describe("rollout keys", () => {
  it("refuses a fractional canary weight, a bad header, a mirror share outside 1-100", () => {
    expect(modelSpecProblems(llm({ canary: { source: "models:/chat/4", trafficPercent: 12.5 } }), "staging")).toEqual([
      {
        field: "canary.trafficPercent",
        message: "must be a whole number from 1 to 50",
      },
    ]);
    const bad = llm({
      abTest: { source: "models:/chat/5", header: { name: "x cohort", value: "" } },
      shadow: { source: "models:/chat/6", mirrorPercent: 0 },
    });
    expect(rolloutKeyProblems(bad).map((p) => p.field)).toEqual([
      "abTest.header.name",
      "abTest.header.value",
      "shadow.mirrorPercent",
    ]);
    expect(modelSpecProblems(bad, "staging").map((p) => p.field)).toEqual(
      expect.arrayContaining(["abTest.header.name", "shadow.mirrorPercent"]),
    );
    expect(
      rolloutKeyProblems(llm({ abTest: { source: "models:/chat/5", header: { name: "Host", value: "x" } } })),
    ).toHaveLength(1);
    expect(
      rolloutKeyProblems(llm({ abTest: { source: "models:/chat/5", header: { name: "hostile", value: "x" } } })),
    ).toEqual([]);
  });

  it("holds every track's source to the rules of the stable one, and keeps A/B and shadow to LLMs", () => {
    const unpinned = llm({
      abTest: { source: "models:/chat@b", header: { name: "x-cohort", value: "b" } },
      shadow: { source: "nowhere" },
    });
    expect(modelSpecProblems(unpinned, "staging").map((p) => p.field)).toEqual([
      "abTest.pinnedVersion",
      "shadow.source",
    ]);
    const triton = withModelDefaults(
      {
        name: "resnet",
        server: "kserve",
        accelerator: "nvidia",
        runtime: "triton",
        source: "models:/resnet/1",
        shadow: { source: "models:/resnet/2" },
      },
      "staging",
    );
    expect(modelSpecProblems(triton, "staging")).toEqual([
      { field: "shadow", message: expect.stringMatching(/offered for LLMs/) },
    ]);
  });

  it("names one InferenceService per track", () => {
    const m = llm({
      canary: { source: "models:/chat/4", trafficPercent: 10 },
      abTest: { source: "models:/chat/5", header: { name: "x-cohort", value: "b" } },
      shadow: { source: "models:/chat/6" },
    });
    expect(modelTracks(m).map((t) => [t.track, t.isvc])).toEqual([
      ["stable", "chat"],
      ["canary", "chat-canary"],
      ["variant", "chat-variant"],
      ["shadow", "chat-shadow"],
    ]);
    expect(modelSpecProblems(llm({ name: "chat-shadow" }), "staging").map((p) => p.field)).toEqual(["name"]);
  });
});

describe("the stack file's gateway keys", () => {
  const staging = () => {
    const file = join(__dirname, "..", "..", "stacks", "Pulumi.staging.yaml");
    const { config, secretKeys } = loadStackFile(file, CONFIG_NAMESPACE);
    const { raw, region } = rawConfigFromPulumi(config);
    return { raw: raw as any, region, secretKeys: new Set(secretKeys) };
  };
  const problemsOf = (edit: (raw: any) => void) => {
    const s = staging();
    edit(s.raw);
    try {
      resolvePlatformSpec(s.raw, s.region, s.secretKeys);
      return [];
    } catch (e) {
      return (e as StackConfigError).problems;
    }
  };

  it("routes staging's LLM through the gateway with its A/B rule and shadow", () => {
    const s = staging();
    const spec = resolvePlatformSpec(s.raw, s.region, s.secretKeys);
    expect(spec.serving.gateway).toEqual({ replicas: 2 });
    const llmModel = spec.serving.models.find((m) => m.name === "support-llm")!;
    expect(modelTracks(llmModel).map((t) => t.track)).toEqual(["stable", "variant", "shadow"]);
  });

  it("names the key path of an A/B test without the gateway, and of the gateway beside OIDC", () => {
    expect(problemsOf((raw) => delete raw.serving.gateway)).toEqual([
      {
        path: "mlserving:serving.models[1].abTest",
        message: "is a route of the LLM gateway: set serving.gateway (LLMs are then routed through it)",
      },
      {
        path: "mlserving:serving.models[1].shadow",
        message: "is a route of the LLM gateway: set serving.gateway (LLMs are then routed through it)",
      },
    ]);
    expect(problemsOf((raw) => (raw.serving.gateway = { replicas: 9 }))).toEqual([
      { path: "mlserving:serving.gateway.replicas", message: "must be at most 6" },
    ]);
    expect(
      problemsOf((raw) => (raw.serving.certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/abc-123")),
    ).toEqual([{ path: "mlserving:serving.gateway", message: expect.stringMatching(/would lose HTTPS/) }]);
  });
});

describe("which models the gateway routes", () => {
  it("routes vLLM on GPU and on Neuron served by KServe, nothing else", () => {
    expect(routedByGateway({ server: "kserve", runtime: "vllm" })).toBe(true);
    expect(routedByGateway({ server: "kserve", runtime: "vllm-neuron" })).toBe(true);
    expect(routedByGateway({ server: "kserve", runtime: "triton" })).toBe(false);
    expect(routedByGateway({ server: "triton", runtime: "triton" })).toBe(false);
  });
});
