import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle, MonitoringHandle } from "../handles";

/** Operating systems of accelerator nodes. */
export type NodeOs = "al2023" | "bottlerocket";

/** How NVIDIA devices are advertised: NVIDIA's device plugin alone, or the GPU Operator. */
export type GpuDevicePlugin = "device-plugin" | "gpu-operator";

/** The platform's capacity settings (stack keys `capacity.*`); each kind's support reads its own. */
export interface AcceleratorSupportOptions {
  readonly gpuDevicePlugin?: GpuDevicePlugin;
  readonly gpuTimeSlicingReplicas?: number;
  readonly neuronScheduler?: boolean;
}

/** What a kind's support component is given: the cluster, monitoring, and the capacity settings. */
export interface AcceleratorSupportContext {
  readonly cluster: ClusterHandle;
  readonly monitoring: MonitoringHandle;
  /** CIDRs of the cluster's subnets, for the NetworkPolicies of the support's namespaces. */
  readonly controlPlaneSubnetCidrs?: pulumi.Input<string[]>;
  readonly options: AcceleratorSupportOptions;
}

/** What a kind's support offers the rest of the platform. */
export interface AcceleratorSupport {
  /** The component the factory created (the kind's device plugin, exporter, ...). */
  readonly component: pulumi.ComponentResource;
  /** A scheduler the kind's pods must use, when its support installs one. */
  readonly schedulerName?: string;
}

/**
 * Creates what a cluster needs before pods can use a kind's devices and before they can be
 * watched: its device-plugin add-on and exporter, in the platform as `<platform>-<kind>`.
 */
export type AcceleratorSupportFactory = (
  name: string,
  context: AcceleratorSupportContext,
  opts?: pulumi.ComponentResourceOptions,
) => AcceleratorSupport;

/** A DaemonSet the kind's support puts on each of its nodes, with what it requests (the node overhead model counts it). */
export interface AcceleratorDaemonSet {
  readonly name: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  /** Where the figures come from (chart values at the pinned version, or the kit's own object). */
  readonly source: string;
}

/**
 * The Grafana dashboard of a kind's devices, fed by its exporter. The kit ships it with its own
 * dashboards (`DASHBOARDS`, monitoring/dashboards.ts), after the model-serving one, in kind order.
 */
export interface AcceleratorDashboard {
  /** What alerts call it (`the GPU dashboard`, AcceleratorExporterMissing). */
  readonly title: string;
  /** Short name: its ConfigMap is `mlserving-dashboard-<name>` and its key `<name>.json`. */
  readonly name: string;
  /**
   * The Grafana dashboard model (schemaVersion 39, datasource uid `prometheus`), kept beside the
   * record as `dashboards/<name>.json`; every metric it queries must be in `METRIC_CATALOG`.
   */
  readonly json: object;
}

/**
 * An alert on a kind's instances whose devices sit idle beyond what the models need
 * (`alertRuleGroups`, monitoring/alert-rules.ts: group `mlserving-accelerators`, warning after an
 * hour). Models keep their minimum replicas however quiet the night, and each replica holds one
 * instance at most, so it fires, on each idle instance, only while more instances are idle than the
 * kind's floor: the replicas the platform's own models of the kind keep at their minimum
 * (`AlertRuleInput.idleDeviceReplicaFloors`, which `MlPlatform` computes per kind) plus the running
 * model-server pods of team namespaces holding the kind's devices (their minimums live in the teams'
 * stacks, so all their replicas count).
 */
export interface AcceleratorIdleAlert {
  /** The alert's name, e.g. `NeuronCoresIdle`. */
  readonly alert: string;
  /**
   * Labels of the exporter's series that name an instance: idle instances are counted by the first,
   * and each firing alert carries them all.
   */
  readonly instanceLabels: readonly [string, ...string[]];
  /** PromQL of the instances whose devices are idle, aggregated `by` the given labels (a comma-separated list of instance labels). */
  readonly idleInstances: (by: string) => string;
  /** The alert's summary annotation, given the platform's floor (replicas of its models of the kind at their minimum). */
  readonly summary: (floor: number) => string;
  /** The alert's runbook annotation: what to look at when it fires. */
  readonly runbook: string;
}

/** One series of a kind's exporter, as the metric catalogue records it. */
export interface AcceleratorMetric {
  readonly type: "counter" | "gauge" | "histogram" | "summary";
  /** Labels the exporter puts on the series (not the target labels Prometheus adds). */
  readonly labels: readonly string[];
  /** Upstream file or document, at the pinned version, the name was checked against. */
  readonly source: string;
}

/** An alert rule on a kind's exporter series, in the PrometheusRule shape the monitoring rules use. */
export interface AcceleratorAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "critical" | "warning" };
  readonly annotations: { readonly summary: string; readonly runbook: string };
}

/**
 * Everything the kit knows about one kind of accelerator, in one record: capacity, scheduling,
 * policies, validation, quotas and monitoring all derive from it, and no code outside
 * `components/common/accelerators/` names a kind. Adding a kind is one such record, one line in
 * `ACCELERATORS`, the catalogue rows of its instance types (`common/instance-types.ts`, the one
 * source of device counts and device memory), its device-plugin add-on and its pins
 * (`components/versions.ts`).
 */
