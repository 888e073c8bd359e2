export * from "./autoscaling";
export * from "./kserve-builders";
export * from "./model-fetcher";
export * from "./model-servers";
export * from "./model-source";
export * from "./model-spec";
export * from "./serving-platform";
export * from "./triton-builders";
