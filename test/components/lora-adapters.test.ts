import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { existingMonitoring } from "../../components/common/handles";
import type { RegistryHandle } from "../../components/common/handles";
import { KServeModel, LlmGateway, loraArgs, ServingPlatform, withModelDefaults } from "../../components/serving";
import type { LoraAdapterSpec, ModelSpec } from "../../components/serving";
import { json, modelServerBase, Plan, runComponent, testCluster } from "../harness";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const KEY = "arn:aws:kms:us-west-2:111122223333:key/registry";
const billing: LoraAdapterSpec = { name: "billing", source: "s3://adapters-bucket/billing/v1", rank: 8 };
const legal: LoraAdapterSpec = { name: "legal", source: "models:/legal-lora/2", rank: 32 };

/** An LLM with every track the gateway routes (stable, canary, A/B variant, shadow) and two adapters. */
const chat: ModelSpec = withModelDefaults(
  {
    name: "chat",
    server: "kserve",
    accelerator: "nvidia",
    runtime: "vllm",
    source: "s3://models-bucket/chat/3",
    canary: { source: "s3://models-bucket/chat/4", trafficPercent: 20 },
    abTest: { source: "s3://models-bucket/chat/5", header: { name: "x-cohort", value: "b" } },
    shadow: { source: "s3://models-bucket/chat/6" },
    adapters: [billing, legal],
  },
  "dev",
);

const registry = (weightsStore?: RegistryHandle["weightsStore"]): RegistryHandle => ({
  trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
  credentials: { username: pulumi.output("admin"), password: pulumi.secret("pw") },
  clientNamespaces: ["serving"],
  ...(weightsStore ? { weightsStore } : {}),
});

