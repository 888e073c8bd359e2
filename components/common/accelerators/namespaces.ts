/**
 * Namespaces the kit creates for the kinds' support (device plugins, exporters): each record lists
 * its own in `supportNamespaces`. A leaf module, so `common/names.ts` (and through it the Pod Security
 * and isolation tables the policy pack copies) can re-export them without importing the records.
 */

/** Namespace of NVIDIA's device plugin and DCGM exporter. */
export const NVIDIA_NAMESPACE = "nvidia";
/** Namespace of NVIDIA's GPU Operator (`capacity.gpuDevicePlugin: gpu-operator`). */
export const GPU_OPERATOR_NAMESPACE = "gpu-operator";
/** Namespace of the privileged neuron-monitor DaemonSet on Neuron nodes. */
export const NEURON_MONITOR_NAMESPACE = "neuron-monitor";
