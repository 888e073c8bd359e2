/**
 * A model team's stack: deploys the team's models into a platform whose stack another team
 * owns. It reads the platform stack's outputs through `PlatformReference` and registers only the
 * team's own objects (Deployments or InferenceServices, Services, autoscalers, Ingresses, model
 * identities); the namespace, its quota, the registry credentials and the ServingRuntimes come
 * from the platform stack (`mlserving:teams`).
 *
 * In the kit's checkout, `@mlserving/kit` resolves to the kit's sources (the offline plan and the
 * type-check map it there); copied out, to the installed package.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  KServeModel,
  modelHost,
  PlatformReference,
  TritonServer,
  withModelDefaults,
  type ModelInput,
} from "@mlserving/kit";

/** The team's config (`model-team:*` keys of Pulumi.<stack>.yaml). */
export interface ModelTeamConfig {
  /** The platform stack, `<organization>/<project>/<stack>` (e.g. `acme/mlserving/dev`). */
  platformStack: string;
  /** The team, as the platform's `mlserving:teams[].name`: the namespace the models go into. */
  team: string;
  /** The team's models, as the platform's `serving.models[]` (defaults from the platform's environment). */
  models: ModelInput[];
}

export function readModelTeamConfig(config = new pulumi.Config()): ModelTeamConfig {
  return {
    platformStack: config.require("platformStack"),
    team: config.require("team"),
    models: config.requireObject<ModelInput[]>("models"),
  };
}

export async function runModelTeamProgram(cfg: ModelTeamConfig = readModelTeamConfig()) {
  const platform = await PlatformReference.fromStack("platform", cfg.platformStack, { team: cfg.team });
  const endpoints: Record<string, string> = {};
  for (const input of cfg.models) {
    const model = withModelDefaults(input, platform.environment);
    const Server = model.server === "triton" ? TritonServer : KServeModel;
    new Server(model.name, platform.modelServerArgs(model, { team: cfg.team }));
    const scheme = platform.outputs.serving.certificateArn ? "https" : "http";
    endpoints[model.name] = `${scheme}://${modelHost(model.name, platform.outputs.serving.ingressDomain)}`;
  }
  return { namespace: platform.serving(cfg.team).namespace, endpoints };
}
