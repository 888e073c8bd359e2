export * from "./builders";
export * from "./eks-cluster";
export * from "./load-balancer-controller";
export * from "./load-balancer-controller-values";
