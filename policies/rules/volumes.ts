import type { ResourceValidationPolicy } from "@pulumi/policy";
import { kitConfigSchema } from "./config";
import type { Props } from "./props";

/** Provisioners of EBS volumes: the CSI driver and the in-tree plugin it replaced (migrated to it). */
const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];

/** Why a volume setting does not encrypt, or undefined when it does. */
function notEncrypted(value: unknown, what: string): string | undefined {
  if (value === "true" || value === true) return undefined;
  return `${what} is ${value === undefined ? "unset" : JSON.stringify(value)}; set it to "true"`;
}

/** Every unencrypted EBS volume a resource would create, as messages. */
export function unencryptedVolumes(type: string, props: Props): string[] {
  if (type === "kubernetes:storage.k8s.io/v1:StorageClass") {
    if (!EBS_PROVISIONERS.includes(String(props.provisioner ?? ""))) return [];
    // The EBS CSI driver encrypts only when the StorageClass parameter is the string "true".
    const encrypted = props.parameters?.encrypted;
    if (encrypted === "true") return [];
    return [
      `StorageClass ${props.metadata?.name ?? ""} (${props.provisioner}) has parameters.encrypted ${encrypted === undefined ? "unset" : JSON.stringify(encrypted)}; ` +
        `set it to "true" (a string) so every volume it provisions is encrypted.`,
    ];
  }
  if (type === "aws:ec2/launchTemplate:LaunchTemplate") {
    return ((props.blockDeviceMappings ?? []) as Props[]).flatMap((m, i) => {
      if (!m?.ebs) return [];
      const why = notEncrypted(m.ebs.encrypted, `blockDeviceMappings[${i}] (${m.deviceName ?? "?"}) ebs.encrypted`);
      return why ? [`${why} so the node's volume is encrypted.`] : [];
    });
  }
  if (type === "aws:ebs/volume:Volume") {
    const why = notEncrypted(props.encrypted, "encrypted");
    return why ? [`${why}.`] : [];
  }
  if (type === "aws:ec2/instance:Instance") {
    const devices: [string, Props | undefined][] = [
      ["rootBlockDevice", props.rootBlockDevice],
      ...((props.ebsBlockDevices ?? []) as Props[]).map((d, i): [string, Props] => [`ebsBlockDevices[${i}]`, d]),
    ];
    return devices.flatMap(([where, d]) => {
      if (!d) return [];
      const why = notEncrypted(d.encrypted, `${where}.encrypted`);
      return why ? [`${why}.`] : [];
    });
  }
  return [];
}

export const volumesEncrypted: ResourceValidationPolicy = {
  name: "volumes-encrypted",
  description:
    "EBS volumes are encrypted: StorageClasses of the EBS provisioners set parameters.encrypted " +
    '"true", and launch-template block devices, instances and volumes set encrypted.',
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const problem of unencryptedVolumes(args.type, args.props)) report(problem);
  },
};
