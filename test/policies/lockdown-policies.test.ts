import { describe, expect, it } from "vitest";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../components/common/pod-security";
import { defaultDenyPolicy } from "../../components/common/network-policy";
import { VLLM_NEURON, VLLM_GPU } from "../../components/serving/runtimes";
import { inferenceService, withModelDefaults } from "../../components/serving";
import { kitNamespacesNetworkIsolated, modelEndpointsNamedCallers, workloadPodsHardened } from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const NS = "kubernetes:core/v1:Namespace";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const namespace = (name: string) => resource(NS, { metadata: { name } }, { name: `${name}-ns` });
const policy = (p: { metadata: { name: string; namespace: string }; spec: object }) =>
  resource(NP, p, { name: `${p.metadata.namespace}-${p.metadata.name}` });
const ingressOnly = (ns: string) =>
  policy({
    metadata: { name: "default-deny-ingress", namespace: ns },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  });

describe("kit-namespaces-network-isolated", () => {
  it("reports kit namespaces and model namespaces without their default-deny policies", async () => {
    const isvc = resource(
      "kubernetes:serving.kserve.io/v1beta1:InferenceService",
      { metadata: { name: "m", namespace: "team-a" }, spec: { predictor: {} } },
      { name: "m" },
    );
    const v = await violations(kitNamespacesNetworkIsolated, [
      namespace("serving"),
      namespace("keda"),
      namespace("team-a"),
      ingressOnly("serving"),
      isvc,
    ]);
    expect(v).toEqual([
      'namespace "keda" has no default-deny NetworkPolicy for Ingress: add one selecting every pod ' +
        '(podSelector: {}) with policyTypes ["Ingress"] and no rules, then allow each caller explicitly.',
      'namespace "serving" has no default-deny NetworkPolicy for Egress: add one selecting every ' +
        'pod (podSelector: {}) with policyTypes ["Egress"] and no rules, then allow each caller explicitly.',
      'namespace "team-a" has no default-deny NetworkPolicy for Ingress and Egress: add one selecting ' +
        'every pod (podSelector: {}) with policyTypes ["Ingress","Egress"] and no rules, then allow ' +
        "each caller explicitly.",
    ]);
  });

  it("judges a model namespace in the stack that creates it, not in a model team's stack that deploys into it", async () => {
    const teamModel = resource(
      "kubernetes:serving.kserve.io/v1beta1:InferenceService",
      { metadata: { name: "m", namespace: "team-a" }, spec: { predictor: {} } },
      { name: "m" },
    );
    expect(await violations(kitNamespacesNetworkIsolated, [teamModel])).toEqual([]);
    expect(await violations(kitNamespacesNetworkIsolated, [namespace("team-a"), teamModel])).toHaveLength(1);
  });

  it("accepts each namespace denied as its table entry says, and ignores namespaces that are not the kit's", async () => {
    const v = await violations(kitNamespacesNetworkIsolated, [
      namespace("serving"),
      namespace("keda"),
      namespace("other"),
      policy(defaultDenyPolicy("serving")),
      ingressOnly("keda"),
    ]);
    expect(v).toEqual([]);
  });
});

const deployment = (ns: string, name: string, pod: Record<string, unknown>) =>
  resource(
    "kubernetes:apps/v1:Deployment",
    { metadata: { name, namespace: ns }, spec: { template: { metadata: { labels: {} }, spec: pod } } },
    { name },
  );
const hardenedPod = {
  automountServiceAccountToken: false,
  securityContext: restrictedPodSecurityContext(1000),
  containers: [{ name: "app", image: "x", securityContext: restrictedContainerSecurityContext() }],
};

