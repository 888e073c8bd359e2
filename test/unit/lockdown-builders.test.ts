import { describe, expect, it } from "vitest";
import {
  controllerNamespacePolicies,
  KIT_NAMESPACE_ISOLATION,
  missingDefaultDeny,
  MODEL_NAMESPACE_ISOLATION,
} from "../../components/common/network-policy";
import {
  HARDENING_EXCEPTIONS,
  hardenedPodFindings,
  hardeningExceptionFor,
  KIT_NAMESPACE_POD_SECURITY,
  unwaivedFindings,
} from "../../components/common/pod-security";
import * as capacityAddOns from "../../components/capacity/addons";
import * as clusterAddOns from "../../components/cluster/addons";
import * as monitoringAddOns from "../../components/monitoring/addons";
import * as servingAddOns from "../../components/serving/addons";

/** Every chart the kit installs. */
const CHART_ADDONS = [capacityAddOns, clusterAddOns, monitoringAddOns, servingAddOns].flatMap(
  (m) => Object.values(m) as { release: string; namespace: string; createNamespace?: boolean }[],
);
import { modelNamespacePolicies, MODEL_POD_PORTS } from "../../components/serving/network-policies";
import {
  allowedCidrsProblems,
  callerAnnotations,
  endpointOidcProblems,
  ingressGroupProblem,
  modelIngressGroup,
} from "../../components/serving/callers";
import {
  neuronMonitorDaemonSet,
  neuronMonitorNetworkPolicies,
} from "../../components/common/accelerators/neuron-monitor";
import { tritonDeployment } from "../../components/serving/triton-builders";
import { inferenceService, mlflowStorageContainer } from "../../components/serving/kserve-builders";
import { MODEL_RUNTIMES, VLLM_NEURON } from "../../components/serving/runtimes";
import { withModelDefaults } from "../../components/serving/model-spec";
import { MLFLOW_LABELS, MLFLOW_PORT, mlflowDeployment } from "../../components/registry/registry-builders";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const netpol = (p: object) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...p });
const SUBNETS = ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"];
const VPC = "10.20.0.0/16";
const registry = { namespace: "mlflow", podLabels: MLFLOW_LABELS, port: MLFLOW_PORT };

describe("modelNamespacePolicies", () => {
  const policies = modelNamespacePolicies("team-a", { albSubnetCidrs: SUBNETS, vpcCidr: VPC, registry });
  const byName = (n: string) => policies.find((p) => p.metadata.name === n)! as { spec: Record<string, any> };

  it("are valid NetworkPolicies of the namespace it is given (any model namespace)", () => {
    for (const p of policies) {
      validateAgainstUpstreamSchema(netpol(p));
      expect(p.metadata.namespace).toBe("team-a");
    }
  });

  it("deny every pod's ingress and egress by default", () => {
    expect(byName("default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(missingDefaultDeny(MODEL_NAMESPACE_ISOLATION, policies)).toEqual([]);
  });

  it("admit the ALB's subnets on the serving ports only, never the VPC CIDR (every pod's address)", () => {
    expect(byName("allow-alb-to-models").spec.ingress).toEqual([
      {
        from: SUBNETS.map((cidr) => ({ ipBlock: { cidr } })),
        ports: [
          { port: 8000, protocol: "TCP" },
          { port: 8080, protocol: "TCP" },
        ],
      },
    ]);
    const ingressPeers = policies.flatMap((p) => (p.spec as any).ingress ?? []).flatMap((r: any) => r.from);
    expect(ingressPeers).not.toContainEqual({ ipBlock: { cidr: VPC } });
  });

  it("admit only Prometheus's pods to the metrics ports", () => {
    expect(byName("allow-prometheus-scrapes").spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
        ports: [...new Set(MODEL_POD_PORTS.metrics)].map((port) => ({ port, protocol: "TCP" })),
      },
    ]);
  });

  it("let model pods reach only DNS, the Pod Identity agent, the registry's pods and HTTPS outside the VPC: never monitoring", () => {
    const egress = policies.flatMap((p) => (p.spec as any).egress ?? []);
    expect(egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      },
      { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ port: 80, protocol: "TCP" }] },
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [VPC] } }], ports: [{ port: 443, protocol: "TCP" }] },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mlflow" } },
            podSelector: { matchLabels: MLFLOW_LABELS },
          },
        ],
        ports: [{ port: MLFLOW_PORT, protocol: "TCP" }],
      },
    ]);
    expect(JSON.stringify(egress)).not.toContain('"monitoring"');
  });

  it("leave the registry rule out without a registry, and refuse an empty ALB subnet list (no peers admit everyone)", () => {
    const none = modelNamespacePolicies("serving", { albSubnetCidrs: SUBNETS, vpcCidr: VPC });
    expect(none.map((p) => p.metadata.name)).not.toContain("allow-registry");
    expect(() => modelNamespacePolicies("serving", { albSubnetCidrs: [], vpcCidr: VPC })).toThrow(/albSubnetCidrs/);
  });
});