export interface AcceleratorKindRecord<K extends string = string> {
  /** The name stack files use (`kind: nvidia`, `accelerator: nvidia`) and the catalogue's `accelerator.kind`. */
  readonly kind: K;
  /** Human name, used in messages. */
  readonly title: string;
  /** The article messages put before the kind's name, as it is said (`an nvidia model`). */
  readonly article: "a" | "an";
  /** What one device is called in messages, singular and plural (`GPU`, `GPUs`). */
  readonly device: { readonly one: string; readonly many: string };
  /** Extended resource a pod requests for one device, e.g. `nvidia.com/gpu`. */
  readonly deviceResource: string;
  /**
   * The field a model (`serving.models[].resources.<field>`) and a team quota
   * (`teams[].quota.<field>`) use for this kind's devices; the stack-file key users write.
   */
  readonly deviceField: string;
  /** Most devices one model replica may request (the config's bound on `resources.<deviceField>`). */
  readonly maxDevicesPerReplica: number;
  /** Taint key (value `true`, NoSchedule) on every node of the kind; pods must tolerate it. */
  readonly taintKey: string;
  /** EKS managed node group AMI type per operating system; an absent OS is not supported. */
  readonly amiTypes: Readonly<Partial<Record<NodeOs, string>>>;
  /**
   * What the policy pack maps a managed node group's AMI type from: an AMI type containing this
   * word runs this kind (EKS AMI types name the accelerator, e.g. `BOTTLEROCKET_ARM_64_NVIDIA`).
   */
  readonly amiTypeMarker: string;
  /**
   * Karpenter's well-known node label naming the kind's chip (`karpenter.k8s.aws/instance-gpu-name`:
   * `l4`, `a10g`; `karpenter.k8s.aws/instance-accelerator-name`: `inferentia2`), whose values are the
   * chip names of the instance catalogue: compile Jobs select a device type by it (serving/compile-cache.ts).
   */
  readonly karpenterDeviceNameLabel: string;
  /**
   * Node labels beyond the kit's own that the kind's device plugin or autoscaler looks for,
   * per operating system.
   */
  readonly nodeLabels: (os: NodeOs) => Record<string, string>;
  /**
   * Whether `capacity.gpuTimeSlicingReplicas` shares this kind's devices (the device plugin
   * advertises each device as that many schedulable shares).
   */
  readonly timeSlicing: boolean;
  /**
   * Whether a Karpenter pool of this kind may boot from an image-cache snapshot
   * (`imageCacheSnapshotId`): Karpenter then launches Bottlerocket, so the kind needs a
   * Bottlerocket AMI type.
   */
  readonly imageCache: boolean;
  /** The kind's support component: its device-plugin add-on and exporter (see `support.ts`). */
  readonly support: AcceleratorSupportFactory;
  /**
   * The namespaces the kit creates for the kind's support (`namespaces.ts`): no model team may take
   * one (`RESERVED_NAMESPACES`, platform/teams.ts), and each needs its Pod Security level
   * (`KIT_NAMESPACE_POD_SECURITY`) and isolation (`KIT_NAMESPACE_ISOLATION`), which a test holds
   * every record to. Namespaces the kit does not own (a chart in `kube-system`) are not listed.
   */
  readonly supportNamespaces: readonly string[];
  /** DaemonSets the kind's support runs on each of its nodes. */
  readonly daemonSets: readonly AcceleratorDaemonSet[];
  /**
   * What tells how busy the devices are: the exporter (its Prometheus job), its utilisation
   * metric, what its nodes are called in alerts and the dashboard that shows them; and the model
   * scaling metric (`autoscaling.metric`) that utilisation answers, if models may scale on it.
   */
  readonly metrics: {
    readonly exporter: string;
    readonly utilization: string;
    readonly scalingMetric?: string;
    readonly nodes: string;
    readonly dashboard: AcceleratorDashboard;
    /**
     * The exporter's series the kit's dashboards, alerts and scaling queries may use, by name: the
     * monitoring's metric catalogue (`METRIC_CATALOG`) takes them under {@link exporter}, and tests
     * fail on a queried metric it does not hold.
     */
    readonly catalog: Readonly<Record<string, AcceleratorMetric>>;
  };
  /**
   * The alert on the kind's idle instances beyond the models' floor (see {@link AcceleratorIdleAlert}),
   * for a kind whose exporter reports utilisation per instance; absent for none.
   */
  readonly idleAlert?: AcceleratorIdleAlert;
  /**
   * Alerts on single devices from the kind's exporter (a device's memory near full, a device a stray
   * pod holds idle), in the platform's accelerator alert group before the idle alerts. Given the PromQL
   * of the kit's model-server pods (kube-state-metrics' `kube_pod_labels` with the model label), which
   * such alerts leave to the models' autoscaling. Absent for none.
   */
  readonly deviceAlerts?: (modelPods: string) => readonly AcceleratorAlertRule[];
}
