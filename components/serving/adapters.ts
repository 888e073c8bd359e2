/**
 * LoRA adapters on a shared base model (issue 27): each adapter is served by the model's own vLLM
 * replicas under a model name of its own, so a request whose body says `"model": "<adapter>"` at the
 * model's host is answered by the base model with that adapter applied.
 *
 * What the pinned vLLM (v0.16.0, the vllm/vllm-openai image and the Neuron DLC's) takes, read in
 * vllm-project/vllm. The tag's tree could not be fetched here (the repository's snapshot is over the
 * fetch limit); these files were read in versions from before and after v0.16.0, which agree on
 * every fact below:
 * - `--enable-lora`; `--lora-modules name=path ...`: one flag, every adapter a value after it
 *   (vllm/entrypoints/openai/cli_args.py `FrontendArgs.lora_modules` is a list, so the flag takes
 *   `nargs="+"`, and `LoRAParserAction` sets the whole list: a second `--lora-modules` would replace
 *   the first). A value holding `=` and no `,` is `name=path`; anything else is parsed as JSON
 *   (`{"name", "path", "base_model_name"}`). The kit writes `name=path`: names are DNS labels and
 *   paths the kit's own, so neither holds `=` or `,`.
 * - `--max-loras` (adapters in one batch, at least 1, default 1), `--max-cpu-loras` (adapters kept in
 *   CPU memory, at least `--max-loras`, default equal), `--max-lora-rank` (one of
 *   {@link VLLM_MAX_LORA_RANKS}, default 16): vllm/config/lora.py `LoRAConfig`, `MaxLoRARanks`.
 * - Static adapters are loaded when the server starts (`OpenAIServingModels.init_static_loras`); an
 *   adapter whose rank (`r` in its adapter_config.json) exceeds `--max-lora-rank` fails that load, so
 *   the replica never becomes ready rather than serving without it.
 * - No runtime loading: `/v1/load_lora_adapter` and `/v1/unload_lora_adapter` are registered only when
 *   `VLLM_ALLOW_RUNTIME_LORA_UPDATING` is `1` or `true` (vllm/entrypoints/serve/lora/api_router.py
 *   `attach_router` returns at once otherwise; vllm/envs.py parses the variable), and so is the
 *   resolution of unknown model names through LoRA resolver plugins (`_check_model` in the serving
 *   classes). The kit's vLLM runtimes set it to `0` ({@link VLLM_RUNTIME_LORA_UPDATING_ENV}), and the
 *   policy `vllm-runtime-lora-updating-off` refuses any container that turns it on.
 *
 * Each adapter's files are read in place from S3 through a read-only Mountpoint volume, as mounted
 * weights are (mounted-weights.ts): an `s3://` prefix with the model's pod identity, a registry
 * version staged once into the registry's bucket by a Job. Every track of the model (stable, canary,
 * A/B variant, shadow) mounts them and serves them, since the route splits requests by weight,
 * header or mirror and never by the body's model name.
 *
 * Pure: no Pulumi imports.
 */
import { parseModelSource } from "./model-source";

/** The rule an adapter's source follows, for error messages. */
export const ADAPTER_SOURCE_RULE =
  "must be s3://<bucket>/<prefix> or models:/<name>/<version>: the adapter's directory (adapter_config.json and its weights)";

/** One LoRA adapter of a model, as the stack file gives it. */
export interface LoraAdapterSpec {
  /** The model name clients send (`"model": "<name>"`) to use the adapter: a DNS label, unique on the platform. */
  name: string;
  /** `s3://bucket/prefix` or `models:/<name>/<version>` (a version, never an alias): the adapter's directory (adapter_config.json, weights). */
  source: string;
  /**
   * The adapter's LoRA rank: `r` in its adapter_config.json. The plan is offline and cannot read the
   * file, so it is stated; `--max-lora-rank` is sized from the largest.
   */
  rank: number;
}

/** The values vLLM v0.16.0 accepts for `--max-lora-rank` (vllm/config/lora.py `MaxLoRARanks`). */
export const VLLM_MAX_LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512] as const;
/** The largest rank vLLM takes. */
export const VLLM_LARGEST_LORA_RANK = VLLM_MAX_LORA_RANKS[VLLM_MAX_LORA_RANKS.length - 1];

/**
 * Most adapters one model serves: every adapter is a GPU slot (`--max-loras`) and a Mountpoint
 * mount in every replica, so a long list costs memory and mounts on each pod.
 */
