/**
 * The watch cache of one master, after Kubernetes' cacher: ONE watch on the store for the
 * whole registry feeds a keyed copy of every object (for cached gets and lists) and, per
 * kind, a bounded ring of recent events that every client watch reads from. A thousand
 * watchers of pods therefore cost one store watch, one JSON decode per change and one
 * encode per event, and a slow client only ever delays itself.
 *
 * On start the cache loads the registry as of a revision somewhat in the past and replays
 * the store's history from there, so a watch resumed on this master right after a failover
 * still finds its resourceVersion in the ring.
 */
import { registryPrefix } from "../../../../libs/api/index.js";
import {
  type MvccStore,
  prefixEnd,
  utf8,
  type Watcher,
  type WatchResponse,
} from "../../../../libs/mvcc/index.js";
import { ApiError } from "../api-error.js";
import { CacheWatcher, type WatchCounters, type WatchSink } from "./cache-watcher.js";
import { bookmarkObject, type CachedObject, type CacheEntry, type EncodedObject } from "./cached-object.js";
import { FreshnessWaiters } from "./freshness.js";
import type { KindCache } from "./kind-cache.js";
import { KindSet } from "./kind-set.js";
import type { WatchSpec } from "./watch-request.js";

export interface WatchCacheOptions {
  /** Events kept per kind for watches that resume from a resourceVersion. @default 10000 */
  ringEventsPerKind?: number;
  /** On start, how many revisions of store history to load into the rings. @default 10000 */
  historyRevisionsMax?: number;
  /** Events of its kind a stalled watcher may fall behind before it is dropped. @default 5000 */
  watcherLagEventsMax?: number;
  /** Period of BOOKMARK events to watchers that allow them. @default 60000 */
  bookmarkIntervalMs?: number;
  /** Events one watcher sends per turn of the event loop before yielding. @default 1000 */
  pumpEventsMax?: number;
  /** Store responses taken per turn of the event loop. @default 1000 */
  pollResponsesMax?: number;
  /** Changes one catch-up pass over the store's history may scan. @default 10000 */
  syncChangesMax?: number;
  /** How long a watch from a resourceVersion the cache has not reached yet waits for it. @default 3000 */
  futureRevisionWaitMs?: number;
  /** How often pending freshness waits look at the store again. @default 20 */
  freshnessCheckIntervalMs?: number;
}

/** What the metrics engineer reads. */
export interface WatchCacheStats {
  /** Open client watches. */
  readonly watchers: number;
  /** Events (including BOOKMARKs) handed to client transports. */
  readonly eventsDelivered: number;
  /** Watchers ended for falling behind. */
  readonly watchersDropped: number;
  /** Store values under /registry/ that did not decode as objects (skipped). */
  readonly undecodableValues: number;
  /** Times the cache rebuilt itself after its store watch was compacted away. */
  readonly reinitializations: number;
}

const REGISTRY = "/registry/";

export class WatchCache {
  private readonly o: Required<WatchCacheOptions>;
  private kinds: KindSet;
  private readonly watchers = new Set<CacheWatcher>();
  private readonly watchersByKind = new Map<string, Set<CacheWatcher>>();
  private readonly counters: WatchCounters = { eventsDelivered: 0, watchersDropped: 0 };
  private reinits = 0;
  /** Invariant: every registry change up to `rev` is in `kinds`. */
  private rev = 0;
  /** The store's revision when the cache (re)started: watches wait until the cache reaches it. */
  private loadedRevision = 0;
  private storeWatch: Watcher | undefined;
  private drainScheduled = false;
  private syncScheduled = false;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private state: "new" | "running" | "stopped" = "new";
  private readonly freshness: FreshnessWaiters;

  constructor(
    private readonly store: MvccStore,
    options: WatchCacheOptions = {},
  ) {
    this.o = {
      ringEventsPerKind: options.ringEventsPerKind ?? 10_000,
      historyRevisionsMax: options.historyRevisionsMax ?? 10_000,
      watcherLagEventsMax: options.watcherLagEventsMax ?? 5_000,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      pumpEventsMax: options.pumpEventsMax ?? 1_000,
      pollResponsesMax: options.pollResponsesMax ?? 1_000,
      syncChangesMax: options.syncChangesMax ?? 10_000,
      futureRevisionWaitMs: options.futureRevisionWaitMs ?? 3_000,
      freshnessCheckIntervalMs: options.freshnessCheckIntervalMs ?? 20,
    };
    this.kinds = new KindSet(this.o.ringEventsPerKind, 0);
    this.freshness = new FreshnessWaiters(
      () => this.revision,
      this.o.freshnessCheckIntervalMs,
      () => this.catchUp(),
    );
  }

