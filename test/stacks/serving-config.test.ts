import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import { MODEL_SOURCE_RULE } from "../../components/serving/model-source";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

const fixtures = join(__dirname, "..", "fixtures", "bad-stacks");

type Raw = Record<string, unknown>;
type RawModel = Record<string, any>;

function load(file: string) {
  const { config, secretKeys } = loadStackFile(join(fixtures, file), CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  return { raw, region, secretKeys: new Set(secretKeys) };
}

function problemsOf(file: string): ConfigProblem[] {
  const { raw, region, secretKeys } = load(file);
  try {
    resolvePlatformSpec(raw, region, secretKeys);
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

const firstModel = (raw: Raw): RawModel => (raw.serving as { models: RawModel[] }).models[0];

/**
 * Each bad serving stack file: the exact problems it must produce (nothing else is wrong with
 * it), and the one-line fix after which the same file resolves.
 */
const BAD_SERVING_STACKS: { file: string; problems: ConfigProblem[]; fix: (raw: Raw) => void }[] = [
  {
    file: "model-neuron-with-gpus.yaml",
    problems: [
      {
        path: "mlserving:serving.models[0].resources.gpus",
        message: "a neuron model requests neuronDevices, not GPUs",
      },
    ],
    fix: (raw) => {
      firstModel(raw).resources = { neuronDevices: 1, cpu: "3", memory: "12Gi" };
    },
  },
  {
    file: "model-unknown-accelerator.yaml",
    problems: [{ path: "mlserving:serving.models[0].accelerator", message: "must be nvidia, neuron or cpu" }],
    fix: (raw) => {
      firstModel(raw).accelerator = "nvidia";
    },
  },
  {
    file: "model-min-above-max.yaml",
    problems: [{ path: "mlserving:serving.models[0].replicas", message: "min must not exceed max (3 > 2)" }],
    fix: (raw) => {
      firstModel(raw).replicas = { min: 1, max: 2 };
    },
  },
  {
    file: "model-malformed-source.yaml",
    problems: [{ path: "mlserving:serving.models[0].source", message: MODEL_SOURCE_RULE }],
    fix: (raw) => {
      firstModel(raw).source = "s3://models-bucket/resnet50";
    },
  },
  {
    file: "model-no-matching-pool.yaml",
    problems: [
      { path: "mlserving:serving.models[0].accelerator", message: "no neuron pool under capacity.pools to run it on" },
    ],
    fix: (raw) => {
      delete raw.capacity;
    },
  },
];

describe("bad serving stack files are rejected with their key paths", () => {
  it.each(BAD_SERVING_STACKS.map((s) => [s.file, s] as const))("%s", (_file, s) => {
    expect(problemsOf(s.file)).toEqual(s.problems);
  });

  it.each(BAD_SERVING_STACKS.map((s) => [s.file, s] as const))("%s is an otherwise valid dev stack", (_file, s) => {
    const { raw, region, secretKeys } = load(s.file);
    expect(region).toBe("us-west-2");
    expect(raw).toMatchObject({ environment: "dev", team: "ml-platform" });
    s.fix(raw);
    const spec = resolvePlatformSpec(raw, region, secretKeys);
    expect(spec.serving.models).toHaveLength(1);
  });

  it("names the message in the error text too, by key path", () => {
    const { raw, region, secretKeys } = load("model-neuron-with-gpus.yaml");
    expect(() => resolvePlatformSpec(raw, region, secretKeys)).toThrow(
      /mlserving:serving\.models\[0\]\.resources\.gpus: a neuron model requests neuronDevices/,
    );
  });
});
