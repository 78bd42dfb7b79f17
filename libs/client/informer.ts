/**
 * client-go's SharedInformer and Reflector in one loop: list (paged), then watch from the
 * list's resourceVersion, keeping a frozen cache and telling handlers what changed.
 *
 * - A watch that ends or fails (a master died, a slow watcher was dropped) is resumed from
 *   the last resourceVersion seen, which the ApiClient sends to the next master: the server
 *   replays exactly the events after it, so none is lost; events not newer than the cached
 *   object are dropped, so none is delivered twice.
 * - A watch or continue token that fails with Expired (compacted) triggers a relist, and the
 *   cache is replaced by the list with the differences delivered (adds, updates, and deletes
 *   for objects that vanished meanwhile), as client-go's Replace does.
 * - Bookmarks move the resume point forward in a quiet stream.
 * - Every `resyncPeriodMs` every cached object is re-delivered as onUpdate(obj, obj), so
 *   level-triggered controllers revisit everything.
 */
import { Backoff, type BackoffOptions } from "./backoff.js";
import { AbortedError, type Clock, realClock, sleep, type TimerHandle } from "./clock.js";
import { isExpired } from "./errors.js";
import { defaultIndexers, Indexer, type IndexFunc, Lister } from "./indexer.js";
import { deepFreeze, type KubeObject, objectKey, revisionOf, type WatchEvent } from "./object.js";
import type { ResourceClient, ResourceWatch } from "./resource-client.js";

/** What an informer tells. Handlers should only enqueue keys; they run on the informer's loop. */
export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** List page size. @default 500 */
  readonly pageSize?: number;
  /** Re-deliver every cached object as an update this often; 0 = never. @default 0 */
  readonly resyncPeriodMs?: number;
  /** @default namespace, spec.nodeName and owner uid ({@link defaultIndexers}) */
  readonly indexers?: Record<string, IndexFunc<T>>;
  /** @default realClock */
  readonly clock?: Clock;
  /** Delays after failed lists and watches. @default { baseMs: 100, maxMs: 30_000 } */
  readonly backoff?: BackoffOptions;
  /** Told about every failure the informer recovers from, and handler exceptions. @default ignore */
  readonly onError?: (err: unknown) => void;
}