describe("workload-pods-hardened", () => {
  it("reports a kit workload running as root on a writable root filesystem with a token", async () => {
    const v = await violations(workloadPodsHardened, [
      deployment("mlflow", "mlflow", {
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "app",
            image: "x",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      }),
    ]);
    expect(v).toEqual([
      'Deployment mlflow in namespace "mlflow": container app: runAsNonRoot must be true.',
      'Deployment mlflow in namespace "mlflow": container app: readOnlyRootFilesystem must be true (mount an emptyDir where the image writes).',
      'Deployment mlflow in namespace "mlflow": automountServiceAccountToken must be false unless the pod calls the Kubernetes API.',
    ]);
  });

  it("reports an InferenceService predictor without seccomp, non-root or token settings, and a ServingRuntime that is not hardened", async () => {
    const v = await violations(workloadPodsHardened, [
      resource(
        "kubernetes:serving.kserve.io/v1beta1:InferenceService",
        { metadata: { name: "llm", namespace: "team-b" }, spec: { predictor: { model: { runtime: "vllm-gpu" } } } },
        { name: "llm" },
      ),
      resource(
        "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
        {
          metadata: { name: "custom", namespace: "team-b" },
          spec: { containers: [{ name: "kserve-container", securityContext: { privileged: true } }] },
        },
        { name: "custom" },
      ),
    ]);
    expect(v).toContain(
      'InferenceService llm in namespace "team-b": spec.predictor.securityContext.runAsNonRoot must be true.',
    );
    expect(v).toContain(
      'InferenceService llm in namespace "team-b": spec.predictor.automountServiceAccountToken must be false (model servers never call the API).',
    );
    expect(v).toContain(
      'ServingRuntime custom in namespace "team-b": container kserve-container: privileged must not be set.',
    );
    // The predictor's model container is judged too (KServe merges it over the runtime's container).
    expect(v).toContain(
      'InferenceService llm in namespace "team-b": container model: allowPrivilegeEscalation must be false.',
    );
    expect(v).toContain(
      'InferenceService llm in namespace "team-b": container model: capabilities.drop must include ALL.',
    );
    expect(v).toHaveLength(3 + 5 + 6);
  });

  it("accepts hardened workloads, the documented exceptions, and leaves other namespaces alone", async () => {
    const neuronRuntime = VLLM_NEURON.servingRuntime("serving");
    const neuronModel = inferenceService({
      model: withModelDefaults({ name: "asst", server: "kserve", accelerator: "neuron", source: "models:/a/1" }, "dev"),
      track: "stable",
      name: "asst",
      source: "models:/a/1",
      serviceAccountName: "asst",
    });
    const gpuRuntime = VLLM_GPU.servingRuntime("serving");
    const v = await violations(workloadPodsHardened, [
      deployment("serving", "triton", hardenedPod),
      resource("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime", neuronRuntime, { name: "neuron-rt" }),
      resource("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime", gpuRuntime, { name: "gpu-rt" }),
      resource("kubernetes:serving.kserve.io/v1beta1:InferenceService", neuronModel, { name: "asst" }),
      deployment("default", "someone-elses", {}),
    ]);
    expect(v).toEqual([]);
  });

  it("excuses vLLM on Neuron no more: a root Neuron runtime or predictor is reported (issue 24)", async () => {
    const v = await violations(workloadPodsHardened, [
      resource(
        "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
        {
          metadata: { name: "vllm-neuron", namespace: "serving" },
          spec: {
            containers: [
              {
                name: "kserve-container",
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
              },
            ],
          },
        },
        { name: "neuron-rt" },
      ),
      resource(
        "kubernetes:serving.kserve.io/v1beta1:InferenceService",
        {
          metadata: { name: "asst", namespace: "serving" },
          spec: {
            predictor: {
              automountServiceAccountToken: false,
              securityContext: { seccompProfile: { type: "RuntimeDefault" } },
              model: { runtime: "vllm-neuron" },
            },
          },
        },
        { name: "asst" },
      ),
    ]);
    expect(v).toContain(
      'ServingRuntime vllm-neuron in namespace "serving": container kserve-container: runAsNonRoot must be true.',
    );
    expect(v).toContain(
      'InferenceService asst in namespace "serving": spec.predictor.securityContext.runAsNonRoot must be true.',
    );
  });
});

const ingress = (annotations: Record<string, string>, ns = "serving") =>
  resource(
    "kubernetes:networking.k8s.io/v1:Ingress",
    { metadata: { name: "bert", namespace: ns, labels: { "mlserving.io/model": "bert" }, annotations } },
    { name: "bert" },
  );

describe("model-endpoints-named-callers", () => {
  it("reports a model Ingress without inbound-cidrs, with a malformed one, or open to the internet", async () => {
    expect(await violations(modelEndpointsNamedCallers, [ingress({})])).toEqual([
      'Ingress bert in namespace "serving" has no alb.ingress.kubernetes.io/inbound-cidrs: the load ' +
        "balancer controller then admits 0.0.0.0/0; list the callers (mlserving:serving.allowedCidrs).",
    ]);
    expect(
      await violations(modelEndpointsNamedCallers, [
        ingress({ "alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0.0/8,0.0.0.0/0" }),
      ]),
    ).toEqual([
      'Ingress bert in namespace "serving": alb.ingress.kubernetes.io/inbound-cidrs admits the internet ' +
        "(10.0.0.0/8,0.0.0.0/0); an internal model endpoint names the networks that call it.",
    ]);
    expect(
      await violations(modelEndpointsNamedCallers, [
        ingress({ "alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0/8" }),
      ]),
    ).toEqual([
      'Ingress bert in namespace "serving": alb.ingress.kubernetes.io/inbound-cidrs holds 10.0.0/8, not IPv4 CIDRs.',
    ]);
  });

  it("accepts named private callers, and ignores Ingresses that are not models'", async () => {
    const other = resource(
      "kubernetes:networking.k8s.io/v1:Ingress",
      { metadata: { name: "mlflow", namespace: "mlflow", annotations: {} } },
      { name: "mlflow" },
    );
    expect(
      await violations(modelEndpointsNamedCallers, [
        ingress({ "alb.ingress.kubernetes.io/inbound-cidrs": "10.30.0.0/20,10.30.16.0/20" }),
        other,
      ]),
    ).toEqual([]);
  });
});
