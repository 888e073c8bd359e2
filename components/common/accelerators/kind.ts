/** Operating systems of accelerator nodes. */
export type NodeOs = "al2023" | "bottlerocket";

/**
 * Everything the kit knows about one kind of accelerator, in one record: capacity, scheduling,
 * policies, validation and monitoring all derive from it. Adding a kind is one such record and
 * one line in `ACCELERATORS`.
 */
export interface AcceleratorKindRecord {
  /** Human name, used in messages. */
  readonly title: string;
  /** Extended resource a pod requests for one device, e.g. `nvidia.com/gpu`. */
  readonly deviceResource: string;
  /** Taint key (value `true`, NoSchedule) on every node of the kind; pods must tolerate it. */
  readonly taintKey: string;
  /** EKS managed node group AMI type per operating system; an absent OS is not supported. */
  readonly amiTypes: Readonly<Partial<Record<NodeOs, string>>>;
  /** Instance families of the kind, with the devices of each size. */
  readonly families: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * Node labels beyond the kit's own that the kind's device plugin or autoscaler looks for,
   * per operating system.
   */
  readonly nodeLabels: (os: NodeOs) => Record<string, string>;
  /** What tells how busy the devices are: the exporter and its utilisation metric. */
  readonly metrics: { readonly exporter: string; readonly utilization: string };
}
