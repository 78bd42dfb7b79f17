/**
 * What the scrape-time gauges read. A master attaches its EtcdBackend (RuntimeBackend; the
 * FakeBackend in tests) and, once they exist, the watch counts of its APIs.
 */
import type { EtcdBackend } from "../etcd/index.js";

/** The part of a master's backend the gauges read: Raft status, the store, its size. */
export type MetricsBackend = Pick<EtcdBackend, "memberId" | "store" | "raftStatus" | "dbSizeBytes">;

/**
 * The watch cache's running totals (the apiserver's WatchCacheStats has this shape); counters
 * are derived from them at scrape time.
 */
export interface WatchCacheStatsLike {
  /** Open client watches (gRPC Watch and WebSocket /watch). */
  readonly watchers: number;
  /** Events (BOOKMARKs included) handed to client transports, since the cache started. */
  readonly eventsDelivered: number;
  /** Watchers ended for falling behind. */
  readonly watchersDropped: number;
  /** Store values under /registry/ that did not decode as objects (skipped). */
  readonly undecodableValues: number;
  /** Times the cache rebuilt itself after its store watch was compacted away. */
  readonly reinitializations: number;
}

/** Live sources, read on every scrape; each may be attached later or replaced. */
export interface MetricsSources {
  /** Raft term, leader, commit and applied indexes; store revisions, key count and size. */
  readonly backend?: MetricsBackend;
  /**
   * Open etcd API watches. Without it: the watchers registered on the store's watch hub
   * (what etcd reports as etcd_debugging_mvcc_watcher_total), which includes a watch cache's
   * own watches on the store.
   */
  readonly etcdWatchers?: () => number;
  /** Open resource API watches (gRPC Watch and WebSocket /watch). @default watchCache().watchers, else 0 */
  readonly resourceWatchers?: () => number;
  /** The resource API's watch cache (e.g. `() => api.cache.stats`). @default none */
  readonly watchCache?: () => WatchCacheStatsLike;
}
