import type { ChartAddOn } from "../common/chart-addon";
import type { ClusterHandle } from "../common/handles";
import { CHARTS } from "../versions";
import {
  LOAD_BALANCER_CONTROLLER_NAMESPACE,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  loadBalancerControllerPolicy,
  loadBalancerControllerValues,
} from "./load-balancer-controller-values";

/** AWS Load Balancer Controller: the IAM policy of its install guide, values from the cluster's facts. */
export const LOAD_BALANCER_CONTROLLER_ADDON: ChartAddOn<{ cluster: ClusterHandle; replicas: number }> = {
  release: "aws-load-balancer-controller",
  chart: CHARTS.awsLoadBalancerController,
  namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
  serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  podIdentity: ({ cluster }) => ({ policy: cluster.partition.apply(loadBalancerControllerPolicy) }),
  values: ({ cluster, replicas }) =>
    cluster.vpcId.apply((vpcId) =>
      loadBalancerControllerValues({ clusterName: cluster.name, region: cluster.region, vpcId, replicas }),
    ),
  wait: { timeoutSeconds: 600 },
};