export const ADAPTER_LIST_LIMIT = {
  max: 16,
  what: "adapters",
  hint: "each adapter takes a GPU slot and a Mountpoint mount in every replica; serve the rest from another model entry",
} as const;

/** Where adapters are mounted in the server's container: `<dir>/<adapter name>`, read-only. */
export const ADAPTERS_DIR = "/mnt/adapters";

/** The directory one adapter is mounted at. */
export function adapterMountPath(name: string): string {
  return `${ADAPTERS_DIR}/${name}`;
}

/** Name of the pod volume holding one adapter (at most 5 + 42 characters: a DNS label). */
export function adapterVolumeName(name: string): string {
  return `lora-${name}`;
}

/** Infix of adapter volume, claim and staging Job names (`<model>-lora-<hash>`), besides weights' `wt`. */
export const ADAPTER_OBJECT_INFIX = "lora";

/** `--max-lora-rank`: the smallest value vLLM accepts that holds the largest adapter rank. */
export function maxLoraRank(adapters: readonly Pick<LoraAdapterSpec, "rank">[]): number {
  const largest = Math.max(1, ...adapters.map((a) => a.rank));
  const fit = VLLM_MAX_LORA_RANKS.find((r) => r >= largest);
  if (fit === undefined)
    throw new Error(`LoRA rank ${largest} exceeds vLLM's largest --max-lora-rank (${VLLM_LARGEST_LORA_RANK})`);
  return fit;
}

/**
 * vLLM's LoRA arguments for a model's adapters: LoRA on, every adapter in one batch and in CPU
 * memory (so none is evicted and reloaded), the rank sized from the largest, and each adapter
 * registered under its name from its mount.
 */
export function loraArgs(adapters: readonly LoraAdapterSpec[]): string[] {
  if (adapters.length === 0) return [];
  const n = String(adapters.length);
  return [
    "--enable-lora",
    "--max-loras",
    n,
    "--max-cpu-loras",
    n,
    "--max-lora-rank",
    String(maxLoraRank(adapters)),
    "--lora-modules",
    ...adapters.map((a) => `${a.name}=${adapterMountPath(a.name)}`),
  ];
}

/** The environment variable that would open vLLM's runtime adapter loading, and the value the kit pins. */
export const VLLM_RUNTIME_LORA_UPDATING_ENV = { name: "VLLM_ALLOW_RUNTIME_LORA_UPDATING", value: "0" } as const;

/** Values (trimmed, lower-cased) with which vLLM reads its boolean variables as on: vllm/envs.py `in ("1", "true")`. */
export const VLLM_ENV_TRUE_VALUES = ["1", "true"] as const;

/**
 * LoRA weights on the GPU per rank and per slot for the 8B class the kit's defaults assume
 * (Llama 3.1 8B: 32 layers, hidden 4096, MLP 14336, 8 KV heads of 128), in bf16. vLLM allocates
 * each LoRA-wrapped projection's A [max_loras, rank, in] and B [max_loras, out, rank] when it loads
 * the model (vllm/lora/layers: `create_lora_weights`), before it sizes the KV cache from what is left:
 * per layer A holds q, k, v (3 x 4096), o (4096), gate, up (2 x 4096) and down (14336) inputs = 38912,
 * B the outputs 4096 + 2 x 1024 + 4096 + 2 x 14336 + 4096 = 43008; (38912 + 43008) x 32 layers x 2 bytes
 * = 5 MiB per rank per slot. A model with other dimensions differs; the fit check states the figure.
 */
export const ASSUMED_LORA_BYTES_PER_RANK = (38912 + 43008) * 32 * 2;

/** GPU memory (GiB) vLLM sets aside for a model's adapter slots: `--max-loras` x `--max-lora-rank` x the 8B-class figure. */
export function loraSlotsGiB(adapters: readonly Pick<LoraAdapterSpec, "rank">[]): number {
  // Ranks vLLM cannot hold are refused by adapterProblems; the fit check sizes with the others.
  const largest = VLLM_LARGEST_LORA_RANK;
  const held = adapters.filter((a) => Number.isInteger(a.rank) && a.rank >= 1 && a.rank <= largest);
  if (held.length === 0) return 0;
  return (adapters.length * maxLoraRank(held) * ASSUMED_LORA_BYTES_PER_RANK) / 1024 ** 3;
}

const ADAPTER_NAME = /^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** What adapterProblems needs of the model: its name, its runtime's support, its server. */
export interface AdaptedModel {
  name: string;
  server: string;
  adapters?: LoraAdapterSpec[];
}