const T = {
  isvc: "kubernetes:serving.kserve.io/v1beta1:InferenceService",
  pv: "kubernetes:core/v1:PersistentVolume",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  job: "kubernetes:batch/v1:Job",
  pool: "kubernetes:inference.networking.k8s.io/v1:InferencePool",
  route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

function serve(reg: RegistryHandle) {
  const c = testCluster();
  const platform = new ServingPlatform("serving", {
    cluster: c.handle,
    kserve: true,
    registry: reg,
    monitoring: existingMonitoring(),
  });
  const gateway = new LlmGateway("llm", {
    cluster: c.handle,
    nlbSubnetCidrs: pulumi.output(["10.0.0.0/20"]),
    allowedCidrs: ["10.8.0.0/16"],
    monitoring: existingMonitoring(),
  });
  return new KServeModel("chat", { ...modelServerBase(c.handle, platform), model: chat, llmGateway: gateway.handle });
}

describe("KServeModel with LoRA adapters, routed through the LLM gateway", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => serve(registry({ bucket: pulumi.output("registry-artifacts"), keyArn: KEY })));
  });

  const isvcs = () => plan.ofType(T.isvc).map((r) => ({ r, spec: r.inputs as any }));

  it("starts every track's vLLM with the adapters and mounts each read-only, after its volume", () => {
    const claims = plan
      .ofType(T.pvc)
      .map((r) => (r.inputs as any).metadata.name as string)
      .filter((n) => n.startsWith("chat-lora-"));
    expect(claims).toHaveLength(2);
    expect(isvcs().map((i) => i.spec.metadata.name)).toEqual(["chat", "chat-canary", "chat-variant", "chat-shadow"]);
    for (const { r, spec } of isvcs()) {
      const predictor = spec.spec.predictor;
      const at = spec.metadata.name;
      expect(predictor.model.args, at).toEqual(expect.arrayContaining(loraArgs([billing, legal])));
      expect(predictor.model.args.join(" "), at).toContain(
        "--lora-modules billing=/mnt/adapters/billing legal=/mnt/adapters/legal",
      );
      expect(
        predictor.volumes
          .map((v: any) => v.persistentVolumeClaim)
          .sort((a: any, b: any) => (a.claimName < b.claimName ? -1 : 1)),
        at,
      ).toEqual([...claims].sort().map((claimName) => ({ claimName, readOnly: true })));
      expect(
        predictor.model.volumeMounts.every((m: any) => m.readOnly === true),
        at,
      ).toBe(true);
      expect(plan.dependsOn(r, T.pvc), at).toBe(true);
      validateAgainstUpstreamSchema(spec);
    }
  });

  it("reads the S3 adapter in place and stages the registry version once, under the lora infix", () => {
    const prefixes = plan
      .ofType(T.pv)
      .map((r) => r.inputs as any)
      .filter((v) => v.metadata.name.startsWith("serving-chat-lora-"))
      .map((v) => [
        v.spec.csi.volumeAttributes.bucketName,
        v.spec.mountOptions.find((o: string) => o.startsWith("prefix ")),
      ]);
    expect(prefixes.sort()).toEqual([
      ["adapters-bucket", "prefix billing/v1/"],
      ["registry-artifacts", "prefix mlserving-weights/serving/legal-lora/2/"],
    ]);
    const jobs = plan.ofType(T.job).map((r) => r.inputs as any);
    expect(jobs.map((j) => j.spec.template.spec.containers[0].args)).toEqual([
      ["models:/legal-lora/2", "registry-artifacts", "mlserving-weights/serving/legal-lora/2/"],
    ]);
    expect(jobs[0].metadata.name).toMatch(/^chat-lora-[0-9a-f]{8}$/);
    validateAgainstUpstreamSchema(jobs[0]);
    for (const r of [...plan.ofType(T.pv), ...plan.ofType(T.pvc)]) validateAgainstUpstreamSchema(r.inputs);
    const stable = plan.ofType(T.isvc).find((r) => (r.inputs as any).metadata.name === "chat")!;
    expect(plan.dependsOn(stable, T.job)).toBe(true);
  });

  it("lets the model's identity read exactly the adapters' prefixes, and only the stager write the staged one", () => {
    const policy = (name: string) =>
      json<{ Statement: { Action: string | string[]; Resource: string }[] }>(
        plan.one(T.rolePolicy, name).inputs.policy,
      );
    const reads = policy("chat-model-reader")
      .Statement.filter((s) => s.Action === "s3:GetObject")
      .map((s) => s.Resource);
    expect(reads).toEqual(
      expect.arrayContaining([
        "arn:aws:s3:::adapters-bucket/billing/v1/*",
        "arn:aws:s3:::registry-artifacts/mlserving-weights/serving/legal-lora/2/*",
      ]),
    );
    const writes = policy("chat-weights-stager").Statement.filter((s) => [s.Action].flat().includes("s3:PutObject"));
    expect(writes.map((s) => s.Resource)).toEqual([
      "arn:aws:s3:::registry-artifacts/mlserving-weights/serving/legal-lora/2/*",
    ]);
  });

  it("sends a request for an adapter to the base model's pools: the route matches host and header, never the body", () => {
    const route = plan.one(T.route).inputs as any;
    validateAgainstUpstreamSchema(route);
    expect(route.spec.hostnames).toEqual(["chat.models.dev.internal"]);
    for (const rule of route.spec.rules)
      for (const m of rule.matches) expect(Object.keys(m).sort()).toEqual(m.headers ? ["headers", "path"] : ["path"]);
    // Each pool the route names selects one track's pods, and every track serves the adapters.
    const serving = new Set(
      isvcs()
        .filter((i) => i.spec.spec.predictor.model.args.includes("--enable-lora"))
        .map((i) => i.spec.spec.predictor.labels["mlserving.io/track"]),
    );
    const pools = new Map(plan.ofType(T.pool).map((r) => [(r.inputs as any).metadata.name, r.inputs as any]));
    const backends = route.spec.rules.flatMap((rule: any) => rule.backendRefs);
    expect(backends.length).toBeGreaterThan(0);
    for (const b of backends)
      expect(serving).toContain(pools.get(b.name).spec.selector.matchLabels["mlserving.io/track"]);
  });
});

describe("KServeModel refuses a registry adapter it cannot stage", () => {
  it("names the adapter's key, before registering anything", async () => {
    const refused = await runComponent(() => {
      try {
        serve(registry());
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(String(refused.result)).toMatch(
      /model\.adapters\[1\]\.source: a models:\/ adapter is staged in the registry's bucket/,
    );
    expect(refused.resources.filter((r) => r.name.startsWith("chat"))).toEqual([]);
  });
});