describe("missingDefaultDeny", () => {
  const deny = (types: string[], extra: object = {}) => ({ spec: { podSelector: {}, policyTypes: types, ...extra } });
  it("finds the directions no policy denies, ignoring policies that select some pods or carry rules", () => {
    expect(missingDefaultDeny(MODEL_NAMESPACE_ISOLATION, [])).toEqual(["Ingress", "Egress"]);
    expect(missingDefaultDeny(MODEL_NAMESPACE_ISOLATION, [deny(["Ingress"])])).toEqual(["Egress"]);
    expect(
      missingDefaultDeny(MODEL_NAMESPACE_ISOLATION, [
        deny(["Ingress", "Egress"], { egress: [{ to: [] }] }),
        { spec: { podSelector: { matchLabels: { a: "b" } }, policyTypes: ["Ingress", "Egress"] } },
      ]),
    ).toEqual(["Egress"]);
    expect(missingDefaultDeny(MODEL_NAMESPACE_ISOLATION, [deny(["Ingress"]), deny(["Egress"])])).toEqual([]);
  });
});

describe("isolation of the other kit namespaces", () => {
  it("gives every namespace with Pod Security labels an isolation entry, and a reason wherever egress stays open", () => {
    expect(Object.keys(KIT_NAMESPACE_ISOLATION).sort()).toEqual(Object.keys(KIT_NAMESPACE_POD_SECURITY).sort());
    for (const [ns, i] of Object.entries(KIT_NAMESPACE_ISOLATION)) {
      expect(i.deny, ns).toContain("Ingress");
      if (!i.deny.includes("Egress")) expect(i.reason?.length, ns).toBeGreaterThan(20);
    }
  });

  it("controller namespaces: default deny ingress, their own pods, Prometheus, and the control plane on the webhook ports only", () => {
    const keda = controllerNamespacePolicies("keda", SUBNETS);
    for (const p of keda) validateAgainstUpstreamSchema(netpol(p));
    expect(missingDefaultDeny(KIT_NAMESPACE_ISOLATION.keda, keda)).toEqual([]);
    const webhooks = keda.find((p) => p.metadata.name === "allow-control-plane-webhooks")!;
    expect(webhooks.spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: SUBNETS.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [
            { port: 6443, protocol: "TCP" },
            { port: 9443, protocol: "TCP" },
          ],
        },
      ],
    });
    // No webhook, no control-plane rule.
    expect(controllerNamespacePolicies("nvidia", SUBNETS).map((p) => p.metadata.name)).not.toContain(
      "allow-control-plane-webhooks",
    );
    expect(() => controllerNamespacePolicies("team-a", SUBNETS)).toThrow(/CONTROL_PLANE_PORTS/);
  });

  it("neuron-monitor: nothing in or out but Prometheus on the exporter's port", () => {
    const policies = neuronMonitorNetworkPolicies();
    for (const p of policies) validateAgainstUpstreamSchema(netpol(p));
    expect(missingDefaultDeny(KIT_NAMESPACE_ISOLATION["neuron-monitor"], policies)).toEqual([]);
    expect((policies[1].spec as { ingress?: unknown }).ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
        ports: [{ port: 8000, protocol: "TCP" }],
      },
    ]);
  });

  it("chart namespaces are created by the kit (labelled), never by Helm's createNamespace", () => {
    // Every chart the kit installs, its CRD charts (karpenter-crd, prometheus-operator-crds) and ExternalDNS included.
    expect(CHART_ADDONS.length).toBe(15);
    for (const addOn of CHART_ADDONS) {
      expect(addOn.createNamespace, addOn.release).toBeUndefined();
      if (addOn.namespace !== "kube-system")
        expect(KIT_NAMESPACE_POD_SECURITY[addOn.namespace], addOn.namespace).toBeDefined();
    }
  });
});

