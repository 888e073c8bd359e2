export * from "./model-registry";
export * from "./registry-builders";
export * from "./rules";
