import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle } from "../common/handles";
import { ArgsChecker } from "../common/errors";
import { helmChartArgs } from "../common/helm";
import { DROP_TARGET_POD_LABELS, serviceMonitor } from "../common/monitors";
import { CHARTS } from "../versions";
import {
  DCGM_EXPORTER_RELEASE,
  dcgmExporterServiceLabels,
  dcgmExporterValues,
  gpuOperatorValues,
  NEURON_MONITOR_NAMESPACE,
  NEURON_NAMESPACE,
  neuronChartValues,
  NVIDIA_NAMESPACE,
  nvidiaDevicePluginValues,
} from "./device-plugin-values";
import { NEURON_MONITOR_SERVICE_LABELS, neuronMonitorDaemonSet, neuronMonitorService } from "./neuron-monitor";

export interface NvidiaGpuSupportArgs {
  /** The cluster whose GPU nodes get the plugin and exporter. Required. */
  cluster: ClusterHandle;
  /** `device-plugin` (NVIDIA's k8s-device-plugin) or `gpu-operator` (driver and toolkit off). Default: `device-plugin`. */
  devicePlugin?: "device-plugin" | "gpu-operator";
  /** Share each GPU among this many pods (CUDA time-slicing). Default: off. */
  timeSlicingReplicas?: number;
  /** Resources the ServiceMonitor waits for (the Prometheus operator's CRDs). Required. */
  monitoring: MonitoringHandle;
}

/** What GPU nodes need to be useful and observable: a device plugin and DCGM exporter with its ServiceMonitor. */
export class NvidiaGpuSupport extends pulumi.ComponentResource {
  readonly devicePlugin: k8s.helm.v3.Release;
  readonly dcgmExporter: k8s.helm.v3.Release;

  constructor(name: string, args: NvidiaGpuSupportArgs, opts?: pulumi.ComponentResourceOptions) {
    const plugin = args.devicePlugin ?? "device-plugin";
    new ArgsChecker(`NvidiaGpuSupport "${name}"`)
      .require(
        plugin === "device-plugin" || plugin === "gpu-operator",
        "devicePlugin",
        "must be device-plugin or gpu-operator",
      )
      .require(
        args.timeSlicingReplicas === undefined ||
          (Number.isInteger(args.timeSlicingReplicas) &&
            args.timeSlicingReplicas >= 2 &&
            args.timeSlicingReplicas <= 48),
        "timeSlicingReplicas",
        "must be a whole number from 2 to 48",
      )
      .throwIfAny();
    super("mlserving:capacity:NvidiaGpuSupport", name, {}, opts);
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider, dependsOn: cluster.workloadReady };

    this.devicePlugin =
      plugin === "gpu-operator"
        ? new k8s.helm.v3.Release(
            `${name}-gpu-operator`,
            {
              ...helmChartArgs(CHARTS.gpuOperator),
              name: "gpu-operator",
              namespace: "gpu-operator",
              createNamespace: true,
              values: gpuOperatorValues(args.timeSlicingReplicas),
              atomic: true,
              timeout: 900,
            },
            k8sOpts,
          )
        : new k8s.helm.v3.Release(
            `${name}-device-plugin`,
            {
              ...helmChartArgs(CHARTS.nvidiaDevicePlugin),
              name: "nvidia-device-plugin",
              namespace: NVIDIA_NAMESPACE,
              createNamespace: true,
              values: nvidiaDevicePluginValues(args.timeSlicingReplicas),
              atomic: true,
              timeout: 600,
            },
            k8sOpts,
          );

    this.dcgmExporter = new k8s.helm.v3.Release(
      `${name}-dcgm-exporter`,
      {
        ...helmChartArgs(CHARTS.dcgmExporter),
        name: DCGM_EXPORTER_RELEASE,
        namespace: NVIDIA_NAMESPACE,
        createNamespace: true,
        values: dcgmExporterValues(),
        // Scales with GPU nodes, which may be zero: do not wait for pods.
        skipAwait: true,
      },
      k8sOpts,
    );

    const sm = serviceMonitor({
      name: "dcgm-exporter",
      namespace: NVIDIA_NAMESPACE,
      serviceLabels: dcgmExporterServiceLabels(),
      port: "metrics",
      interval: "15s",
      honorLabels: true,
      // GPUs no pod holds come without pod labels; without this they took the exporter's own.
      relabelings: [{ ...DROP_TARGET_POD_LABELS }],
    });
    new k8s.apiextensions.CustomResource(`${name}-dcgm-exporter`, sm, {
      parent: this,
      provider: cluster.provider,
      dependsOn: [this.dcgmExporter, ...args.monitoring.ready],
    });
    this.registerOutputs({});
  }
}

export interface NeuronSupportArgs {
  /** The cluster whose Inferentia nodes get the plugin and monitor. Required. */
  cluster: ClusterHandle;
  /** Install the Neuron scheduler extension (pods opt in with `schedulerName: my-scheduler`). Default: true. */
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
    const scheduler = args.scheduler ?? true;
    const k8sOpts = { parent: this, provider: cluster.provider };

    this.chart = new k8s.helm.v3.Release(
      `${name}-neuron`,
      {
        ...helmChartArgs(CHARTS.neuron),
        name: "neuron",
        namespace: NEURON_NAMESPACE,
        values: neuronChartValues(scheduler),
        // The device plugin DaemonSet has no pods until an Inferentia node exists.
        skipAwait: true,
      },
      { ...k8sOpts, dependsOn: cluster.workloadReady },
    );
    this.schedulerName = scheduler ? "my-scheduler" : undefined;

    const ns = new k8s.core.v1.Namespace(
      `${name}-neuron-monitor`,
      { metadata: { name: NEURON_MONITOR_NAMESPACE } },
      { ...k8sOpts, dependsOn: cluster.workloadReady },
    );
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
