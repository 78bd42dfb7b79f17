/**
 * Histogram bucket layouts, in seconds. The fsync layout is etcd's, so dashboards and alerts
 * written for etcd_disk_wal_fsync_duration_seconds read ours the same way.
 */
import { exponentialBuckets } from "prom-client";

/** etcd's disk latency buckets: 1 ms doubling fourteen times (up to ~8.2 s). */
export const FSYNC_BUCKETS_SECONDS: readonly number[] = exponentialBuckets(0.001, 2, 14);

/**
 * gRPC handling latency: from half a millisecond (a serializable read on loopback) to ten
 * seconds (a proposal waiting out an election).
 */
export const GRPC_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** One Ready cycle or its apply step: 100 µs doubling sixteen times (up to ~3.3 s). */
export const READY_BUCKETS_SECONDS: readonly number[] = exponentialBuckets(0.0001, 2, 16);
