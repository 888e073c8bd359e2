/** Public API of the kit: every component, its args and pure builders. */
export * from "./capacity";
export * from "./cluster";
export * from "./common";
export * from "./monitoring";
export * from "./network";
export * from "./platform";
export * from "./registry";
export * from "./serving";
export * from "./versions";
