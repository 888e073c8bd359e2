/** Namespace of every model server, its Services and autoscalers. */
export const SERVING_NAMESPACE = "serving";
/** Secret (in the serving namespace) with the MLflow registry credentials model downloads use. */
export const REGISTRY_CREDENTIALS_SECRET = "mlflow-registry-credentials";
/** Pod label naming the kit's model; relabelled to the `mlserving_model` Prometheus label. */
export const MODEL_POD_LABEL = "mlserving.io/model";
/** Pod label telling a model's stable pods from its canary's (KServe). */
export const TRACK_POD_LABEL = "mlserving.io/track";
