import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle } from "../handles";
import { ProblemList, throwIfProblems, wholeNumberProblem } from "../problems";
import { installChart } from "../chart-addon";
import { serviceMonitor } from "../monitors";
import { DCGM_EXPORTER_ADDON, GPU_OPERATOR_ADDON, NEURON_ADDON, NVIDIA_DEVICE_PLUGIN_ADDON } from "./addons";
import {
  GPU_OPERATOR_NAMESPACE,
  NEURON_MONITOR_NAMESPACE,
  NEURON_SCHEDULER_NAME,
  NVIDIA_NAMESPACE,
} from "./device-plugin-values";
import {
  NEURON_MONITOR_SERVICE_LABELS,
  neuronMonitorDaemonSet,
  neuronMonitorNetworkPolicies,
  neuronMonitorService,
} from "./neuron-monitor";
import { kitNamespaceMetadata, kitNamespacePodSecurityLabels } from "../pod-security";
import { registerControllerNamespacePolicies } from "../network-policy-resources";
import type { AcceleratorSupportFactory, GpuDevicePlugin } from "./kind";

/** Time-slicing shares of one GPU (NVIDIA device plugin). */
export const TIME_SLICING_LIMITS = { min: 2, max: 48 } as const;

/** Defaults of the support components' settings. */
export const ACCELERATOR_SUPPORT_DEFAULTS = {
  gpuDevicePlugin: "device-plugin" as GpuDevicePlugin,
  /** Off: chart 1.9.0 runs kube-scheduler v1.31 against a 1.35 control plane. */
  neuronScheduler: false,
};

export interface NvidiaGpuSupportArgs {
  /** The cluster whose GPU nodes get the plugin and exporter. Required. */
  cluster: ClusterHandle;
  /** `device-plugin` (NVIDIA's k8s-device-plugin) or `gpu-operator` (driver and toolkit off). Default: `device-plugin`. */
  devicePlugin?: GpuDevicePlugin;
  /** Share each GPU among this many pods (CUDA time-slicing). Default: off. */
  timeSlicingReplicas?: number;
  /** Resources the ServiceMonitor waits for (the Prometheus operator's CRDs). Required. */
  monitoring: MonitoringHandle;
  /**
   * CIDRs of the cluster's subnets: the chart namespaces get ingress NetworkPolicies
   * (controllerNamespacePolicies) admitting Prometheus and their own pods. Default: no NetworkPolicies.
   */
  controlPlaneSubnetCidrs?: pulumi.Input<string[]>;
}

/** What GPU nodes need to be useful and observable: a device plugin and DCGM exporter with its ServiceMonitor. */
export class NvidiaGpuSupport extends pulumi.ComponentResource {
  readonly devicePlugin: k8s.helm.v3.Release;
  readonly dcgmExporter: k8s.helm.v3.Release;

  constructor(name: string, args: NvidiaGpuSupportArgs, opts?: pulumi.ComponentResourceOptions) {
    const plugin = args.devicePlugin ?? ACCELERATOR_SUPPORT_DEFAULTS.gpuDevicePlugin;
    const problems = new ProblemList().check(
      plugin === "device-plugin" || plugin === "gpu-operator",
      "devicePlugin",
      "must be device-plugin or gpu-operator",
    );
    if (args.timeSlicingReplicas !== undefined) {
      const { min, max } = TIME_SLICING_LIMITS;
      const p = wholeNumberProblem(args.timeSlicingReplicas, min, max);
      if (p) problems.add("timeSlicingReplicas", p);
    }
    throwIfProblems(`NvidiaGpuSupport "${name}"`, problems.list);
    super("mlserving:capacity:NvidiaGpuSupport", name, {}, opts);
    const { cluster } = args;
    // The charts' namespaces are the kit's Namespace objects (with Pod Security labels), not Helm's.
    const namespace = (ns: string) => {
      const created = new k8s.core.v1.Namespace(
        `${name}-${ns}-ns`,
        { metadata: kitNamespaceMetadata(ns) },
        { parent: this, provider: cluster.provider, dependsOn: cluster.workloadReady },
      );
      if (args.controlPlaneSubnetCidrs)
        registerControllerNamespacePolicies(`${name}-${ns}`, ns, args.controlPlaneSubnetCidrs, {
          parent: this,
          provider: cluster.provider,
          dependsOn: [created],
        });
      return created;
    };
    const nvidiaNs = namespace(NVIDIA_NAMESPACE);
    const ctx = { parent: this, cluster };
    this.devicePlugin =
      plugin === "gpu-operator"
        ? installChart(`${name}-gpu-operator`, GPU_OPERATOR_ADDON, args, {
            ...ctx,
            dependsOn: [namespace(GPU_OPERATOR_NAMESPACE)],
          }).release
        : installChart(`${name}-device-plugin`, NVIDIA_DEVICE_PLUGIN_ADDON, args, { ...ctx, dependsOn: [nvidiaNs] })
            .release;
    this.dcgmExporter = installChart(`${name}-dcgm-exporter`, DCGM_EXPORTER_ADDON, undefined, {
      ...ctx,
      dependsOn: [nvidiaNs],
      monitoring: args.monitoring,
      monitorName: `${name}-dcgm-exporter`,
    }).release;
    this.registerOutputs({});
  }
}

