/**
 * The first thing the plan does: read and validate a stack file. It imports no Pulumi SDK of its
 * own (the SDKs take a second or more to load), so a bad stack file is refused at once.
 */
import type { PlatformSpec } from "../components/platform/spec";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../stacks/config";
import { misspeltNamespaceProblems, rawConfigFromPulumi } from "../stacks/stack-config";
import { loadStackFile, StackFileError } from "./stack-file";

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
  let loaded: ReturnType<typeof loadStackFile>;
  try {
    loaded = loadStackFile(configPath, CONFIG_NAMESPACE);
  } catch (e) {
    if (e instanceof StackFileError) return { ok: false, problems: [{ path: e.path, message: e.message }] };
    throw e;
  }
  const { config, secretKeys } = loaded;
  const namespaces = misspeltNamespaceProblems(Object.keys(config));
  // Values no program could read (a malformed ciphertext, .inf) are reported before the rest.
  if (loaded.problems.length > 0) return { ok: false, problems: [...namespaces, ...loaded.problems] };
  const { raw, region, awsProvider } = rawConfigFromPulumi(config);
  try {
    const spec = resolvePlatformSpec(raw, region, new Set(secretKeys), { stackName, awsProvider });
    if (namespaces.length > 0) return { ok: false, problems: namespaces };
    return { ok: true, config, secretKeys, environment: spec.environment, region: region ?? "", spec };
  } catch (e) {
    if (e instanceof StackConfigError) return { ok: false, problems: [...namespaces, ...e.problems] };
    throw e;
  }
}
