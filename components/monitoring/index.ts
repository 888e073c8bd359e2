export * from "./alert-rules";
export * from "./dashboards";
export * from "./metrics-catalog";
export * from "./monitoring-stack";
export * from "./prometheus-stack-values";
export * from "./addons";
export * from "./rules";
export * from "./network-policies";
