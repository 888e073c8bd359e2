export * from "./errors";
export * from "./iam";
export * from "./pod-identity";
export * from "./tags";
