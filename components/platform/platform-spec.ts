import type { Environment } from "../common/tags";
import { throwIfProblems } from "../common/problems";
import { ENVIRONMENT_DEFAULTS } from "./defaults";
import { platformSpecProblems } from "./rules";
import type { PlatformSpec } from "./spec";
import { smallestDeviceMemoryGiB } from "../common/accelerators/gpu-memory";
import { type ModelInput, withModelDefaults } from "../serving/model-spec";

/** Any part of a value, to any depth; arrays are replaced whole, never merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * What a program gives `platformSpec`: the team and region, which no environment can decide,
 * and any part of the rest. Objects are merged into the environment's defaults key by key;
 * arrays (instance types, pools, models) replace the default whole.
 */
export type PlatformSpecOverrides = Pick<PlatformSpec, "team" | "region"> &
  DeepPartial<Omit<PlatformSpec, "environment" | "team" | "region" | "alerting" | "budget" | "serving">> &
  Partial<Pick<PlatformSpec, "alerting" | "budget">> & {
    /**
     * The serving settings; each model in the short form a stack file takes (`ModelInput`: name,
     * server, accelerator and source required), completed by `withModelDefaults` as the stack
     * program completes them (limits sized to the smallest GPU of the NVIDIA pools).
     */
    serving?: DeepPartial<Omit<PlatformSpec["serving"], "models">> & { models?: ModelInput[] };
  };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function merge<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

/**
 * A whole `PlatformSpec` for `MlPlatform`: the environment's defaults (`ENVIRONMENT_DEFAULTS`),
 * the same names the stack program uses (`mlserving-<env>` cluster, `models.<env>.internal`
 * domain, a private API endpoint unless public CIDRs are listed), then `overrides`.
 * Throws an `InvalidArgsError` naming every key path that breaks a rule (`platformSpecProblems`).
 *
 * @example
 * const spec = platformSpec("dev", {
 *   team: "ml-platform",
 *   region: "us-west-2",
 *   serving: { models: [{ name: "resnet50", server: "triton", accelerator: "nvidia", source: "s3://models/resnet50/1" }] },
 * });
 * new MlPlatform("ml", spec);
 */
export function platformSpec(environment: Environment, overrides: PlatformSpecOverrides): PlatformSpec {
  const d = ENVIRONMENT_DEFAULTS[environment];
  if (d === undefined)
    throw new Error(`platformSpec: environment must be one of ${Object.keys(ENVIRONMENT_DEFAULTS).join(", ")}`);
  const publicCidrs = overrides.cluster?.publicAccessCidrs ?? d.cluster.publicAccessCidrs;
  const base: PlatformSpec = {
    ...d,
    environment,
    team: overrides.team,
    region: overrides.region,
    clusterName: `mlserving-${environment}`,
    tags: {},
    cluster: { ...d.cluster, deployerAccess: publicCidrs.length > 0 ? "public" : "private" },
    serving: { ingressDomain: `models.${environment}.internal`, models: [] },
    alerting: {},
  };
  const { serving, ...rest } = overrides;
  const { models, ...servingRest } = serving ?? {};
  const spec = merge(base, { ...rest, serving: servingRest });
  const deviceMemoryGiB = smallestDeviceMemoryGiB(spec.capacity.pools);
  spec.serving = {
    ...spec.serving,
    models: (models ?? []).map((m) => withModelDefaults(m, environment, { deviceMemoryGiB })),
  };
  throwIfProblems(`platformSpec("${environment}")`, platformSpecProblems(spec));
  return spec;
}
