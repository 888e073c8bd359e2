import { describe, expect, it } from "vitest";
import {
  KIT_NAMESPACE_POD_SECURITY,
  kitNamespacePodSecurityLabels,
  namespacePodSecurityProblems,
  podSecurityLabels,
  POD_SECURITY_VERSION,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../components/common/pod-security";
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

  it("enforces restricted on the registry, and gives a reason for every looser kit namespace", () => {
    expect(KIT_NAMESPACE_POD_SECURITY.mlflow.enforce).toBe("restricted");
    expect(KIT_NAMESPACE_POD_SECURITY["neuron-monitor"].enforce).toBe("privileged");
    expect(KIT_NAMESPACE_POD_SECURITY.monitoring.enforce).toBe("privileged");
    expect(KIT_NAMESPACE_POD_SECURITY.serving.enforce).toBe("baseline");
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
