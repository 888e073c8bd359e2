import { KUBERNETES_VERSION } from "../versions";
import { MONITORING_NAMESPACE, NEURON_MONITOR_NAMESPACE, REGISTRY_NAMESPACE, SERVING_NAMESPACE } from "./names";

/** Pod Security Standards levels (Kubernetes Pod Security admission). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

const LEVEL_ORDER: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];

/** Policy version the labels pin: the cluster's Kubernetes minor, so an upgrade never tightens a level unseen. */
export const POD_SECURITY_VERSION = `v${KUBERNETES_VERSION}`;

/** Label prefix of Pod Security admission (`<prefix>/enforce`, `/enforce-version`, ...). */
export const POD_SECURITY_LABEL_PREFIX = "pod-security.kubernetes.io";

/** Pod Security of one namespace: the level admission enforces, and why when it is not `restricted`. */
export interface NamespacePodSecurity {
  /** Level Pod Security admission enforces: pods that break it are rejected. */
  readonly enforce: PodSecurityLevel;
  /** Level `kubectl apply` warns about and the audit log records. Default: `restricted`. */
  readonly warnAndAudit?: PodSecurityLevel;
  /** Why the namespace cannot enforce `restricted`: the component and what it needs. Required below `restricted`. */
  readonly reason?: string;
}

/**
 * Pod Security of every namespace the kit creates as a Namespace object. One table, used by the
 * components that create the namespaces and by the `kit-namespaces-pod-security` policy.
 * Namespaces Helm creates (`createNamespace`: keda, cert-manager, kserve, nvidia, gpu-operator)
 * carry no labels yet; kube-system is not the kit's.
 */
export const KIT_NAMESPACE_POD_SECURITY: Readonly<Record<string, NamespacePodSecurity>> = {
  [REGISTRY_NAMESPACE]: { enforce: "restricted" },
  [SERVING_NAMESPACE]: {
    enforce: "baseline",
    reason:
      "the vLLM-on-Neuron runtime container (serving/runtimes/vllm-neuron.ts) does not run as non-root " +
      "with a seccomp profile yet; Triton and the model fetcher do, and `restricted` is warned and audited",
  },
  [MONITORING_NAMESPACE]: {
    enforce: "privileged",
    reason:
      "kube-prometheus-stack's node exporter DaemonSet uses hostNetwork, hostPID and hostPath mounts " +
      "of /proc, /sys and / to read node metrics",
  },
  [NEURON_MONITOR_NAMESPACE]: {
    enforce: "privileged",
    reason: "neuron-monitor runs privileged to read the Neuron devices and driver counters of its node",
  },
};

/** Problems of a Pod Security entry: a level below `restricted` without a reason, a warn level below enforce. */
export function namespacePodSecurityProblems(p: NamespacePodSecurity): string[] {
  const out: string[] = [];
  if (p.enforce !== "restricted" && !p.reason?.trim())
    out.push(`enforce "${p.enforce}" needs a reason naming the component that cannot run restricted`);
  const warn = p.warnAndAudit ?? "restricted";
  if (LEVEL_ORDER.indexOf(warn) < LEVEL_ORDER.indexOf(p.enforce))
    out.push(`warnAndAudit "${warn}" is looser than enforce "${p.enforce}"`);
  return out;
}

/** The Pod Security admission labels of a namespace: enforce, warn and audit, each pinned to {@link POD_SECURITY_VERSION}. */
export function podSecurityLabels(p: NamespacePodSecurity): Record<string, string> {
  const problems = namespacePodSecurityProblems(p);
  if (problems.length > 0) throw new Error(`pod security: ${problems.join("; ")}`);
  const warn = p.warnAndAudit ?? "restricted";
  const labels: Record<string, string> = {};
  for (const [mode, level] of [
    ["enforce", p.enforce],
    ["warn", warn],
    ["audit", warn],
  ] as const) {
    labels[`${POD_SECURITY_LABEL_PREFIX}/${mode}`] = level;
    labels[`${POD_SECURITY_LABEL_PREFIX}/${mode}-version`] = POD_SECURITY_VERSION;
  }
  return labels;
}

/** Pod Security labels of a namespace the kit creates; throws for a namespace missing from the table. */
export function kitNamespacePodSecurityLabels(namespace: string): Record<string, string> {
  const p = KIT_NAMESPACE_POD_SECURITY[namespace];
  if (!p) throw new Error(`pod security: namespace "${namespace}" is not in KIT_NAMESPACE_POD_SECURITY`);
  return podSecurityLabels(p);
}

/** Seccomp profile every kit-authored pod runs with. */
export const RUNTIME_DEFAULT_SECCOMP = { type: "RuntimeDefault" } as const;

/**
 * Pod securityContext meeting the `restricted` standard: a non-root user and group (and the
 * group owning mounted volumes), seccomp RuntimeDefault.
 */
export function restrictedPodSecurityContext(uid: number, gid: number = uid) {
  if (!Number.isInteger(uid) || uid <= 0) throw new Error(`pod security: runAsUser ${uid} must be a non-zero integer`);
  if (!Number.isInteger(gid) || gid < 0) throw new Error(`pod security: runAsGroup ${gid} must be an integer >= 0`);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP },
  };
}

/**
 * Container securityContext meeting the `restricted` standard: no privilege escalation, every
 * capability dropped, non-root, seccomp RuntimeDefault, and a read-only root filesystem (mount an
 * emptyDir at each path the image writes).
 */
export function restrictedContainerSecurityContext() {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP },
  };
}

/** The fields of a pod spec {@link hardenedPodProblems} reads (a Deployment's `spec.template.spec`). */
export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: { name?: string; hostPath?: unknown }[];
}
interface ContainerLike {
  name?: string;
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    seccompProfile?: { type?: string };
  };
}

/**
 * What keeps a pod from the `restricted` Pod Security standard, plus the kit's own bar of a
 * read-only root filesystem: one message per field, naming the container. Empty when hardened.
 */
export function hardenedPodProblems(spec: PodSpecLike): string[] {
  const out: string[] = [];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) if (spec[f]) out.push(`${f} must not be set`);
  for (const v of spec.volumes ?? [])
    if (v.hostPath !== undefined) out.push(`volume ${v.name}: hostPath is not allowed`);
  const pod = spec.securityContext ?? {};
  const seccompOk = (t?: string) => t === "RuntimeDefault" || t === "Localhost";
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  for (const c of all) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) out.push(`${at}: privileged must not be set`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`${at}: capabilities.drop must include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((a) => a !== "NET_BIND_SERVICE");
    if (added.length > 0) out.push(`${at}: capabilities.add may only hold NET_BIND_SERVICE (has ${added.join(", ")})`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot must be true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`${at}: runAsUser must not be 0`);
    if (!seccompOk(sc.seccompProfile?.type ?? pod.seccompProfile?.type))
      out.push(`${at}: seccompProfile.type must be RuntimeDefault or Localhost`);
    if (sc.readOnlyRootFilesystem !== true)
      out.push(`${at}: readOnlyRootFilesystem must be true (mount an emptyDir where the image writes)`);
  }
  return out;
}
