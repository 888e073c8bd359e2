export * from "./platform";
export * from "./spec";
export * from "./rules";
export * from "./defaults";
