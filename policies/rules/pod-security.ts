import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  hardenedPodProblems,
  KIT_NAMESPACE_POD_SECURITY,
  type PodSpecLike,
  POD_SECURITY_LABEL_PREFIX,
  podSecurityLabels,
} from "./vendor/pod-security";
import { kitConfigSchema } from "./config";
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

const WORKLOADS: Record<string, (props: Props) => PodSpecLike | undefined> = {
  "kubernetes:apps/v1:Deployment": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:StatefulSet": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:DaemonSet": (p) => p.spec?.template?.spec,
  "kubernetes:batch/v1:Job": (p) => p.spec?.template?.spec,
  "kubernetes:core/v1:Pod": (p) => p.spec,
};

/**
 * Workloads in a kit namespace that enforces `restricted` meet it at plan time (admission would
 * reject their pods at run time, after `pulumi up` had reported success) and run on a read-only
 * root filesystem.
 */
export const restrictedNamespaceWorkloadsHardened: ResourceValidationPolicy = {
  name: "restricted-namespace-workloads-hardened",
  description:
    "Deployments, StatefulSets, DaemonSets, Jobs and Pods in kit namespaces enforcing the restricted Pod Security standard meet it (non-root, no privilege escalation, drop ALL, seccomp RuntimeDefault) with a read-only root filesystem.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const podSpec = WORKLOADS[args.type];
    if (!podSpec) return;
    const namespace = String(args.props.metadata?.namespace ?? "default");
    if (KIT_NAMESPACE_POD_SECURITY[namespace]?.enforce !== "restricted") return;
    const spec = podSpec(args.props);
    if (!spec) return;
    for (const p of hardenedPodProblems(spec))
      report(`${args.props.metadata?.name ?? args.name} in namespace "${namespace}" (restricted): ${p}.`);
  },
};
