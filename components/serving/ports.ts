/** KServe serves the predictor on 8080 (HTTP) and 9000 (gRPC) in its pods. */
export const KSERVE_HTTP_PORT = 8080;
