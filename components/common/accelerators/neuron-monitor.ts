import { imageRef, IMAGES } from "../../versions";
import { LABELS } from "./labels";
import { NEURON_DEVICE_RESOURCE, NEURON_MONITOR_NAMESPACE } from "./device-plugin-values";
import { defaultDenyPolicy, networkPolicyMeta, prometheusPeer, tcp } from "../network-policy";
import { RUNTIME_DEFAULT_SECCOMP } from "../pod-security";

export const NEURON_MONITOR_PORT = 8000;
/** Requests and limits of the neuron-monitor container (the Neuron record counts the requests in the node overhead). */
export const NEURON_MONITOR_RESOURCES = {
  requests: { cpu: "256m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
} as const;
const labels = { "app.kubernetes.io/name": "neuron-monitor", "app.kubernetes.io/part-of": "mlserving" };

/**
 * neuron-monitor as AWS documents it for EKS (Neuron docs, `k8s-neuron-monitor-daemonset.yml`):
 * the monitor and its Prometheus exporter on port 8000, privileged to read the Neuron devices,
 * on Neuron nodes only (tolerating their taint, which AWS's manifest does not).
 */
export function neuronMonitorDaemonSet() {
  return {
    metadata: { name: "neuron-monitor", namespace: NEURON_MONITOR_NAMESPACE, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: "RollingUpdate" },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [LABELS.accelerator]: "neuron" },
          tolerations: [{ key: NEURON_DEVICE_RESOURCE, operator: "Exists", effect: "NoSchedule" }],
          priorityClassName: "system-node-critical",
          // It reads its node's devices, never the Kubernetes API.
          automountServiceAccountToken: false,
          securityContext: { seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP } },
          containers: [
            {
              name: "neuron-monitor",
              image: imageRef(IMAGES.neuronMonitor),
              command: ["/opt/bin/entrypoint.sh"],
              args: [
                "--port",
                String(NEURON_MONITOR_PORT),
                "--neuron-monitor-config",
                "/opt/aws/neuron/bin/neuron-monitor.conf",
              ],
              ports: [{ name: "metrics", containerPort: NEURON_MONITOR_PORT, protocol: "TCP" }],
              env: [{ name: "GOMEMLIMIT", value: "160MiB" }],
              resources: NEURON_MONITOR_RESOURCES,
              readinessProbe: { tcpSocket: { port: "metrics" }, initialDelaySeconds: 10, periodSeconds: 15 },
              // Documented exception (HARDENING_EXCEPTIONS in common/pod-security.ts): privileged, as AWS runs it.
              securityContext: { privileged: true },
            },
          ],
        },
      },
    },
  };
}

/** Headless Service over the DaemonSet's pods, so Prometheus scrapes each node's monitor. */
export function neuronMonitorService() {
  return {
    metadata: { name: "neuron-monitor", namespace: NEURON_MONITOR_NAMESPACE, labels },
    spec: {
      clusterIP: "None",
      selector: labels,
      ports: [{ name: "metrics", port: NEURON_MONITOR_PORT, targetPort: "metrics", protocol: "TCP" }],
    },
  };
}

export const NEURON_MONITOR_SERVICE_LABELS = labels;

/**
 * NetworkPolicies of the neuron-monitor namespace: nothing in or out but Prometheus's scrapes of
 * the exporter's port (the monitor reads its node's devices and calls nothing).
 */
export function neuronMonitorNetworkPolicies(monitoringNamespace?: string) {
  return [
    defaultDenyPolicy(NEURON_MONITOR_NAMESPACE),
    {
      metadata: networkPolicyMeta("allow-prometheus-scrapes", NEURON_MONITOR_NAMESPACE),
      spec: {
        podSelector: { matchLabels: { ...labels } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [prometheusPeer(monitoringNamespace)], ports: [tcp(NEURON_MONITOR_PORT)] }],
      },
    },
  ];
}
