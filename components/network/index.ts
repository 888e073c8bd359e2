export * from "./network";
export * from "./subnet-tags";