describe("allowed callers of model endpoints", () => {
  it("accept private networks, and refuse malformed CIDRs, host bits, duplicates and the internet", () => {
    expect(allowedCidrsProblems(["10.20.0.0/19", "192.168.10.0/24"])).toEqual([]);
    expect(allowedCidrsProblems(["0.0.0.0/0"])).toEqual([
      {
        path: "[0]",
        message: "0.0.0.0/0 admits every caller that reaches the VPC; name the networks that call the models",
      },
    ]);
    expect(allowedCidrsProblems(["10.20.0.1/16"])[0]).toEqual({
      path: "[0]",
      message: "has host bits set; write 10.20.0.0/16",
    });
    expect(allowedCidrsProblems(["010.0.0.0/8"])[0].path).toBe("[0]");
    expect(allowedCidrsProblems(["10.0.0.0/8", "10.0.0.0/8"])).toEqual([
      { path: "[1]", message: "10.0.0.0/8 is listed twice" },
    ]);
    expect(allowedCidrsProblems(["0.0.0.0/1", "128.0.0.0/1"])).toEqual([
      {
        path: "",
        message: "together these networks open more public address space than a /8: name the callers' own networks",
      },
    ]);
    expect(allowedCidrsProblems([])[0].path).toBe("");
  });

  it("give a model with callers of its own an ALB group of its own, and refuse group names LBC would", () => {
    expect(modelIngressGroup("ml-models", { name: "bert" })).toBe("ml-models");
    expect(modelIngressGroup("ml-models", { name: "bert", allowedCidrs: ["10.0.0.0/8"] })).toBe("ml-models-bert");
    expect(ingressGroupProblem("ml-models-bert")).toBeUndefined();
    expect(ingressGroupProblem(`${"a".repeat(60)}-bert`)).toMatch(/at most 63/);
  });

  it("annotate inbound-cidrs always, and OIDC in LBC 3.5.0's format with the client in a Secret", () => {
    expect(callerAnnotations(["10.0.0.0/19", "10.0.32.0/19"])).toEqual({
      "alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0.0/19,10.0.32.0/19",
    });
    const oidc = {
      issuer: "https://idp.example.com",
      authorizationEndpoint: "https://idp.example.com/authorize",
      tokenEndpoint: "https://idp.example.com/token",
      userInfoEndpoint: "https://idp.example.com/userinfo",
      onUnauthenticatedRequest: "deny" as const,
    };
    const a = callerAnnotations(["10.0.0.0/19"], oidc);
    expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
    expect(a["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"]).toBe("deny");
    expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"])).toEqual({
      issuer: "https://idp.example.com",
      authorizationEndpoint: "https://idp.example.com/authorize",
      tokenEndpoint: "https://idp.example.com/token",
      userInfoEndpoint: "https://idp.example.com/userinfo",
      secretName: "model-endpoints-oidc",
    });
    expect(endpointOidcProblems(oidc)).toEqual([]);
    expect(endpointOidcProblems({ ...oidc, tokenEndpoint: "http://idp.example.com/token", issuer: "idp" })).toEqual([
      { path: "issuer", message: "must be an https:// URL of the identity provider" },
      { path: "tokenEndpoint", message: "must be an https:// URL of the identity provider" },
    ]);
  });
});

