import { IMAGES, imageRef } from "../versions";

/** A figure and where it comes from. */
export interface SourcedFigure {
  value: number;
  source: string;
}

/** Sizes of one pinned image, decimal GB, each where a source gives it. */
export interface ImageSize {
  /** Unpacked on the node (what `docker images` shows): the bytes containerd writes to the disk. */
  uncompressedGB?: SourcedFigure;
  /** The compressed layers of the registry manifest: the bytes a pull moves over the network. */
  compressedGB?: SourcedFigure;
}

/**
 * Sizes of the pinned images. The registries' manifests of the pinned tags could not be read where
 * the kit is built (no registry is reachable), so these are the nearest published figures, each with
 * its tag, and only the unpacked size: no compressed size is published for these tags, so the
 * network's share of a pull is not counted (only the writes to disk are):
 * - vLLM: vllm-project/vllm#22377 (2025-12-10): the official `vllm/vllm-openai:latest` is 28.6 GB
 *   (the kit pins v0.16.0, a later release);
 * - Triton: triton-inference-server/server#7474 (2024-07-31): `tritonserver:24.06-py3` is about 15.5 GB
 *   after `docker pull`, which an NVIDIA engineer confirmed is expected (the kit pins 26.07-py3).
 * No size is published for the Neuron DLC or MLflow's `-full` image (the weights fetcher): both are
 * listed as not counted. `crane manifest <ref> | jq '[.layers[].size] | add'` on a machine that
 * reaches the registry gives the compressed size of a tag.
 */
export const IMAGE_SIZES: Readonly<Record<string, ImageSize>> = {
  [imageRef(IMAGES.vllmOpenai)]: {
    uncompressedGB: { value: 28.6, source: "vllm-project/vllm#22377: vllm-openai:latest is 28.6 GB unpacked" },
  },
  [imageRef(IMAGES.tritonServer)]: {
    uncompressedGB: {
      value: 15.5,
      source: "triton-inference-server/server#7474: tritonserver:24.06-py3 is ~15.5 GB unpacked",
    },
  },
};
