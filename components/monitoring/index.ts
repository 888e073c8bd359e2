export * from "./monitoring-stack";
export * from "./prometheus-stack-values";
export * from "./service-monitor";
