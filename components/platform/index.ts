export * from "./platform";
export * from "./spec";
