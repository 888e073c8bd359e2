import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ACCELERATOR_TAINT_KEY, AcceleratorKind, DEVICE_RESOURCE, LABELS } from "../common/accelerators";
import { ClusterHandle } from "../common/handles";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../common/pod-security";
import { IMAGES } from "../versions";

/** Namespace of the placeholder pods (the capacity add-ons' namespace). */
export const HEADROOM_NAMESPACE = "kube-system";
/** PriorityClass of the placeholders: below every pod (default priority 0), so any pending pod preempts them. */
export const HEADROOM_PRIORITY_CLASS = "mlserving-warm-headroom";
export const HEADROOM_PRIORITY = -10;
/**
 * Cluster Autoscaler's `--expendable-pods-priority-cutoff` (default -10; the kit leaves it): pods
 * with a priority below it "don't cause scale up" (cluster-autoscaler FAQ). The placeholders sit
 * at it, not below, so on Cluster Autoscaler pools they still hold a node warm.
 */
export const CA_EXPENDABLE_PODS_PRIORITY_CUTOFF = -10;
/** The pause image's user (registry.k8s.io/pause runs as 65535). */
const PAUSE_UID = 65535;

/** An init container that only exits: the least a pod may ask for. */
const PREPULL_RESOURCES = { cpu: "10m", memory: "16Mi" };

/** What one placeholder holds: one node's worth of the pool's largest replica. */
export interface HeadroomRequests {
  cpuMillis: number;
  memoryMiB: number;
  devices: number;
}

/**
 * PriorityClass of warm-headroom placeholders (the cluster-overprovisioner pattern,
 * kubernetes/autoscaler cluster-autoscaler FAQ "How can I configure overprovisioning"): a
 * negative value, so a model pod that cannot be scheduled preempts a placeholder and starts on
 * its (running) node; the placeholder then goes pending and the autoscaler adds a node behind it.
 * `preemptionPolicy: Never`: placeholders never evict anything themselves.
 */
export function headroomPriorityClass() {
  return {
    apiVersion: "scheduling.k8s.io/v1" as const,
    kind: "PriorityClass" as const,
    metadata: { name: HEADROOM_PRIORITY_CLASS },
    value: HEADROOM_PRIORITY,
    globalDefault: false,
    preemptionPolicy: "Never",
    description: "Warm-headroom placeholders: preempted by any pod, so a replacement replica starts on a running node.",
  };
}

/**
 * Deployment of `nodes` placeholders for one pool: each asks for one replica's worth of the pool's
 * largest model (devices, CPU, memory), tolerates the accelerator taint, selects the pool's nodes
 * and keeps away from the other placeholders, so each holds one node warm. Hardened: pause as
 * non-root, read-only, no capabilities, no service-account token.
 */
export function headroomDeployment(input: {
  pool: string;
  kind: AcceleratorKind;
  nodes: number;
  requests: HeadroomRequests;
  /**
   * Images the pool's replicas pull: each placeholder runs them once as init containers
   * (`/bin/true`, present in every pinned serving, fetcher and initializer image: all are
   * Debian or Ubuntu based), so the warm node already holds them when a replacement lands. Default: none.
   */
  images?: readonly string[];
  /** Where the placeholder's pause image is pulled from (the stack's pull-through cache). Default: registry.k8s.io. */
  pauseImage?: string;
}) {
  const labels = { "app.kubernetes.io/name": "warm-headroom", "app.kubernetes.io/instance": input.pool };
  const resources = {
    cpu: `${input.requests.cpuMillis}m`,
    memory: `${input.requests.memoryMiB}Mi`,
    [DEVICE_RESOURCE[input.kind]]: String(input.requests.devices),
  };
  return {
    apiVersion: "apps/v1" as const,
    kind: "Deployment" as const,
    metadata: { name: `warm-headroom-${input.pool}`, namespace: HEADROOM_NAMESPACE, labels },
    spec: {
      replicas: input.nodes,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: HEADROOM_PRIORITY_CLASS,
          // A preempted placeholder has nothing to finish.
          terminationGracePeriodSeconds: 0,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(PAUSE_UID),
          nodeSelector: { [LABELS.nodePool]: input.pool },
          tolerations: [{ key: ACCELERATOR_TAINT_KEY[input.kind], operator: "Exists", effect: "NoSchedule" }],
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
          initContainers: (input.images ?? []).map((image, i) => ({
            name: `prepull-${i}`,
            image,
            command: ["/bin/true"],
            securityContext: restrictedContainerSecurityContext(),
            resources: { requests: PREPULL_RESOURCES, limits: PREPULL_RESOURCES },
          })),
          containers: [
            {
              name: "pause",
              image: input.pauseImage ?? `${IMAGES.pause.repository}:${IMAGES.pause.tag}`,
              securityContext: restrictedContainerSecurityContext(),
              resources: { requests: resources, limits: resources },
            },
          ],
        },
      },
    },
  };
}

export interface WarmHeadroomArgs {
  cluster: ClusterHandle;
  /** Pools to hold warm nodes in, each with its node count and the requests of one placeholder. Required. */
  pools: {
    name: string;
    kind: AcceleratorKind;
    nodes: number;
    requests: HeadroomRequests;
    /** What the placeholders pre-pull, as the pool's replicas pull them (through the pull-through cache when there is one). */
    images?: pulumi.Input<string[]>;
  }[];
  /** Where the pause image is pulled from. Default: registry.k8s.io. */
  pauseImage?: pulumi.Input<string>;
  /** Resources the placeholders wait for (the node autoscaler, its NodePools). Default: none. */
  dependsOn?: pulumi.Resource[];
}

/** Warm headroom: one PriorityClass and a placeholder Deployment per pool that holds warm nodes. */
export class WarmHeadroom extends pulumi.ComponentResource {
  constructor(name: string, args: WarmHeadroomArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlserving:capacity:WarmHeadroom", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.cluster.provider };
    const priorityClass = new k8s.scheduling.v1.PriorityClass(name, headroomPriorityClass(), k8sOpts);
    for (const p of args.pools.filter((x) => x.nodes > 0))
      new k8s.apps.v1.Deployment(
        `${name}-${p.name}`,
        {
          ...headroomDeployment({ pool: p.name, kind: p.kind, nodes: p.nodes, requests: p.requests }),
          spec: pulumi.all([p.images ?? [], args.pauseImage]).apply(
            ([images, pauseImage]) =>
              headroomDeployment({
                pool: p.name,
                kind: p.kind,
                nodes: p.nodes,
                requests: p.requests,
                images,
                pauseImage,
              }).spec,
          ),
        },
        {
          ...k8sOpts,
          dependsOn: [priorityClass, ...(args.dependsOn ?? [])],
        },
      );
    this.registerOutputs({});
  }
}
