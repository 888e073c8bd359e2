import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  hardenedPodProblems,
  KIT_NAMESPACE_POD_SECURITY,
  type PodSpecLike,
  POD_SECURITY_LABEL_PREFIX,
  podSecurityLabels,
} from "./vendor/pod-security";
import { kitConfigSchema } from "./config";
import { podTemplateOf } from "./pods";
import type { Props } from "./props";

const NAMESPACE = "kubernetes:core/v1:Namespace";

/**
 * Every namespace the kit creates carries the Pod Security admission labels of
 * `KIT_NAMESPACE_POD_SECURITY` (enforce, warn, audit, each version-pinned): no namespace is left
 * without admission control, and none is looser than the table, where each exception has its reason.
 */
export const kitNamespacesPodSecurity: ResourceValidationPolicy = {
  name: "kit-namespaces-pod-security",
  description:
    "Namespaces the kit creates carry Pod Security admission labels (enforce, warn, audit, pinned versions) at the levels of KIT_NAMESPACE_POD_SECURITY.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== NAMESPACE) return;
    const name = String(args.props.metadata?.name ?? "");
    const expected = KIT_NAMESPACE_POD_SECURITY[name];
    if (!expected) return;
    const labels = (args.props.metadata?.labels ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(podSecurityLabels(expected))) {
      if (labels[key] !== value)
        report(
          `namespace "${name}": label ${key} must be "${value}" (is ${labels[key] === undefined ? "missing" : `"${labels[key]}"`}); ` +
            `see KIT_NAMESPACE_POD_SECURITY for the level and its reason.`,
        );
    }
    const unknown = Object.keys(labels).filter(
      (k) => k.startsWith(`${POD_SECURITY_LABEL_PREFIX}/`) && !(k in podSecurityLabels(expected)),
    );
    for (const k of unknown) report(`namespace "${name}": unexpected Pod Security label ${k}.`);
  },
};

/**
 * The Pod Security level each namespace enforces, as far as the stack says: the kit's own
 * namespaces from KIT_NAMESPACE_POD_SECURITY (kit-namespaces-pod-security holds their labels to it),
 * every other namespace the stack creates from its `pod-security.kubernetes.io/enforce` label.
 */
export function enforcedPodSecurity(resources: readonly PolicyResource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== NAMESPACE) continue;
    const level = r.props.metadata?.labels?.[`${POD_SECURITY_LABEL_PREFIX}/enforce`];
    if (typeof level === "string") out.set(String(r.props.metadata?.name ?? ""), level);
  }
  for (const [name, p] of Object.entries(KIT_NAMESPACE_POD_SECURITY)) out.set(name, p.enforce);
  return out;
}

/**
 * Reports, for every pod-bearing resource in a namespace that enforces `level`, each problem
 * `problems` finds in its pod spec (admission would reject those pods at run time).
 */
function reportPodsAtLevel(
  resources: PolicyResource[],
  level: "restricted" | "baseline",
  problems: (spec: Props) => string[],
  report: ReportViolation,
): void {
  const levels = enforcedPodSecurity(resources);
  for (const r of resources) {
    const template = podTemplateOf(r.type, r.props);
    if (!template) continue;
    const namespace = String(r.props.metadata?.namespace ?? "default");
    if (levels.get(namespace) !== level) continue;
    for (const p of problems(template.spec))
      report(
        `${template.kind} ${r.props.metadata?.name ?? r.name} in namespace "${namespace}" (${level}): ${p}.`,
        r.urn,
      );
  }
}

/**
 * Workloads (every pod-bearing kind, bare Pods and CronJobs included) in a namespace that enforces
 * `restricted` (a kit namespace, or one the stack creates with that label) meet it at plan time
 * (admission would reject their pods at run time, after `pulumi up` had reported success) and
 * run on a read-only root filesystem.
 */
export const restrictedNamespaceWorkloadsHardened: StackValidationPolicy = {
  name: "restricted-namespace-workloads-hardened",
  description:
    "Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs in namespaces " +
    "enforcing the restricted Pod Security standard (the kit's, and those the stack labels pod-security.kubernetes.io/enforce: " +
    "restricted) meet it (non-root, no privilege escalation, drop ALL, seccomp RuntimeDefault) " +
    "with a read-only root filesystem.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) =>
    reportPodsAtLevel(args.resources, "restricted", (spec) => hardenedPodProblems(spec as PodSpecLike), report),
};

/**
 * Capabilities the `baseline` Pod Security standard lets a container add (Kubernetes docs,
 * "Pod Security Standards", Baseline: Capabilities).
 */
export const BASELINE_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

/**
 * What keeps a pod from the `baseline` Pod Security standard: host namespaces, host paths,
 * privileged containers, capabilities beyond BASELINE_CAPABILITIES, host ports, an Unconfined
 * seccomp profile, an unmasked /proc. Empty when it meets it.
 */
export function baselinePodProblems(spec: Props): string[] {
  const out: string[] = [];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[f] === true) out.push(`${f} must not be set`);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : [])
    if (v?.hostPath !== undefined) out.push(`volume ${v.name}: hostPath is not allowed`);
  if (spec.securityContext?.seccompProfile?.type === "Unconfined")
    out.push("seccompProfile.type must not be Unconfined");
  const containers = [spec.initContainers, spec.containers, spec.ephemeralContainers].flatMap((l) =>
    Array.isArray(l) ? (l as Props[]) : [],
  );
  for (const c of containers) {
    const at = `container ${c?.name}`;
    const sc = c?.securityContext ?? {};
    if (sc.privileged === true) out.push(`${at}: privileged must not be set`);
    const added = ((sc.capabilities?.add ?? []) as string[]).filter((a) => !BASELINE_CAPABILITIES.includes(a));
    if (added.length > 0) out.push(`${at}: capabilities.add holds ${added.join(", ")}, beyond baseline`);
    for (const p of Array.isArray(c?.ports) ? (c.ports as Props[]) : [])
      if (p?.hostPort) out.push(`${at}: hostPort ${p.hostPort} is not allowed`);
    if (sc.seccompProfile?.type === "Unconfined") out.push(`${at}: seccompProfile.type must not be Unconfined`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") out.push(`${at}: procMount must be Default`);
  }
  return out;
}

/**
 * Workloads in a namespace that enforces `baseline` (a kit namespace, or one the stack creates with
 * that label) meet it at plan time: admission would reject their pods at run time.
 */
export const baselineNamespaceWorkloadsAdmitted: StackValidationPolicy = {
  name: "baseline-namespace-workloads-admitted",
  description:
    "Pods of every kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) in " +
    "namespaces enforcing the baseline Pod Security standard (the kit's, and those the stack labels " +
    "pod-security.kubernetes.io/enforce: baseline) meet it: no host namespaces, host paths, privileged " +
    "containers, capabilities beyond baseline, host ports, Unconfined seccomp or unmasked /proc.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => reportPodsAtLevel(args.resources, "baseline", baselinePodProblems, report),
};
