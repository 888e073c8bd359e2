/**
 * The first thing the plan does: read and validate a stack file. It imports no Pulumi SDK of its
 * own (the SDKs take a second or more to load), so a bad stack file is refused at once.
 */
import type { PlatformSpec } from "../components/platform/spec";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../stacks/config";
import { coveredBy } from "../components/common/problems";
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
  // Values no program could read (a malformed ciphertext, .inf, a key the Pulumi CLI refuses) are
  // reported by the loader, which leaves them out; the rest of the file is still checked, and what
  // the schema then says about the same keys (missing, wrong type) is left out as already explained.
  const early = [...namespaces, ...loaded.problems];
  const later = (problems: readonly ConfigProblem[]) => problems.filter((p) => !coveredBy(early)(p));
  const { raw, region, awsProvider, awsDefaultTags } = rawConfigFromPulumi(config);
  try {
    const spec = resolvePlatformSpec(raw, region, new Set(secretKeys), { stackName, awsProvider, awsDefaultTags });
    if (early.length > 0) return { ok: false, problems: early };
    return { ok: true, config, secretKeys, environment: spec.environment, region: region ?? "", spec };
  } catch (e) {
    if (e instanceof StackConfigError) return { ok: false, problems: [...early, ...later(e.problems)] };
    throw e;
  }
}
