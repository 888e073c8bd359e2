import { describe, expect, it } from "vitest";
import { coldStartEstimates } from "../../components/platform/cold-start";
import { wakeEstimates, wakeSummaryLines } from "../../components/platform/wake";
import {
  GATEWAY_IDLE_TIMEOUT_SECONDS,
  gatewayServiceAnnotations,
  LLM_ROUTE_TIMEOUT_SECONDS,
  WAKE_TIMEOUT_SECONDS,
} from "../../components/serving/gateway";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { loadStackFile } from "../../cli/stack-file";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import { join } from "node:path";

describe("scale from zero behind the gateway", () => {
  it("keeps the NLB's connections open longer than the longest held request and its answer", () => {
    const annotations = gatewayServiceAnnotations(["10.0.0.0/16"]);
    expect(annotations["service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80"]).toBe(
      `tcp.idle_timeout.seconds=${GATEWAY_IDLE_TIMEOUT_SECONDS}`,
    );
    expect(GATEWAY_IDLE_TIMEOUT_SECONDS).toBeGreaterThan(LLM_ROUTE_TIMEOUT_SECONDS + WAKE_TIMEOUT_SECONDS.max);
    // The NLB accepts a TCP idle timeout from 60 to 6000 s.
    expect(GATEWAY_IDLE_TIMEOUT_SECONDS).toBeLessThanOrEqual(6000);
  });
});

describe("the first request to a model woken from zero (the plan)", () => {
  const dev = () => {
    const { config, secretKeys } = loadStackFile(join(__dirname, "../../stacks/Pulumi.dev.yaml"), CONFIG_NAMESPACE);
    const { raw, region } = rawConfigFromPulumi(config);
    return resolvePlatformSpec(raw, region, new Set(secretKeys));
  };

  it("says how long the shipped dev LLM's first request waits, against how long the gateway holds it", () => {
    const spec = dev();
    const cold = coldStartEstimates(spec);
    const wake = wakeEstimates(spec, cold);
    expect(wake.map((w) => w.model)).toEqual(["chat-llm"]);
    const chat = cold.find((e) => e.model === "chat-llm")!;
    expect(wake[0]).toMatchObject({ holdSeconds: 600, firstRequestSeconds: chat.newNodeSeconds, warnings: [] });
    expect(wakeSummaryLines(wake)[1]).toContain(`first request waits >= ${chat.newNodeSeconds} s`);
  });

  it("warns when the cold start outlasts the hold, and leaves models with replicas out", () => {
    const spec = dev();
    const i = spec.serving.models.findIndex((m) => m.name === "chat-llm");
    spec.serving.models[i] = { ...spec.serving.models[i], wakeTimeoutSeconds: 60 };
    const wake = wakeEstimates(spec, coldStartEstimates(spec));
    expect(wake[0].warnings).toEqual([
      expect.objectContaining({
        path: `serving.models[${i}].wakeTimeoutSeconds`,
        message: expect.stringContaining("answered 503"),
      }),
    ]);
    spec.serving.models[i] = { ...spec.serving.models[i], replicas: { min: 1, max: 1 } };
    expect(wakeEstimates(spec, coldStartEstimates(spec))).toEqual([]);
    expect(
      wakeEstimates({ ...spec, serving: { ...spec.serving, gateway: undefined } }, coldStartEstimates(spec)),
    ).toEqual([]);
  });
});
