import { describe, expect, it } from "vitest";
import {
  podSecurityLabels,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../components/common/pod-security";
import { kitNamespacesPodSecurity, restrictedNamespaceWorkloadsHardened } from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const namespace = (name: string, labels: Record<string, string> = {}) =>
  resource("kubernetes:core/v1:Namespace", { metadata: { name, labels } }, { name: `${name}-ns` });

describe("kit-namespaces-pod-security", () => {
  it("reports a kit namespace without Pod Security labels", async () => {
    const v = await violations(kitNamespacesPodSecurity, [namespace("serving")]);
    expect(v).toHaveLength(6);
    expect(v[0]).toContain(
      'namespace "serving": label pod-security.kubernetes.io/enforce must be "restricted" (is missing)',
    );
  });

  it("reports a kit namespace looser than its table entry", async () => {
    const labels = {
      ...podSecurityLabels({ enforce: "restricted" }),
      "pod-security.kubernetes.io/enforce": "privileged",
    };
    const v = await violations(kitNamespacesPodSecurity, [namespace("mlflow", labels)]);
    expect(v).toEqual([
      'namespace "mlflow": label pod-security.kubernetes.io/enforce must be "restricted" (is "privileged"); ' +
        "see KIT_NAMESPACE_POD_SECURITY for the level and its reason.",
    ]);
  });

  it("reports an unpinned version and labels the table does not set", async () => {
    const labels = {
      ...podSecurityLabels({ enforce: "restricted" }),
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/exempt": "true",
    };
    const v = await violations(kitNamespacesPodSecurity, [namespace("mlflow", labels)]);
    expect(v).toHaveLength(2);
    expect(v[0]).toContain('enforce-version must be "v1.');
    expect(v[1]).toContain("unexpected Pod Security label pod-security.kubernetes.io/exempt");
  });

  it("accepts kit namespaces labelled per the table, and ignores namespaces not the kit's", async () => {
    const ok = [
      namespace("mlflow", podSecurityLabels({ enforce: "restricted" })),
      namespace("neuron-monitor", podSecurityLabels({ enforce: "privileged", reason: "r" })),
      namespace("team-a"),
    ];
    expect(await violations(kitNamespacesPodSecurity, ok)).toEqual([]);
  });
});

const deployment = (namespace: string, containerSecurityContext: Record<string, unknown>) =>
  resource(
    "kubernetes:apps/v1:Deployment",
    {
      metadata: { name: "app", namespace },
      spec: {
        template: {
          spec: {
            securityContext: restrictedPodSecurityContext(1000),
            containers: [{ name: "app", image: "x", securityContext: containerSecurityContext }],
          },
        },
      },
    },
    { name: "app" },
  );

describe("restricted-namespace-workloads-hardened", () => {
  it("reports a workload in a restricted kit namespace that escalates privileges or writes its root filesystem", async () => {
    const v = await violations(restrictedNamespaceWorkloadsHardened, [
      deployment("mlflow", { capabilities: { drop: ["ALL"] } }),
    ]);
    expect(v).toEqual([
      'Deployment app in namespace "mlflow" (restricted): container app: allowPrivilegeEscalation must be false.',
      'Deployment app in namespace "mlflow" (restricted): container app: readOnlyRootFilesystem must be true (mount an emptyDir where the image writes).',
    ]);
  });

  it("accepts a hardened workload there, and leaves namespaces that do not enforce restricted to admission", async () => {
    expect(
      await violations(restrictedNamespaceWorkloadsHardened, [
        deployment("mlflow", restrictedContainerSecurityContext()),
        deployment("monitoring", {}),
        deployment("team-a", {}),
      ]),
    ).toEqual([]);
  });
});
