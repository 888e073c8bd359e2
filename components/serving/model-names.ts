import { DNS_LIMITS, modelHost } from "../common/dns";

export { DNS_LIMITS };

/**
 * Suffixes of the names the kit and KServe derive from a model's name: the kit's
 * `<model>-canary`, `-variant` and `-shadow` InferenceServices, an InferencePool's `<pool>-epp` endpoint
 * picker and `<model>-weights` staging service account, KServe's `<model>-predictor` (and `-transformer`,
 * `-explainer`) Deployments and Services. A model named with one of them would author the
 * same objects as another model's derived ones.
 */
export const GENERATED_NAME_SUFFIXES = [
  "-canary",
  "-variant",
  "-shadow",
  "-epp",
  "-weights",
  "-predictor",
  "-transformer",
  "-explainer",
] as const;

/** Why `name` collides with names derived from model names, or undefined. */
export function generatedNameProblem(name: string): string | undefined {
  const suffix = GENERATED_NAME_SUFFIXES.find((s) => name.endsWith(s));
  if (!suffix) return undefined;
  return (
    `must not end with ${suffix}: the kit and KServe derive names ending in ${GENERATED_NAME_SUFFIXES.join(", ")} ` +
    `from model names, so ${name} would collide with ${name.slice(0, -suffix.length)}'s`
  );
}

/**
 * Problems with the hosts models are served at (`<model>.<ingressDomain>`), by path relative to
 * `serving`: each label of the domain 1-63 characters, each host at most 253.
 */
export function modelHostProblems(
  ingressDomain: string,
  modelNames: readonly string[],
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const badLabel = ingressDomain.split(".").find((l) => l.length === 0 || l.length > DNS_LIMITS.label);
  if (badLabel !== undefined)
    problems.push({
      path: "ingressDomain",
      message: `each dot-separated label must hold 1 to ${DNS_LIMITS.label} characters (found ${badLabel.length === 0 ? "an empty label" : `one of ${badLabel.length}`})`,
    });
  modelNames.forEach((name, i) => {
    const host = modelHost(name, ingressDomain);
    if (host.length > DNS_LIMITS.name)
      problems.push({
        path: `models[${i}].name`,
        message:
          `makes host ${host.slice(0, 40)}... of ${host.length} characters; a DNS name holds at most ${DNS_LIMITS.name}: ` +
          `shorten the model name or serving.ingressDomain`,
      });
  });
  return problems;
}
