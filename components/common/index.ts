export * from "./errors";
export * from "./helm";
export * from "./iam";
export * from "./pod-identity";
export * from "./tags";