export interface NeuronSupportArgs {
  /** The cluster whose Inferentia nodes get the plugin and monitor. Required. */
  cluster: ClusterHandle;
  /** Install the Neuron scheduler extension (pods opt in with `schedulerName: my-scheduler`). Default: false. */
  scheduler?: boolean;
  /** Resources the ServiceMonitor waits for (the Prometheus operator's CRDs). Required. */
  monitoring: MonitoringHandle;
}

/** What Inferentia nodes need: AWS's Neuron chart (device plugin, scheduler extension) and neuron-monitor with a ServiceMonitor. */
export class NeuronSupport extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v3.Release;
  readonly schedulerName?: string;

  constructor(name: string, args: NeuronSupportArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlserving:capacity:NeuronSupport", name, {}, opts);
    const { cluster } = args;
    const scheduler = args.scheduler ?? ACCELERATOR_SUPPORT_DEFAULTS.neuronScheduler;
    const k8sOpts = { parent: this, provider: cluster.provider };

    this.chart = installChart(`${name}-neuron`, NEURON_ADDON, { scheduler }, { parent: this, cluster }).release;
    this.schedulerName = scheduler ? NEURON_SCHEDULER_NAME : undefined;

    const ns = new k8s.core.v1.Namespace(
      `${name}-neuron-monitor`,
      { metadata: { name: NEURON_MONITOR_NAMESPACE, labels: kitNamespacePodSecurityLabels(NEURON_MONITOR_NAMESPACE) } },
      { ...k8sOpts, dependsOn: cluster.workloadReady },
    );
    for (const policy of neuronMonitorNetworkPolicies(args.monitoring.namespace))
      new k8s.networking.v1.NetworkPolicy(`${name}-neuron-monitor-${policy.metadata.name}`, policy, {
        ...k8sOpts,
        dependsOn: [ns],
      });
    new k8s.apps.v1.DaemonSet(`${name}-neuron-monitor`, neuronMonitorDaemonSet(), { ...k8sOpts, dependsOn: [ns] });
    const svc = new k8s.core.v1.Service(`${name}-neuron-monitor`, neuronMonitorService(), {
      ...k8sOpts,
      dependsOn: [ns],
    });
    new k8s.apiextensions.CustomResource(
      `${name}-neuron-monitor`,
      serviceMonitor({
        name: "neuron-monitor",
        namespace: NEURON_MONITOR_NAMESPACE,
        serviceLabels: NEURON_MONITOR_SERVICE_LABELS,
        port: "metrics",
        interval: "30s",
      }),
      { ...k8sOpts, dependsOn: [svc, ...args.monitoring.ready] },
    );
    this.registerOutputs({});
  }
}

/** The NVIDIA record's support: `NvidiaGpuSupport` with `capacity.gpuDevicePlugin` and `capacity.gpuTimeSlicingReplicas`. */
export const nvidiaSupport: AcceleratorSupportFactory = (
  name,
  { cluster, monitoring, controlPlaneSubnetCidrs, options },
  opts,
) => ({
  component: new NvidiaGpuSupport(
    name,
    {
      cluster,
      devicePlugin: options.gpuDevicePlugin,
      timeSlicingReplicas: options.gpuTimeSlicingReplicas,
      monitoring,
      controlPlaneSubnetCidrs,
    },
    opts,
  ),
});

/** The Neuron record's support: `NeuronSupport` with `capacity.neuronScheduler`; its pods use the scheduler it installs. */
export const neuronSupport: AcceleratorSupportFactory = (name, { cluster, monitoring, options }, opts) => {
  const component = new NeuronSupport(name, { cluster, scheduler: options.neuronScheduler, monitoring }, opts);
  return { component, schedulerName: component.schedulerName };
};