  /** Loads the registry and starts following the store. */
  start(): void {
    if (this.state !== "new") throw new Error(`watch cache already ${this.state}`);
    this.state = "running";
    this.fill(0);
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.o.bookmarkIntervalMs);
    this.bookmarkTimer.unref();
  }

  /** Ends every client watch (ServiceUnavailable: resume elsewhere) and the store watch. */
  stop(): void {
    if (this.state === "stopped") return;
    this.state = "stopped";
    clearInterval(this.bookmarkTimer);
    this.storeWatch?.cancel();
    this.storeWatch = undefined;
    this.endAll("the watch cache is stopping");
    this.freshness.rejectAll(new ApiError("ServiceUnavailable", "the watch cache is stopping"));
  }

  /** Highest store revision the cache reflects. */
  get revision(): number {
    this.refreshRevision();
    return this.rev;
  }

  /** Resolves once revision >= rv; rejects with ApiError("Timeout", ...) after timeoutMs. */
  waitUntilFresh(rv: number, timeoutMs: number): Promise<void> {
    if (this.state === "stopped")
      return Promise.reject(new ApiError("ServiceUnavailable", "the watch cache is stopped"));
    return this.freshness.wait(rv, timeoutMs);
  }

  get(key: string): CachedObject | undefined {
    return this.kinds.get(key);
  }

  /** Current objects under a registry prefix, in key order, and the revision they are as of. */
  list(prefix: string): { readonly items: readonly CachedObject[]; readonly revision: number } {
    const revision = this.revision;
    return { items: this.kinds.list(prefix), revision };
  }

  get stats(): WatchCacheStats {
    return {
      watchers: this.watchers.size,
      eventsDelivered: this.counters.eventsDelivered,
      watchersDropped: this.counters.watchersDropped,
      undecodableValues: this.kinds.undecodable,
      reinitializations: this.reinits,
    };
  }

  /**
   * Starts a client watch that sends to `sink`. Rejects with Expired (resourceVersion older
   * than the ring), Timeout (newer than the cache after a wait) or ServiceUnavailable.
   * When `isCancelled()` turns true during the wait, the watcher is not started.
   */
  async watch(
    spec: WatchSpec,
    sink: WatchSink,
    isCancelled: () => boolean = () => false,
  ): Promise<CacheWatcher> {
    if (this.state !== "running") throw new ApiError("ServiceUnavailable", "the watch cache is not running");
    await this.waitUntilLoaded();
    if (spec.start.kind === "after") await this.waitForResourceVersion(spec.start.revision);
    if (this.state !== "running") throw new ApiError("ServiceUnavailable", "the watch cache is not running");
    const kind = this.kinds.kind(spec.info);
    let start: { initial?: readonly CacheEntry[]; revision: number; cursor: number };
    if (spec.start.kind === "list") {
      const prefix = registryPrefix(spec.info, spec.namespace === "" ? undefined : spec.namespace);
      start = { initial: kind.list(prefix), revision: this.revision, cursor: kind.headSeq };
    } else {
      const n = spec.start.revision;
      if (n < kind.startRevision) {
        throw new ApiError("Expired", `too old resource version: ${n} (${kind.startRevision})`);
      }
      start = { revision: n, cursor: kind.seqAfter(n) };
    }
    const limits = { lagEventsMax: this.o.watcherLagEventsMax, pumpEventsMax: this.o.pumpEventsMax };
    const w = new CacheWatcher(spec, kind, sink, start, limits, this.counters, (x) => this.forget(x));
    if (isCancelled()) return w;
    this.watchers.add(w);
    let set = this.watchersByKind.get(spec.info.resource);
    if (set === undefined) {
      set = new Set();
      this.watchersByKind.set(spec.info.resource, set);
    }
    set.add(w);
    sink.started?.(w);
    w.pump();
    return w;
  }

  /**
   * Watches start once the history replayed at start is in the rings (Kubernetes' cacher is
   * not ready before its initial list): replayed events are then replay for a new watcher,
   * not lag that would drop it.
   */
  private async waitUntilLoaded(): Promise<void> {
    try {
      await this.freshness.wait(this.loadedRevision, this.o.futureRevisionWaitMs);
    } catch (err) {
      if (err instanceof ApiError && err.reason === "Timeout") {
        throw new ApiError(
          "ServiceUnavailable",
          `the watch cache is still loading (at ${this.rev} of ${this.loadedRevision})`,
        );
      }
      throw err;
    }
  }

  /** Kubernetes waits a little for a resourceVersion this server has not seen yet, then answers Timeout. */
  private async waitForResourceVersion(rv: number): Promise<void> {
    if (rv <= this.revision) return;
    try {
      await this.freshness.wait(rv, this.o.futureRevisionWaitMs);
    } catch (err) {
      if (err instanceof ApiError && err.reason === "Timeout") {
        throw new ApiError("Timeout", `Too large resource version: ${rv}, current: ${this.rev}`, [], {
          cause: err,
        });
      }
      throw err;
    }
  }

  private forget(w: CacheWatcher): void {
    this.watchers.delete(w);
    this.watchersByKind.get(w.spec.info.resource)?.delete(w);
  }

  /**
   * Loads the registry as of S = max(compact revision, current - history window, `floor`)
   * and watches the store from S + 1: the store's catch-up replays S+1..current into the rings.
   */
  private fill(floor: number): void {
    const store = this.store;
    const current = store.currentRevision;
    const s = Math.min(
      current,
      Math.max(store.compactRevision, current - this.o.historyRevisionsMax, floor, 1),
    );
    const undecodable = this.kinds.undecodable;
    this.kinds = new KindSet(this.o.ringEventsPerKind, s);
    this.kinds.undecodable = undecodable;
    this.rev = s;
    this.loadedRevision = current;
    const key = utf8(REGISTRY);
    const rangeEnd = prefixEnd(key);
    const out = store.range({ key, rangeEnd, revision: s });
    if (!out.ok)
      throw new Error(`watch cache: cannot read the registry at revision ${s}: ${out.error.message}`);
    this.kinds.load(out.value.range.kvs);
    const w = store.watches.watch({ key, rangeEnd, startRevision: s + 1 });
    w.onReady = () => this.scheduleDrain();
    this.storeWatch = w;
    if (w.pendingResponses > 0) this.scheduleDrain();
    else if (w.state === "unsynced") this.scheduleSync();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.state !== "running") return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Applies what the store watch queued, then lets every touched kind's watchers send. */
  private drain(): void {
    const w = this.storeWatch;
    if (w === undefined || this.state !== "running") return;
    const touched = new Set<KindCache>();
    for (const r of w.poll(this.o.pollResponsesMax)) {
      if (this.take(r, touched)) {
        this.reinitialize();
        return;
      }
      // One response is one whole revision: watchers read it before the next can overwrite the ring.
      for (const k of touched) {
        for (const cw of this.watchersByKind.get(k.info.resource) ?? []) {
          cw.pump();
          cw.checkLag();
        }
      }
      touched.clear();
    }
    if (w.pendingResponses > 0) this.scheduleDrain();
    else if (w.state === "unsynced") this.scheduleSync();
    this.freshness.check();
  }

  /** Applies one store response; true when the store watch was compacted away. */
  private take(r: WatchResponse, touched: Set<KindCache>): boolean {
    switch (r.kind) {
      case "events":
        for (const ev of r.events) {
          const k = this.kinds.apply(ev.type, ev.kv);
          if (k !== undefined) touched.add(k);
          this.rev = Math.max(this.rev, ev.kv.modRevision);
        }
        return false;
      case "progress":
        this.rev = Math.max(this.rev, r.revision);
        return false;
      case "compacted":
        return true;
    }
  }

  /** The store watch needed history that was compacted (or replaced by a snapshot): start over. */
  private reinitialize(): void {
    this.reinits++;
    this.storeWatch?.cancel();
    this.endAll("the watch cache was reinitialized");
    this.fill(Math.min(this.rev, this.store.currentRevision));
  }

  private scheduleSync(): void {
    if (this.syncScheduled || this.state !== "running") return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      if (this.state === "running") this.catchUp();
    });
  }

  /** Asks the store's hub to catch the store watch up (the master's timer does it too, more slowly). */
  private catchUp(): void {
    const w = this.storeWatch;
    if (w === undefined || this.state !== "running") return;
    if (w.state === "unsynced" && w.pendingResponses === 0)
      this.store.watches.syncUnsynced(this.o.syncChangesMax);
    if (w.pendingResponses > 0) this.scheduleDrain();
  }

  /**
   * A synced store watch with nothing queued has seen every change up to the store's
   * current revision: writes outside the registry move the cache's revision too.
   */
  private refreshRevision(): void {
    const w = this.storeWatch;
    if (w === undefined || this.drainScheduled || w.state !== "synced" || w.pendingResponses > 0) return;
    this.rev = Math.max(this.rev, this.store.currentRevision);
  }

  private sendBookmarks(): void {
    const revision = this.revision;
    const objects = new Map<string, EncodedObject>();
    for (const w of [...this.watchers]) {
      if (!w.spec.allowBookmarks) continue;
      const info = w.spec.info;
      let obj = objects.get(info.resource);
      if (obj === undefined) {
        obj = bookmarkObject(info, revision);
        objects.set(info.resource, obj);
      }
      w.bookmark(revision, obj);
    }
  }

  private endAll(why: string): void {
    for (const w of [...this.watchers]) {
      w.end(new ApiError("ServiceUnavailable", `${why}; resume from resourceVersion ${w.resumeFrom}`));
    }
  }
}
