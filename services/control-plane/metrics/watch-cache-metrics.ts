/**
 * The resource API's watch cache, after the Kubernetes apiserver's watch cache metrics
 * (apiserver_watch_cache_events_dispatched_total, apiserver_terminated_watchers_total,
 * apiserver_watch_cache_initializations_total). The cache keeps running totals; each scrape
 * turns them into counters by adding what grew since the last scrape.
 */
import { Counter, type Registry } from "prom-client";
import type { WatchCacheStatsLike } from "./sources.js";

type TotalKey = Exclude<keyof WatchCacheStatsLike, "watchers">;

const COUNTERS: ReadonlyArray<{ key: TotalKey; name: string; help: string }> = [
  {
    key: "eventsDelivered",
    name: "flotilla_watch_cache_events_dispatched_total",
    help: "Events (BOOKMARKs included) the watch cache handed to resource API watchers.",
  },
  {
    key: "watchersDropped",
    name: "flotilla_watch_cache_terminated_watchers_total",
    help: "Resource API watchers ended because they fell behind (they may resume from their last version).",
  },
  {
    key: "undecodableValues",
    name: "flotilla_watch_cache_undecodable_values_total",
    help: "Store values under /registry/ that did not decode as objects and were skipped.",
  },
  {
    key: "reinitializations",
    name: "flotilla_watch_cache_reinitializations_total",
    help: "Times the watch cache rebuilt itself after its store watch was compacted away.",
  },
];

/** Registers the watch cache counters; `stats` is read on each scrape (undefined: no cache). */
export function registerWatchCacheMetrics(
  registry: Registry,
  stats: () => WatchCacheStatsLike | undefined,
): void {
  for (const { key, name, help } of COUNTERS) {
    let last = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = stats()?.[key];
        if (now === undefined) return;
        // A total below the last one is a new cache (a restart): all of it is new.
        this.inc(now >= last ? now - last : now);
        last = now;
      },
    });
  }
}
