export * from "./cidr";
export * from "./errors";
export * from "./helm";
export * from "./iam";
export * from "./labels";
export * from "./pod-identity";
export * from "./tags";
