export * from "./gateway-builders";
export * from "./inference-pool";
export * from "./routes";
export * from "./picker-policies";
export * from "./addons";
export * from "./llm-gateway";
export * from "./llm-route";
export * from "./gateway-alerts";
