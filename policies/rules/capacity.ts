import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  ACCELERATOR_KINDS,
  ACCELERATOR_TAINT_KEY,
  AcceleratorKind,
  DEVICE_RESOURCE,
  devicesPerInstance,
  familyOf,
  kindOf,
  kindOfAmiType,
} from "./accelerators";
import { MIN_SPOT_INSTANCE_TYPES } from "./kit-facts";
import { kitConfig, kitConfigSchema } from "./config";
import { podTemplateOf } from "./pods";
import type { Props } from "./props";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const EKS_TAINT_EFFECT = "NO_SCHEDULE";

/** The accelerator kind a managed node group runs, from its AMI type (the kind's `amiTypeMarker`). */
export function nodeGroupKind(props: Props): AcceleratorKind | undefined {
  return kindOfAmiType(String(props.amiType ?? ""));
}

function requirement(props: Props, key: string): { operator: string; values: string[] } | undefined {
  const reqs = (props.spec?.template?.spec?.requirements ?? []) as {
    key: string;
    operator: string;
    values?: string[];
  }[];
  const r = reqs.find((x) => x.key === key);
  return r ? { operator: r.operator, values: r.values ?? [] } : undefined;
}

/** The accelerator kind a NodePool launches, from its instance types or families. */
export function nodePoolKind(props: Props): AcceleratorKind | undefined {
  const types = requirement(props, "node.kubernetes.io/instance-type")?.values ?? [];
  const families = requirement(props, "karpenter.k8s.aws/instance-family")?.values ?? [];
  const kinds = [...types.map(kindOf), ...families.map((f) => kindOf(`${f}.xlarge`) ?? kindOf(`${f}.24xlarge`))];
  return kinds.find((k) => k !== undefined);
}

export const acceleratorNodesTainted: ResourceValidationPolicy = {
  name: "accelerator-nodes-tainted",
  description: "GPU and Neuron node groups and NodePools carry the accelerator's NoSchedule taint.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type === NODE_GROUP) {
      const kind = nodeGroupKind(args.props);
      if (!kind) return;
      const taints = (args.props.taints ?? []) as { key: string; effect: string }[];
      if (!taints.some((t) => t.key === ACCELERATOR_TAINT_KEY[kind] && t.effect === EKS_TAINT_EFFECT)) {
        report(
          `${kind} node group must be tainted ${ACCELERATOR_TAINT_KEY[kind]}:NO_SCHEDULE so only accelerator workloads land on it.`,
        );
      }
    }
    if (args.type === NODE_POOL) {
      const kind = nodePoolKind(args.props);
      if (!kind) return;
      const taints = (args.props.spec?.template?.spec?.taints ?? []) as { key: string; effect: string }[];
      if (!taints.some((t) => t.key === ACCELERATOR_TAINT_KEY[kind] && t.effect === "NoSchedule")) {
        report(
          `${kind} NodePool must be tainted ${ACCELERATOR_TAINT_KEY[kind]}:NoSchedule so only accelerator workloads land on it.`,
        );
      }
    }
  },
};

export const spotCapacityDiversified: ResourceValidationPolicy = {
  name: "spot-capacity-diversified",
  description: `Spot capacity lists at least ${MIN_SPOT_INSTANCE_TYPES} instance types (or, for Karpenter, at least 2 whole families).`,
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type === NODE_GROUP && args.props.capacityType === "SPOT") {
      const types = (args.props.instanceTypes ?? []) as string[];
      if (types.length < MIN_SPOT_INSTANCE_TYPES)
        report(
          `spot node group lists ${types.length} instance type(s); list at least ${MIN_SPOT_INSTANCE_TYPES} ` +
            `so one spot pool running dry does not stop scaling.`,
        );
    }
    if (args.type === NODE_POOL) {
      const capacity = requirement(args.props, "karpenter.sh/capacity-type");
      // Karpenter launches on-demand only when the requirement is absent.
      if (!capacity || capacity.operator !== "In" || !capacity.values.includes("spot")) return;
      const types = requirement(args.props, "node.kubernetes.io/instance-type");
      const families = requirement(args.props, "karpenter.k8s.aws/instance-family");
      const broadEnough = types
        ? types.operator === "In" && types.values.length >= MIN_SPOT_INSTANCE_TYPES
        : !families || families.operator !== "In" || families.values.length >= 2;
      if (!broadEnough)
        report(
          `spot NodePool must allow at least ${MIN_SPOT_INSTANCE_TYPES} instance types (or at least 2 instance families).`,
        );
    }
  },
};

