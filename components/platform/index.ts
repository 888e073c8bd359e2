export * from "./capacity-checks";
export * from "./cost";
export * from "./platform";
export * from "./spec";
export * from "./rules";
export * from "./defaults";
export * from "./platform-spec";
export * from "./cold-start";
