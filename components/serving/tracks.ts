/**
 * A model's tracks: the stable InferenceService and, when declared, a canary (a weighted share), a
 * variant (A/B: requests carrying a header) and a shadow (a mirror of the traffic whose answers are
 * dropped). Each track is an InferenceService of its own, `<model>` or `<model>-<track>`; through the
 * LLM gateway each serving track is an InferencePool and the model's HTTPRoute splits among them.
 */
export type ModelTrack = "stable" | "canary" | "variant" | "shadow";

/** The fields of a model its tracks are read from. */
export interface TrackedModel {
  name: string;
  source: string;
  pinnedVersion?: number;
  canary?: { source: string; trafficPercent: number; pinnedVersion?: number };
  abTest?: AbTestSpec;
  shadow?: ShadowSpec;
}

/** A second version served to the requests that carry one header value (an A/B cohort). */
export interface AbTestSpec {
  /** What the variant's replicas load (s3:// or models:/). */
  source: string;
  /** For an alias source: the version the alias points to for this rollout (as `pinnedVersion`). */
  pinnedVersion?: number;
  /** The header that selects the variant: requests with exactly this value go to it, all others to the stable track. */
  header: { name: string; value: string };
}

/** A version that receives a copy of the model's requests; the gateway drops its answers. */
export interface ShadowSpec {
  source: string;
  pinnedVersion?: number;
  /** Share of requests mirrored, a whole percent from 1 to 100. Default: 100. */
  mirrorPercent?: number;
}

/** One track: its InferenceService's name, what it loads, and its stack-file key (`""` for the stable track). */
export interface TrackSpec {
  track: ModelTrack;
  isvc: string;
  source: string;
  pinnedVersion?: number;
  /** Key prefix of the track's fields in the model's stack-file entry: `""`, `canary.`, `abTest.`, `shadow.`. */
  field: "" | "canary." | "abTest." | "shadow.";
}

/** Name suffix of each non-stable track's InferenceService. */
export const TRACK_SUFFIX: Readonly<Record<Exclude<ModelTrack, "stable">, string>> = {
  canary: "-canary",
  variant: "-variant",
  shadow: "-shadow",
};

/** Every track of a model, stable first. */
export function modelTracks(m: TrackedModel): TrackSpec[] {
  const tracks: TrackSpec[] = [
    { track: "stable", isvc: m.name, source: m.source, pinnedVersion: m.pinnedVersion, field: "" },
  ];
  const extra = (
    track: Exclude<ModelTrack, "stable">,
    field: TrackSpec["field"],
    t?: { source: string; pinnedVersion?: number },
  ) => {
    if (t)
      tracks.push({
        track,
        isvc: `${m.name}${TRACK_SUFFIX[track]}`,
        source: t.source,
        pinnedVersion: t.pinnedVersion,
        field,
      });
  };
  extra("canary", "canary.", m.canary);
  extra("variant", "abTest.", m.abTest);
  extra("shadow", "shadow.", m.shadow);
  return tracks;
}

/** HTTP header names (RFC 7230 tokens), as Gateway API's HTTPHeaderName pattern accepts them. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Problems with a model's A/B and shadow keys, by field relative to the model. Sources and pins are
 * checked with the other tracks' (`modelSpecProblems`); which runtimes and environments may use them
 * is the platform's rule (the gateway routes them).
 */
export function rolloutKeyProblems(m: TrackedModel): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (m.abTest) {
    const { name, value } = m.abTest.header ?? { name: "", value: "" };
    if (!HEADER_NAME.test(name) || name.length > 256)
      out.push({
        field: "abTest.header.name",
        message: "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, at most 256)",
      });
    else if (name.startsWith(":") || /^(host|content-length)$|^x-gateway-/i.test(name))
      out.push({
        field: "abTest.header.name",
        message: `${name} is set by the gateway or the client library; use a header of your own such as x-cohort`,
      });
    if (typeof value !== "string" || value.length === 0 || value.length > 4096 || /[\r\n]/.test(value))
      out.push({ field: "abTest.header.value", message: "must be 1-4096 characters on one line" });
  }
  if (m.shadow?.mirrorPercent !== undefined) {
    const p = m.shadow.mirrorPercent;
    if (!Number.isInteger(p) || p < 1 || p > 100)
      out.push({ field: "shadow.mirrorPercent", message: "must be a whole percent from 1 to 100" });
  }
  return out;
}