export const acceleratorInstanceTypesAllowed: ResourceValidationPolicy = {
  name: "accelerator-instance-types-allowed",
  description: "Accelerator instance families are within the environment's allow-list (e.g. no p5 in dev).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const cfg = kitConfig(args);
    const allowed = cfg.allowedInstanceFamilies[cfg.environment] ?? [];
    let families: string[] = [];
    if (args.type === NODE_GROUP && nodeGroupKind(args.props))
      families = ((args.props.instanceTypes ?? []) as string[]).map(familyOf);
    if (args.type === NODE_POOL && nodePoolKind(args.props)) {
      families = [
        ...(requirement(args.props, "node.kubernetes.io/instance-type")?.values ?? []).map(familyOf),
        ...(requirement(args.props, "karpenter.k8s.aws/instance-family")?.values ?? []),
      ];
    }
    const denied = [...new Set(families.filter((f) => !allowed.includes(f)))];
    if (denied.length > 0)
      report(
        `instance families ${denied.join(", ")} are not allowed in ${cfg.environment} (allowed: ${allowed.join(", ")}).`,
      );
  },
};

/** Devices a resource may bring at most: node group max size x devices per node, or a NodePool's limit. */
export function maxDevicesOf(
  type: string,
  props: Props,
): { kind: AcceleratorKind; devices: number | undefined } | undefined {
  if (type === NODE_GROUP) {
    const kind = nodeGroupKind(props);
    if (!kind) return undefined;
    const perNode = Math.max(0, ...((props.instanceTypes ?? []) as string[]).map((t) => devicesPerInstance(t) ?? 0));
    return { kind, devices: Number(props.scalingConfig?.maxSize ?? 0) * perNode };
  }
  if (type === NODE_POOL) {
    const kind = nodePoolKind(props);
    if (!kind) return undefined;
    const limit = props.spec?.limits?.[DEVICE_RESOURCE[kind]];
    return { kind, devices: limit === undefined ? undefined : Number(limit) };
  }
  return undefined;
}

export const acceleratorCapacityCapped: StackValidationPolicy = {
  name: "accelerator-capacity-capped",
  description:
    "Accelerator pools are capped (NodePools have a device limit) and the stack's total stays under the environment's cap.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const cfg = kitConfig(args);
    const cap = cfg.maxAcceleratorDevices[cfg.environment];
    let total = 0;
    for (const r of args.resources) {
      const m = maxDevicesOf(r.type, r.props);
      if (!m) continue;
      if (m.devices === undefined) {
        report(
          `${m.kind} NodePool has no limits["${DEVICE_RESOURCE[m.kind]}"]; without it Karpenter can launch without bound.`,
          r.urn,
        );
        continue;
      }
      total += m.devices;
    }
    if (total > cap)
      report(`accelerator pools may run up to ${total} devices together; ${cfg.environment} allows ${cap}.`);
  },
};

/**
 * The pod spec of a workload object, if it has one (a CronJob's is inside its job template).
 * DaemonSets are left out: device plugins and exporters tolerate an accelerator's taint to run on
 * its nodes without requesting it.
 */
export function podSpecOf(type: string, props: Props): Props | undefined {
  const template = podTemplateOf(type, props);
  return template && template.kind !== "DaemonSet" ? template.spec : undefined;
}

export const acceleratorWorkloadsRequestDevices: ResourceValidationPolicy = {
  name: "accelerator-workloads-request-devices",
  description:
    "A workload that tolerates an accelerator taint requests that accelerator (in a container, or an init " +
    "container: the pod then holds the device), so it cannot squat on a costly node.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const pod = podSpecOf(args.type, args.props);
    if (!pod) return;
    const tolerated = ((pod.tolerations ?? []) as { key?: string }[]).map((t) => t.key);
    for (const kind of ACCELERATOR_KINDS) {
      if (!tolerated.includes(ACCELERATOR_TAINT_KEY[kind])) continue;
      // A pod's request is the larger of its init containers' and the sum of its containers' (Kubernetes
      // "Init Containers", resource sharing): an init container that holds the device holds it for the pod.
      const requests = [...((pod.initContainers ?? []) as Props[]), ...((pod.containers ?? []) as Props[])].some(
        (c) => Number(c.resources?.limits?.[DEVICE_RESOURCE[kind]] ?? 0) > 0,
      );
      if (!requests)
        report(
          `tolerates ${ACCELERATOR_TAINT_KEY[kind]} but no container or init container sets limits["${DEVICE_RESOURCE[kind]}"].`,
        );
    }
  },
};
