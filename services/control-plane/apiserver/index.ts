/**
 * services/control-plane/apiserver — the API server of a master: Kubernetes-shaped
 * resources under /registry keys, written with compare-and-swap transactions through
 * Raft, read linearizably or from the watch cache, served as apipb.Resources over gRPC and
 * as WebSocket watch streams.
 */
export {
  ApiError,
  CAUSES_METADATA_KEY,
  causesOf,
  GRPC_CODE_OF_REASON,
  type GrpcStatusObject,
  grpcStatusOf,
  REASON_METADATA_KEY,
  type StatusCause,
  type StatusReason,
} from "./api-error.js";
export { type ApiServer, type ApiServerOptions, startApiServer } from "./api-server.js";
export { type BootstrapOptions, ensureNamespaces, SYSTEM_NAMESPACES } from "./bootstrap.js";
export { PROTECTED_NAMESPACES } from "./delete-handler.js";
export type { HandlerContext, HandlerOptions, ObjectCache } from "./handler-context.js";
export {
  DEFAULT_OBJECT_BYTES_MAX,
  RegistryStore,
  type RegistryStoreOptions,
  type StoredObject,
} from "./registry-store.js";
export type { ServerFailureHook } from "./resources-service.js";
export { WatchCache, type WatchCacheOptions } from "./watch-cache/index.js";