export class SharedInformer<T extends KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly stopController = new AbortController();
  private synced = false;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private lastResourceVersion = "";
  private currentWatch: ResourceWatch<T> | undefined;
  private resyncTimer: TimerHandle | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: ResourceClient<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>(options.indexers ?? defaultIndexers<T>());
    this.lister = new Lister<T>(this.indexer);
    this.clock = options.clock ?? realClock;
    this.backoff = new Backoff({ baseMs: 100, maxMs: 30_000, ...options.backoff });
  }

  /** Registers handlers; once synced, they first get onAdd for every cached object. Returns an unsubscribe. */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (this.synced) for (const obj of this.indexer.list()) this.call(() => handlers.onAdd?.(obj));
    return () => this.handlers.delete(handlers);
  }

  /** Starts listing and watching; idempotent. */
  start(): void {
    if (this.loop !== undefined || this.stopController.signal.aborted) return;
    this.loop = this.run();
    this.scheduleResync();
  }

  /** True once the first list has been loaded into the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the next watch resumes from. */
  get lastSyncResourceVersion(): string {
    return this.lastResourceVersion;
  }

  /** Resolves true once synced; false if `timeoutMs` passes, `signal` aborts or the informer stops first. */
  waitForSync(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopController.signal.aborted || options.signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const done = (ok: boolean): void => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        resolve(ok);
      };
      const onAbort = (): void => done(false);
      if (options.timeoutMs !== undefined)
        timer = this.clock.setTimeout(() => done(false), options.timeoutMs);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.syncWaiters.push(done);
    });
  }

  /** Stops the loop and the resync timer; resolves when the loop has ended. The cache stays readable. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.currentWatch?.close();
    if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer);
    for (const w of [...this.syncWaiters]) w(false);
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      let fromList = false;
      try {
        if (needList) {
          fromList = true;
          await this.listAndReplace();
          needList = false;
          fromList = false;
        }
        const delivered = await this.watchOnce();
        if (!delivered) await sleep(this.clock, this.backoff.nextDelayMs(), this.stopController.signal);
      } catch (err) {
        if (this.stopped || err instanceof AbortedError) break;
        this.report(err);
        if (isExpired(err)) needList = true;
        if (!isExpired(err) || fromList) {
          try {
            await sleep(this.clock, this.backoff.nextDelayMs(), this.stopController.signal);
          } catch {
            break;
          }
        }
      }
    }
  }

  private async listAndReplace(): Promise<void> {
    const list = await this.client.listAll({
      limit: this.options.pageSize ?? 500,
      labelSelector: this.options.labelSelector ?? "",
      fieldSelector: this.options.fieldSelector ?? "",
      signal: this.stopController.signal,
    });
    if (this.stopped) return;
    this.replace(list.items);
    this.lastResourceVersion = list.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w(true);
    }
  }

  /** client-go's Replace: the cache becomes `items`, handlers hear the differences. */
  private replace(items: readonly T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.indexer.getByKey(key);
      if (old !== undefined && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.indexer.upsert(obj);
      if (old === undefined) this.emit((h) => h.onAdd?.(obj));
      else this.emit((h) => h.onUpdate?.(old, obj));
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.deleteKey(key);
      if (old !== undefined) this.emit((h) => h.onDelete?.(old));
    }
  }

  /** One watch stream until it ends; true when it delivered anything. Throws what the stream throws. */
  private async watchOnce(): Promise<boolean> {
    if (this.stopped) return false;
    const watch = this.client.watch({
      resourceVersion: this.lastResourceVersion,
      allowBookmarks: true,
      labelSelector: this.options.labelSelector ?? "",
      fieldSelector: this.options.fieldSelector ?? "",
    });
    this.currentWatch = watch;
    let delivered = false;
    try {
      for await (const ev of watch) {
        if (this.stopped) break;
        this.apply(ev);
        if (!delivered) this.backoff.reset();
        delivered = true;
      }
    } finally {
      watch.close();
      this.currentWatch = undefined;
    }
    return delivered;
  }

  private apply(ev: WatchEvent<T>): void {
    const rev = revisionOf(ev.object);
    if (ev.type === "BOOKMARK") {
      if (rev > Number(this.lastResourceVersion || 0)) this.lastResourceVersion = String(rev);
      return;
    }
    if (rev !== 0 && rev <= Number(this.lastResourceVersion || 0)) return;
    const obj = deepFreeze(ev.object);
    const key = objectKey(obj);
    const old = this.indexer.getByKey(key);
    if (ev.type === "DELETED") {
      if (old !== undefined) {
        this.indexer.deleteKey(key);
        this.emit((h) => h.onDelete?.(obj));
      }
    } else if (old === undefined) {
      this.indexer.upsert(obj);
      this.emit((h) => h.onAdd?.(obj));
    } else {
      this.indexer.upsert(obj);
      this.emit((h) => h.onUpdate?.(old, obj));
    }
    if (rev !== 0) this.lastResourceVersion = String(rev);
  }

  private scheduleResync(): void {
    const periodMs = this.options.resyncPeriodMs ?? 0;
    if (periodMs <= 0 || this.stopped) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      if (this.synced) for (const obj of this.indexer.list()) this.emit((h) => h.onUpdate?.(obj, obj));
      this.scheduleResync();
    }, periodMs);
  }

  private emit(fn: (h: EventHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(err);
    }
  }

  private report(err: unknown): void {
    try {
      this.options.onError?.(err);
    } catch {
      // an error reporter that throws must not stop the informer
    }
  }
}
