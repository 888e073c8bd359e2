import type { Policy, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RecordedResource, revealedSecrets, SECRET_PLACEHOLDER } from "./mock-runtime";

export interface PolicyViolation {
  policy: string;
  enforcementLevel: string;
  urn: string;
  message: string;
}

export interface PolicyReport {
  policies: number;
  violations: PolicyViolation[];
}

class NotApplicable extends Error {}

function schemaDefaults(policy: Policy): Record<string, unknown> {
  const props = policy.configSchema?.properties ?? {};
  return Object.fromEntries(
    Object.entries(props).flatMap(([k, v]) =>
      "default" in (v as object) ? [[k, (v as { default: unknown }).default]] : [],
    ),
  );
}

function pulumiTypeOf(resourceClass: unknown): string | undefined {
  return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

/**
 * A resource's inputs with its secrets in the clear, as `pulumi preview --policy-pack` hands them to
 * policies. A secret is put back only where the inputs still hold "[secret]".
 */
function withSecretsRevealed(r: RecordedResource): Record<string, unknown> {
  const secrets = revealedSecrets(r);
  if (secrets.length === 0) return r.inputs;
  const props = structuredClone(r.inputs);
  for (const { path, value } of secrets) {
    if (path.length === 0) continue;
    let holder: unknown = props;
    for (const step of path.slice(0, -1)) holder = (holder as Record<string | number, unknown> | undefined)?.[step];
    const last = path[path.length - 1];
    if (
      holder !== null &&
      typeof holder === "object" &&
      (holder as Record<string | number, unknown>)[last] === SECRET_PLACEHOLDER
    )
      (holder as Record<string | number, unknown>)[last] = value;
  }
  return props;
}

function policyResource(r: RecordedResource, config: () => object) {
  const isType = (cls: unknown) => pulumiTypeOf(cls) === r.type;
  const props = withSecretsRevealed(r);
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: {
      protect: r.protect,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      parent: r.parent ?? undefined,
      dependencies: r.dependsOn,
      provider: r.provider ?? "",
    },
    stackTags: new Map<string, string>(),
    isType,
    asType: (cls: unknown) => (isType(cls) ? props : undefined),
    getConfig: config,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/**
 * Runs CrossGuard policies over recorded resources the way `pulumi preview --policy-pack`
 * would: resource rules once per resource, stack rules once over all of them. Each resource's
 * policy view is built once and shared by every policy (they only read it), with `getConfig`
 * answering for the policy being run.
 */
export async function runPolicies(
  policies: Policy[],
  resources: RecordedResource[],
  config: Record<string, unknown>,
  /** Enforcement level per policy name, as `--policy-pack-config` may set it (`{ "<policy>": { "enforcementLevel": ... } }`). */
  levels: Record<string, string> = {},
): Promise<PolicyReport> {
  const violations: PolicyViolation[] = [];
  let cfg = (): object => config;
  const current = () => cfg();
  const views = resources.map((r) => policyResource(r, current));
  const stackViews = views.map((v) => ({
    ...v,
    dependencies: [] as unknown[],
    propertyDependencies: {},
    parent: undefined as unknown,
  }));
  const byUrn = new Map(stackViews.map((r) => [r.urn, r]));
  stackViews.forEach((r, i) => {
    r.dependencies = resources[i].dependsOn.flatMap((u) => byUrn.get(u) ?? []);
    r.parent = resources[i].parent ? byUrn.get(resources[i].parent!) : undefined;
  });
  for (const policy of policies) {
    const level = levels[policy.name] ?? policy.enforcementLevel ?? "advisory";
    if (level === "disabled") continue;
    const defaults = schemaDefaults(policy);
    cfg = () => ({ ...defaults, ...config });
    const report = (urn: string) => (message: string, violationUrn?: string) =>
      violations.push({ policy: policy.name, enforcementLevel: level, urn: violationUrn ?? urn, message });
    try {
      if ("validateResource" in policy && policy.validateResource) {
        const validators = Array.isArray(policy.validateResource)
          ? policy.validateResource
          : [(policy as ResourceValidationPolicy).validateResource];
        for (const r of views) {
          for (const validate of validators) {
            try {
              await validate(r as unknown as ResourceValidationArgs, report(r.urn));
            } catch (e) {
              if (!(e instanceof NotApplicable)) throw e;
            }
          }
        }
      }
      if ("validateStack" in policy && policy.validateStack) {
        await (policy as StackValidationPolicy).validateStack(
          {
            resources: stackViews,
            stackTags: new Map(),
            getConfig: cfg,
            notApplicable: (reason?: string): never => {
              throw new NotApplicable(reason);
            },
          } as never,
          (message: string, urn?: string) =>
            violations.push({ policy: policy.name, enforcementLevel: level, urn: urn ?? "", message }),
        );
      }
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return { policies: policies.length, violations };
}
