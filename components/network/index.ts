export * from "./network";
export * from "./subnet-tags";
export * from "./rules";
