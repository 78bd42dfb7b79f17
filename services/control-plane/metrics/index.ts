/**
 * services/control-plane/metrics — Prometheus metrics of a master: a registry per master
 * (process metrics, gRPC calls, watches, Raft, disk, store), the runtime observer that feeds
 * it, and a wrapper that instruments any grpc-js service. Served on the master's /metrics.
 */
export { FSYNC_BUCKETS_SECONDS, GRPC_BUCKETS_SECONDS, READY_BUCKETS_SECONDS } from "./buckets.js";
export { createGrpcMetrics, type GrpcMetrics, grpcCodeName, statusCodeOf } from "./grpc-metrics.js";
export { instrumentService } from "./instrument-service.js";
export { createMasterMetrics, MasterMetrics, type MasterMetricsOptions } from "./master-metrics.js";
export { registerRaftMetrics } from "./raft-metrics.js";
export type { MetricsBackend, MetricsSources, WatchCacheStatsLike } from "./sources.js";
export { registerStoreMetrics } from "./store-metrics.js";
export { registerWatchCacheMetrics } from "./watch-cache-metrics.js";
