/** Namespace of every model server, its Services and autoscalers. */
export const SERVING_NAMESPACE = "serving";
/** Secret (in the serving namespace) with the MLflow registry credentials model downloads use. */
export const REGISTRY_CREDENTIALS_SECRET = "mlflow-registry-credentials";
/** Pod label naming the kit's model; relabelled to the `mlserving_model` Prometheus label. */
export const MODEL_POD_LABEL = "mlserving.io/model";
/** Pod label telling a model's stable pods from its canary's (KServe). */
export const TRACK_POD_LABEL = "mlserving.io/track";
/** Prometheus label that names the kit's model on every serving series (relabelled from the pod label). */
export const MODEL_LABEL = "mlserving_model";
/** Prometheus label of a KServe model's track (stable or canary), relabelled from the pod label. */
export const TRACK_LABEL = "mlserving_track";