/**
 * Problems with a model's adapters, by field relative to the model (`adapters[0].rank`). `runtime`
 * says whether the model's runtime serves adapters and, when not, why (the Neuron plugin).
 */
export function adapterProblems(
  m: AdaptedModel,
  runtime: { title: string; loraAdapters?: unknown; noLoraReason?: string } | undefined,
): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const adapters = m.adapters;
  if (adapters === undefined) return out;
  const add = (field: string, message: string) => out.push({ field, message });
  if (!Array.isArray(adapters)) return [{ field: "adapters", message: "must be a list of { name, source, rank }" }];
  if (adapters.length === 0) add("adapters", "lists no adapter: remove the key, or list { name, source, rank }");
  if (adapters.length > ADAPTER_LIST_LIMIT.max)
    add("adapters", `lists ${adapters.length} adapters; at most ${ADAPTER_LIST_LIMIT.max}: ${ADAPTER_LIST_LIMIT.hint}`);
  if (runtime && !runtime.loraAdapters)
    add(
      "adapters",
      `${runtime.title} serves no LoRA adapters${runtime.noLoraReason ? `: ${runtime.noLoraReason}` : ""}; ` +
        `serve the adapters from a vLLM model on NVIDIA GPUs (runtime: vllm), or merge each adapter ` +
        `into a model of its own`,
    );
  if (m.server !== "kserve")
    add("adapters", "adapters are mounted through KServe; serve the model with server: kserve");
  const names = new Map<string, number>();
  const sources = new Map<string, number>();
  adapters.forEach((a, i) => {
    const at = `adapters[${i}]`;
    if (typeof a?.name !== "string" || !ADAPTER_NAME.test(a.name))
      add(
        `${at}.name`,
        "must be a DNS label of at most 42 characters starting with a letter (clients send it as the model name)",
      );
    else if (a.name === m.name)
      add(`${at}.name`, `is the base model's own name: requests for ${m.name} would never reach the adapter`);
    else if (names.has(a.name)) add(`${at}.name`, `${a.name} is also adapters[${names.get(a.name)}]'s name`);
    else names.set(a.name, i);
    const parsed = typeof a?.source === "string" ? parseModelSource(a.source) : undefined;
    if (!parsed) add(`${at}.source`, ADAPTER_SOURCE_RULE);
    else if (parsed.kind === "mlflow" && parsed.version === undefined)
      add(
        `${at}.source`,
        `names alias @${parsed.alias}, which moves; an adapter is staged once per version: name it (models:/${parsed.model}/<version>)`,
      );
    else if (sources.has(parsed.uri))
      add(`${at}.source`, `is also adapters[${sources.get(parsed.uri)}]'s source: one adapter per source`);
    else sources.set(parsed.uri, i);
    const rank = a?.rank;
    const largest = VLLM_LARGEST_LORA_RANK;
    if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 1 || rank > largest)
      add(
        `${at}.rank`,
        `must be the adapter's LoRA rank (r in its adapter_config.json), a whole number from 1 to ${largest}: ` +
          `vLLM's --max-lora-rank takes ${VLLM_MAX_LORA_RANKS.join(", ")}`,
      );
  });
  return out;
}

/**
 * Names that clash across a platform's models, by path relative to `serving`: an adapter named like
 * a model (its host `<model>.<domain>` and its served name) or like another model's adapter.
 */
export function adapterNameClashes(
  models: readonly { name: string; adapters?: readonly Pick<LoraAdapterSpec, "name">[] }[],
): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const modelAt = new Map(models.map((m, i) => [m.name, i] as const));
  const adapterAt = new Map<string, string>();
  models.forEach((m, i) =>
    (Array.isArray(m.adapters) ? m.adapters : []).forEach((a, j) => {
      const path = `models[${i}].adapters[${j}].name`;
      const model = modelAt.get(a.name);
      if (model !== undefined && a.name !== m.name)
        out.push({
          path,
          message: `${a.name} is models[${model}]'s name (and host ${a.name}.<ingressDomain>): a served name means one model on the platform`,
        });
      const other = adapterAt.get(a.name);
      if (other !== undefined && !other.startsWith(`models[${i}].`))
        out.push({ path, message: `${a.name} is also ${other}: a served name means one model on the platform` });
      if (other === undefined) adapterAt.set(a.name, path);
    }),
  );
  return out;
}
