import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  KIT_NAMESPACE_POD_SECURITY,
  POD_SECURITY_LABEL_PREFIX,
  podSecurityLabels,
} from "../../components/common/pod-security";
import { kitConfigSchema } from "./config";

const NAMESPACE = "kubernetes:core/v1:Namespace";

/**
 * Every namespace the kit creates carries the Pod Security admission labels of
 * `KIT_NAMESPACE_POD_SECURITY` (enforce, warn, audit, each version-pinned): no namespace is left
 * without admission control, and none is looser than the table, where each exception has its reason.
 */
export const kitNamespacesPodSecurity: ResourceValidationPolicy = {
  name: "kit-namespaces-pod-security",
  description:
    "Namespaces the kit creates carry Pod Security admission labels (enforce, warn, audit, pinned versions) at the levels of KIT_NAMESPACE_POD_SECURITY.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (args.type !== NAMESPACE) return;
    const name = String(args.props.metadata?.name ?? "");
    const expected = KIT_NAMESPACE_POD_SECURITY[name];
    if (!expected) return;
    const labels = (args.props.metadata?.labels ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(podSecurityLabels(expected))) {
      if (labels[key] !== value)
        report(
          `namespace "${name}": label ${key} must be "${value}" (is ${labels[key] === undefined ? "missing" : `"${labels[key]}"`}); ` +
            `see KIT_NAMESPACE_POD_SECURITY for the level and its reason.`,
        );
    }
    const unknown = Object.keys(labels).filter(
      (k) => k.startsWith(`${POD_SECURITY_LABEL_PREFIX}/`) && !(k in podSecurityLabels(expected)),
    );
    for (const k of unknown) report(`namespace "${name}": unexpected Pod Security label ${k}.`);
  },
};