describe("hardened pods", () => {
  const triton = withModelDefaults(
    { name: "resnet", server: "triton", accelerator: "nvidia", source: "models:/resnet/3" },
    "dev",
  );

  it("Triton: non-root 1000, read-only root with /tmp on an emptyDir, no token, init container too", () => {
    const d = tritonDeployment({
      model: triton,
      serviceAccountName: "resnet",
      region: "us-west-2",
      trackingUri: "http://x",
    });
    const pod = d.spec.template.spec;
    expect(hardenedPodFindings(pod)).toEqual([]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: {} });
    validateAgainstUpstreamSchema({ apiVersion: "apps/v1", kind: "Deployment", ...d });
  });

  it("ServingRuntimes: Triton, vLLM on GPU and vLLM on Neuron fully hardened, with no exception", () => {
    for (const id of ["triton", "vllm", "vllm-neuron"]) {
      const rt = MODEL_RUNTIMES[id].servingRuntime("serving");
      expect(hardenedPodFindings(rt.spec as any), id).toEqual([]);
      const c = (rt.spec as any).containers[0];
      expect(c.securityContext.runAsUser, id).toBe(MODEL_RUNTIMES[id].runAsUser);
      expect(c.securityContext.capabilities, id).toEqual({ drop: ["ALL"] });
      expect((rt.spec as any).volumes, id).toContainEqual({ name: "tmp", emptyDir: {} });
      expect(hardeningExceptionFor("ServingRuntime", rt.metadata.name, "serving"), id).toBeUndefined();
    }
    for (const id of ["vllm", "vllm-neuron"]) {
      const c = (MODEL_RUNTIMES[id].servingRuntime("serving").spec as any).containers[0];
      // torch's getpass.getuser() needs USER or LOGNAME for a uid missing from /etc/passwd.
      expect(c.env, id).toEqual(
        expect.arrayContaining([
          { name: "HOME", value: "/tmp" },
          { name: "USER", value: "vllm" },
          { name: "LOGNAME", value: "vllm" },
        ]),
      );
      // The Neuron DLC's WORKDIR is a root-owned volume: work where the uid may write.
      expect(c.workingDir, id).toBe("/tmp");
    }
    // The Neuron toolchain writes its compiled model and compile cache on the emptyDir, not on the
    // read-only root or the read-only /mnt/models.
    const neuron = (VLLM_NEURON.servingRuntime("serving").spec as any).containers[0];
    expect(neuron.env).toEqual(
      expect.arrayContaining([
        { name: "NEURON_COMPILED_ARTIFACTS", value: "/tmp/neuron-compiled-artifacts" },
        { name: "NEURON_COMPILE_CACHE_URL", value: "/tmp/neuron-compile-cache" },
      ]),
    );
    // No capability or group is added for the Neuron devices (see runtimes/vllm-neuron.ts).
    expect(neuron.securityContext.capabilities.add).toBeUndefined();
  });

  it("InferenceService predictors: seccomp, no token, non-root with the runtime's uid, a hardened model container", () => {
    const gpu = withModelDefaults(
      { name: "llm", server: "kserve", accelerator: "nvidia", runtime: "vllm", source: "models:/llm/1" },
      "dev",
    );
    const inf = withModelDefaults(
      { name: "asst", server: "kserve", accelerator: "neuron", source: "models:/a/1" },
      "dev",
    );
    for (const m of [gpu, inf]) {
      const isvc = inferenceService({
        model: m,
        track: "stable",
        name: m.name,
        source: m.source,
        serviceAccountName: m.name,
      });
      expect(isvc.spec.predictor.automountServiceAccountToken, m.name).toBe(false);
      expect(isvc.spec.predictor.securityContext, m.name).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(
        hardenedPodFindings({
          securityContext: isvc.spec.predictor.securityContext,
          containers: [{ name: "model", ...isvc.spec.predictor.model }] as any,
        }),
        m.name,
      ).toEqual([]);
      validateAgainstUpstreamSchema(isvc);
    }
  });

  it("the model fetcher (init container and storage initializer) runs restricted on a read-only root", () => {
    const csc = mlflowStorageContainer("http://mlflow.mlflow.svc.cluster.local:5000", "us-west-2");
    expect(hardenedPodFindings({ containers: [csc.spec.container] as any })).toEqual([]);
    validateAgainstUpstreamSchema(csc);
  });

  it("MLflow and neuron-monitor mount no token; neuron-monitor is privileged only as its exception says", () => {
    const mlflow = mlflowDeployment({
      namespace: "mlflow",
      region: "us-west-2",
      replicas: 1,
      bucket: "b",
      secretName: "s",
      extraAllowedHosts: [],
    });
    expect(mlflow.spec.template.spec.automountServiceAccountToken).toBe(false);
    const nm = neuronMonitorDaemonSet().spec.template.spec;
    expect(nm.automountServiceAccountToken).toBe(false);
    expect(nm.securityContext).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
    const left = unwaivedFindings(
      hardenedPodFindings(nm),
      hardeningExceptionFor("DaemonSet", "neuron-monitor", "neuron-monitor"),
    );
    expect(left).toEqual([]);
    // The exception holds in its own namespace only.
    expect(hardeningExceptionFor("DaemonSet", "neuron-monitor", "serving")).toBeUndefined();
  });

  it("every exception names its reason; no model runtime has one", () => {
    for (const e of HARDENING_EXCEPTIONS) expect(e.reason.length, `${e.kind}/${e.name}`).toBeGreaterThan(40);
    for (const r of Object.values(MODEL_RUNTIMES)) {
      expect(r.runAsUser, r.id).toBeGreaterThan(0);
      expect(
        HARDENING_EXCEPTIONS.filter((e) => e.name === r.servingRuntimeName),
        r.id,
      ).toEqual([]);
    }
  });
});
