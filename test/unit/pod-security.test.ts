import { describe, expect, it } from "vitest";
import {
  hardenedPodProblems,
  KIT_NAMESPACE_POD_SECURITY,
  kitNamespacePodSecurityLabels,
  namespacePodSecurityProblems,
  podSecurityLabels,
  POD_SECURITY_VERSION,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../components/common/pod-security";
import { mlflowDeployment } from "../../components/registry/registry-builders";
import { KUBERNETES_VERSION } from "../../components/versions";

describe("Pod Security admission labels", () => {
  it("pins enforce, warn and audit to the cluster's Kubernetes minor", () => {
    expect(POD_SECURITY_VERSION).toBe(`v${KUBERNETES_VERSION}`);
    expect(podSecurityLabels({ enforce: "restricted" })).toEqual({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": `v${KUBERNETES_VERSION}`,
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": `v${KUBERNETES_VERSION}`,
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": `v${KUBERNETES_VERSION}`,
    });
  });

  it("warns and audits at restricted below a looser enforce level", () => {
    const labels = podSecurityLabels({ enforce: "privileged", reason: "hostPID for node metrics" });
    expect(labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
    expect(labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
  });

  it("refuses a level below restricted without a reason, and warn looser than enforce", () => {
    expect(namespacePodSecurityProblems({ enforce: "baseline" })).toEqual([
      'enforce "baseline" needs a reason naming the component that cannot run restricted',
    ]);
    expect(() => podSecurityLabels({ enforce: "privileged", reason: " " })).toThrow(/needs a reason/);
    expect(namespacePodSecurityProblems({ enforce: "restricted", warnAndAudit: "baseline" })).toEqual([
      'warnAndAudit "baseline" is looser than enforce "restricted"',
    ]);
    expect(namespacePodSecurityProblems({ enforce: "baseline", reason: "x", warnAndAudit: "restricted" })).toEqual([]);
  });

  it("enforces restricted on the registry and on serving, and gives a reason for every looser kit namespace", () => {
    expect(KIT_NAMESPACE_POD_SECURITY.mlflow.enforce).toBe("restricted");
    expect(KIT_NAMESPACE_POD_SECURITY["neuron-monitor"].enforce).toBe("privileged");
    expect(KIT_NAMESPACE_POD_SECURITY.monitoring.enforce).toBe("privileged");
    // Issue 24: every model runtime, vLLM on Neuron included, runs restricted.
    expect(KIT_NAMESPACE_POD_SECURITY.serving).toEqual({ enforce: "restricted" });
    expect(kitNamespacePodSecurityLabels("serving")["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const [ns, p] of Object.entries(KIT_NAMESPACE_POD_SECURITY))
      expect(namespacePodSecurityProblems(p), ns).toEqual([]);
  });

  it("throws for a namespace the table does not know", () => {
    expect(() => kitNamespacePodSecurityLabels("default")).toThrow(/"default" is not in KIT_NAMESPACE_POD_SECURITY/);
    expect(kitNamespacePodSecurityLabels("mlflow")["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});

describe("restricted security contexts", () => {
  it("gives the container every restricted-standard field and a read-only root filesystem", () => {
    expect(restrictedContainerSecurityContext()).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("runs the pod as a non-root user with seccomp RuntimeDefault, and refuses uid 0", () => {
    expect(restrictedPodSecurityContext(1000)).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(restrictedPodSecurityContext(1000, 0).runAsGroup).toBe(0);
    expect(() => restrictedPodSecurityContext(0)).toThrow(/runAsUser 0/);
  });
});

describe("hardened pods", () => {
  const hardened = {
    securityContext: restrictedPodSecurityContext(1000),
    containers: [{ name: "app", securityContext: restrictedContainerSecurityContext() }],
  };

  it("accepts a pod built from the restricted contexts", () => {
    expect(hardenedPodProblems(hardened)).toEqual([]);
  });

  it("names each field a container is missing, init containers included", () => {
    expect(
      hardenedPodProblems({
        hostPID: true,
        volumes: [{ name: "root", hostPath: { path: "/" } }],
        initContainers: [{ name: "init", securityContext: { runAsUser: 0, capabilities: { add: ["SYS_ADMIN"] } } }],
      }),
    ).toEqual([
      "hostPID must not be set",
      "volume root: hostPath is not allowed",
      "container init: allowPrivilegeEscalation must be false",
      "container init: capabilities.drop must include ALL",
      "container init: capabilities.add may only hold NET_BIND_SERVICE (has SYS_ADMIN)",
      "container init: runAsNonRoot must be true",
      "container init: runAsUser must not be 0",
      "container init: seccompProfile.type must be RuntimeDefault or Localhost",
      "container init: readOnlyRootFilesystem must be true (mount an emptyDir where the image writes)",
    ]);
  });

  it("takes runAsNonRoot and seccomp from the pod when the container leaves them out", () => {
    const container = { name: "app", securityContext: { ...restrictedContainerSecurityContext() } } as any;
    delete container.securityContext.runAsNonRoot;
    delete container.securityContext.seccompProfile;
    expect(hardenedPodProblems({ ...hardened, containers: [container] })).toEqual([]);
    expect(hardenedPodProblems({ containers: [container] })).toEqual([
      "container app: runAsNonRoot must be true",
      "container app: seccompProfile.type must be RuntimeDefault or Localhost",
    ]);
  });

  it("hardens the MLflow server, with /tmp (HOME, metrics) on an emptyDir under its read-only root", () => {
    const d = mlflowDeployment({
      namespace: "mlflow",
      region: "eu-west-1",
      replicas: 2,
      bucket: "b",
      secretName: "s",
      extraAllowedHosts: [],
    });
    const spec = d.spec.template.spec;
    expect(hardenedPodProblems(spec)).toEqual([]);
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(spec.volumes).toContainEqual({ name: "tmp", emptyDir: {} });
    expect(spec.containers[0].env).toContainEqual({ name: "HOME", value: "/tmp" });
  });
});
