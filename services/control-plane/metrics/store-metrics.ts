/**
 * Store and watch gauges of one master, read at scrape time. etcd's equivalents:
 * etcd_debugging_mvcc_current_revision, etcd_debugging_mvcc_compact_revision,
 * etcd_mvcc_db_total_size_in_bytes, etcd_debugging_mvcc_keys_total and
 * etcd_debugging_mvcc_watcher_total.
 */
import { Gauge, type Registry } from "prom-client";
import type { MetricsSources } from "./sources.js";

/** Registers the store and watch gauges; `sources` is read on each scrape. */
export function registerStoreMetrics(registry: Registry, sources: () => MetricsSources): void {
  const registers = [registry];
  const storeGauge = (name: string, help: string, read: (s: Required<MetricsSources>["backend"]) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const b = sources().backend;
        if (b) this.set(read(b));
      },
    });
  storeGauge(
    "flotilla_mvcc_revision",
    "The store's current revision (etcd's header revision).",
    (b) => b.store.currentRevision,
  );
  storeGauge(
    "flotilla_mvcc_compact_revision",
    "The revision the store was last compacted at (0 if never).",
    (b) => b.store.compactRevision,
  );
  storeGauge(
    "flotilla_mvcc_db_total_size_in_bytes",
    "Approximate bytes the store occupies (etcd's dbSize).",
    (b) => b.dbSizeBytes(),
  );
  storeGauge(
    "flotilla_mvcc_keys",
    "Keys live in the store at its current revision.",
    (b) => b.store.keyCount,
  );

  new Gauge({
    name: "flotilla_watchers",
    help: 'Open watches on this master: api="etcd" (etcd v3 Watch) or "resources" (resource API Watch and /watch).',
    labelNames: ["api"],
    registers,
    collect() {
      const s = sources();
      this.set({ api: "etcd" }, s.etcdWatchers?.() ?? hubWatchers(s));
      this.set({ api: "resources" }, s.resourceWatchers?.() ?? s.watchCache?.().watchers ?? 0);
    },
  });
}

function hubWatchers(s: MetricsSources): number {
  const counts = s.backend?.store.watches.counts;
  return counts ? counts.synced + counts.unsynced : 0;
}
