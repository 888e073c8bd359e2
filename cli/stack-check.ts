/**
 * The first thing the plan does: read and validate a stack file. It imports no Pulumi SDK of its
 * own (the SDKs take a second or more to load), so a bad stack file is refused at once.
 */
import type { PlatformSpec } from "../components/platform/spec";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../stacks/config";
import { rawConfigFromPulumi } from "../stacks/stack-config";
import { loadStackFile } from "./stack-file";

export interface ValidStack {
  /** `namespace:key` -> string, as Pulumi passes config to a program. */
  config: Record<string, string>;
  secretKeys: string[];
  environment: string;
  region: string;
  /** The validated platform, every default applied. */
  spec: PlatformSpec;
}

export type StackCheck = ({ ok: true } & ValidStack) | { ok: false; problems: ConfigProblem[] };

/**
 * Reads a stack file and validates it into a platform spec; lists every problem by key path.
 * `stackName`, when given, must agree with the file's environment (a stack named prod is prod).
 */
export function checkStackFile(configPath: string, stackName?: string): StackCheck {
  const { config, secretKeys } = loadStackFile(configPath, CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  try {
    const spec = resolvePlatformSpec(raw, region, new Set(secretKeys), { stackName });
    return { ok: true, config, secretKeys, environment: spec.environment, region: region ?? "", spec };
  } catch (e) {
    if (e instanceof StackConfigError) return { ok: false, problems: e.problems };
    throw e;
  }
}
