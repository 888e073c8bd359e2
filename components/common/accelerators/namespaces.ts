/**
 * Namespaces the kit creates for the kinds' support (device plugins, exporters), each with its
 * security posture: the Pod Security level it enforces, the directions its default-deny
 * NetworkPolicy closes, the ports the control plane calls in it, and the workloads in it excused
 * from the hardening bar, each with its reason. Each record lists its own names in
 * `supportNamespaces`. A leaf module of plain data: `common/pod-security.ts` and
 * `common/network-policy.ts` (which the policy pack copies, reading this table from the generated
 * facts) build their tables from it without importing the records.
 */

/** Namespace of NVIDIA's device plugin and DCGM exporter. */
export const NVIDIA_NAMESPACE = "nvidia";
/** Namespace of NVIDIA's GPU Operator (`capacity.gpuDevicePlugin: gpu-operator`). */
export const GPU_OPERATOR_NAMESPACE = "gpu-operator";
/** Namespace of the privileged neuron-monitor DaemonSet on Neuron nodes. */
export const NEURON_MONITOR_NAMESPACE = "neuron-monitor";

/** Why a namespace of controllers denies ingress only (the isolation table's reason for them). */
export const CALLS_API_SERVER =
  "its controllers call the API server, whose private endpoint's network interfaces no selector names; " +
  "ingress is denied but for the control plane's webhook calls and Prometheus";

/** One support namespace and its posture (the shapes of the Pod Security and isolation tables). */
export interface SupportNamespace {
  readonly name: string;
  /** Its Pod Security (`KIT_NAMESPACE_POD_SECURITY`): a level below `restricted` names the component and its need. */
  readonly podSecurity: { readonly enforce: "privileged" | "baseline" | "restricted"; readonly reason?: string };
  /** Its default-deny directions (`KIT_NAMESPACE_ISOLATION`); a reason when egress stays open. */
  readonly isolation: { readonly deny: readonly ("Ingress" | "Egress")[]; readonly reason?: string };
  /** Ports the control plane calls in it (`CONTROL_PLANE_PORTS`), when egress stays open for a controller. */
  readonly controlPlanePorts?: readonly number[];
  /** Workloads in it excused from checks of the hardening bar (`HARDENING_EXCEPTIONS`), and why. */
  readonly hardeningExceptions?: readonly {
    readonly kind: string;
    readonly name: string;
    readonly waived: readonly (
      "privileged" | "allowPrivilegeEscalation" | "capabilities" | "runAsNonRoot" | "readOnlyRootFilesystem"
    )[];
    readonly reason: string;
  }[];
}

/** Every kind's support namespaces: NVIDIA's first, then Neuron's. */
export const SUPPORT_NAMESPACES: readonly SupportNamespace[] = [
  {
    name: NVIDIA_NAMESPACE,
    podSecurity: {
      enforce: "privileged",
      reason:
        "NVIDIA's device plugin mounts the kubelet's device-plugin socket directory (hostPath) and DCGM " +
        "exporter needs SYS_ADMIN and host paths to read the GPUs' counters",
    },
    isolation: { deny: ["Ingress"], reason: CALLS_API_SERVER },
    controlPlanePorts: [],
  },
  {
    name: GPU_OPERATOR_NAMESPACE,
    podSecurity: {
      enforce: "privileged",
      reason:
        "the GPU operator's node components (device plugin, feature discovery, validators) run privileged on GPU nodes",
    },
    isolation: { deny: ["Ingress"], reason: CALLS_API_SERVER },
    controlPlanePorts: [],
  },
  {
    name: NEURON_MONITOR_NAMESPACE,
    podSecurity: {
      enforce: "privileged",
      reason: "neuron-monitor runs privileged to read the Neuron devices and driver counters of its node",
    },
    isolation: { deny: ["Ingress", "Egress"] },
    hardeningExceptions: [
      {
        kind: "DaemonSet",
        name: "neuron-monitor",
        waived: ["privileged", "allowPrivilegeEscalation", "capabilities", "runAsNonRoot", "readOnlyRootFilesystem"],
        reason:
          "neuron-monitor runs privileged to read the Neuron devices and driver counters of its node, as AWS's " +
          "k8s-neuron-monitor-daemonset.yml runs it (privileged implies escalation and every capability; the " +
          "paths its image writes are not documented)",
      },
    ],
  },
];
