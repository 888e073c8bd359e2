import { KUBERNETES_VERSION } from "../versions";
import {
  CERT_MANAGER_NAMESPACE,
  EXTERNAL_DNS_NAMESPACE,
  ISTIO_NAMESPACE,
  KEDA_NAMESPACE,
  KSERVE_NAMESPACE,
  LLM_GATEWAY_NAMESPACE,
  MONITORING_NAMESPACE,
  REGISTRY_NAMESPACE,
  SERVING_NAMESPACE,
  SUPPORT_NAMESPACES,
} from "./names";

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
 * Pod Security of every namespace the kit creates as a Namespace object, its charts' namespaces
 * included (the kit creates them rather than Helm's `createNamespace`, so they carry the labels).
 * One table, used by the components that create the namespaces and by the
 * `kit-namespaces-pod-security` policy. kube-system is not the kit's.
 */
export const KIT_NAMESPACE_POD_SECURITY: Readonly<Record<string, NamespacePodSecurity>> = {
  [REGISTRY_NAMESPACE]: { enforce: "restricted" },
  // Every model server runs non-root without escalation, capabilities or a writable root, seccomp
  // RuntimeDefault: Triton, vLLM on GPU and on Neuron (serving/runtimes/), the model fetcher, the
  // weights staging Job. Team namespaces copy this level (platform/teams.ts).
  [SERVING_NAMESPACE]: { enforce: "restricted" },
  [MONITORING_NAMESPACE]: {
    enforce: "privileged",
    reason:
      "kube-prometheus-stack's node exporter DaemonSet uses hostNetwork, hostPID and hostPath mounts " +
      "of /proc, /sys and / to read node metrics",
  },
  // KEDA 2.20.2 chart values: every pod runAsNonRoot, containers drop ALL, no escalation, read-only
  // root, seccomp RuntimeDefault ("KEDA is secure by default").
  [KEDA_NAMESPACE]: { enforce: "restricted" },
  // cert-manager v1.21.1 chart values: pods runAsNonRoot with seccomp RuntimeDefault, containers drop
  // ALL, no escalation, read-only root.
  [CERT_MANAGER_NAMESPACE]: { enforce: "restricted" },
  // kserve-resources v0.20.0 (files/kserve/resources.yaml): the controller pod runAsNonRoot with
  // seccomp RuntimeDefault, both containers drop ALL, no escalation, read-only root.
  [KSERVE_NAMESPACE]: { enforce: "restricted" },
  // external-dns chart 1.21.1 values: the pod runAsNonRoot with seccomp RuntimeDefault, the container
  // non-root (65532), drops ALL, no escalation, not privileged, read-only root.
  [EXTERNAL_DNS_NAMESPACE]: { enforce: "restricted" },
  // istiod 1.30.3 chart (templates/deployment.yaml): the container runs non-root, drops ALL, no
  // escalation, read-only root; seccomp RuntimeDefault from the kit's `seccompProfile` value.
  [ISTIO_NAMESPACE]: { enforce: "restricted" },
  // The gateway pods Istio 1.30.3 runs (istiod files/kube-gateway.yaml): istio-proxy as uid 1337,
  // drops ALL, no escalation, read-only root; the pod's only sysctl (ip_unprivileged_port_start) is
  // one baseline allows, seccomp RuntimeDefault from the kit's `gateways.seccompProfile` value.
  [LLM_GATEWAY_NAMESPACE]: { enforce: "restricted" },
  // Each accelerator kind's support namespaces, with their reasons (common/accelerators/namespaces.ts).
  ...Object.fromEntries(SUPPORT_NAMESPACES.map((n) => [n.name, n.podSecurity])),
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

/**
 * A namespace the kit creates, with its Pod Security labels (from {@link KIT_NAMESPACE_POD_SECURITY})
 * and any extra labels: the metadata of a `k8s.core.v1.Namespace`.
 */
export function kitNamespaceMetadata(namespace: string, extraLabels: Record<string, string> = {}) {
  return {
    name: namespace,
    labels: { "app.kubernetes.io/part-of": "mlserving", ...extraLabels, ...kitNamespacePodSecurityLabels(namespace) },
  };
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
  automountServiceAccountToken?: boolean;
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

/** One check of the hardening bar; exceptions waive checks by these names. */
export type HardeningField =
  | "hostNamespaces"
  | "hostPath"
  | "privileged"
  | "allowPrivilegeEscalation"
  | "capabilities"
  | "runAsNonRoot"
  | "runAsUser"
  | "seccompProfile"
  | "readOnlyRootFilesystem"
  | "automountServiceAccountToken";

/** What keeps a pod from the bar, with the check it fails. */
export interface HardeningFinding {
  field: HardeningField;
  message: string;
}

/**
 * What keeps a pod from the `restricted` Pod Security standard plus the kit's own bar of a
 * read-only root filesystem, one finding per field and container. Empty when hardened.
 */
export function hardenedPodFindings(spec: PodSpecLike): HardeningFinding[] {
  const out: HardeningFinding[] = [];
  const add = (field: HardeningField, message: string) => out.push({ field, message });
  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const)
    if (spec[f]) add("hostNamespaces", `${f} must not be set`);
  for (const v of spec.volumes ?? [])
    if (v.hostPath !== undefined) add("hostPath", `volume ${v.name}: hostPath is not allowed`);
  const pod = spec.securityContext ?? {};
  const seccompOk = (t?: string) => t === "RuntimeDefault" || t === "Localhost";
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  for (const c of all) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) add("privileged", `${at}: privileged must not be set`);
    if (sc.allowPrivilegeEscalation !== false)
      add("allowPrivilegeEscalation", `${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL"))
      add("capabilities", `${at}: capabilities.drop must include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((a) => a !== "NET_BIND_SERVICE");
    if (added.length > 0)
      add("capabilities", `${at}: capabilities.add may only hold NET_BIND_SERVICE (has ${added.join(", ")})`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) add("runAsNonRoot", `${at}: runAsNonRoot must be true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) add("runAsUser", `${at}: runAsUser must not be 0`);
    if (!seccompOk(sc.seccompProfile?.type ?? pod.seccompProfile?.type))
      add("seccompProfile", `${at}: seccompProfile.type must be RuntimeDefault or Localhost`);
    if (sc.readOnlyRootFilesystem !== true)
      add(
        "readOnlyRootFilesystem",
        `${at}: readOnlyRootFilesystem must be true (mount an emptyDir where the image writes)`,
      );
  }
  return out;
}

/**
 * What keeps a pod from the `restricted` Pod Security standard, plus the kit's own bar of a
 * read-only root filesystem: one message per field, naming the container. Empty when hardened.
 */
export function hardenedPodProblems(spec: PodSpecLike): string[] {
  return hardenedPodFindings(spec).map((f) => f.message);
}

/**
 * A kit workload that cannot meet the whole bar, the checks it is excused from and why. The
 * `workload-pods-hardened` policy reads this table; nothing else is excused.
 */
export interface HardeningException {
  /** Kind of the object: `DaemonSet`, `Deployment`, `ServingRuntime`, or `InferenceService` (named by its runtime). */
  readonly kind: string;
  /** The object's name (an InferenceService's: the ServingRuntime it runs). */
  readonly name: string;
  /** Only in this namespace. Default: any namespace (model runtimes are installed in every model namespace). */
  readonly namespace?: string;
  readonly waived: readonly HardeningField[];
  /** The component, what it needs and the source that says so. */
  readonly reason: string;
}

export const HARDENING_EXCEPTIONS: readonly HardeningException[] = SUPPORT_NAMESPACES.flatMap((n) =>
  (n.hardeningExceptions ?? []).map((e) => ({ ...e, namespace: n.name })),
);

/** The exception of one object, if it has one. */
export function hardeningExceptionFor(kind: string, name: string, namespace: string): HardeningException | undefined {
  return HARDENING_EXCEPTIONS.find(
    (e) => e.kind === kind && e.name === name && (e.namespace === undefined || e.namespace === namespace),
  );
}

/** Findings an exception does not excuse. */
export function unwaivedFindings(findings: HardeningFinding[], exception?: HardeningException): HardeningFinding[] {
  return exception ? findings.filter((f) => !exception.waived.includes(f.field)) : findings;
}
