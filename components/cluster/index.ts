export * from "./builders";
export * from "./eks-cluster";
export * from "./load-balancer-controller";
export * from "./load-balancer-controller-values";
export * from "./addons";
export * from "./rules";
export * from "./private-dns";
export * from "./external-dns-values";
