/**
 * One client's watch over the cache (Kubernetes' cacheWatcher). It holds no copy of the
 * events it has to send: it reads the initial list (for resourceVersion "0") and then its
 * kind's ring from a cursor, turns each change into the event this client sees (Kubernetes'
 * rule: an object that stops matching the selectors is DELETED, one that starts matching is
 * ADDED), and hands it to a transport that may push back. A watcher whose transport stays
 * blocked while more than its bound of events arrive, or whose unread events the ring
 * overwrites, is ended with TooManyRequests and the resourceVersion to resume from; the
 * others never wait for it.
 */
import { ApiError } from "../api-error.js";
import type { CacheEntry, EncodedObject } from "./cached-object.js";
import type { CacheEvent, KindCache } from "./kind-cache.js";
import { matchesSpec, type WatchSpec } from "./watch-request.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** One event as a client receives it; `object` is shared by every watcher that gets it. */
export interface OutgoingEvent {
  readonly type: WatchEventType;
  readonly object: EncodedObject;
}

/** The transport under a watcher (a gRPC stream, a WebSocket). */
export interface WatchSink {
  /** Sends one event. False: the transport is full; send nothing more until `resume()`. */
  send(event: OutgoingEvent): boolean;
  /** Ends the stream, with an error or (undefined) cleanly. Called at most once, never after `cancel()`. */
  close(error: ApiError | undefined): void;
  /** Called once the watcher exists, before its first event: the transport's drain calls `resume()`. */
  started?(watcher: CacheWatcher): void;
}

/** Counters shared by a cache and its watchers; read them through `WatchCache.stats`. */
export interface WatchCounters {
  eventsDelivered: number;
  watchersDropped: number;
}

export interface CacheWatcherLimits {
  /** Events of its kind a stalled watcher may fall behind before it is dropped. */
  readonly lagEventsMax: number;
  /** Events sent in one turn of the event loop before yielding to others. */
  readonly pumpEventsMax: number;
}

export class CacheWatcher {
  private initial: readonly CacheEntry[] | undefined;
  private initialIndex = 0;
  /** Next ring sequence number to read. */
  private cursor: number;
  /** Ring events before this one were there when the watch started (replay, not lag). */
  private readonly liveFromSeq: number;
  /** Every event up to this revision has been handed to the transport. */
  private resumeRevision: number;
  private readonly listRevision: number;
  private paused = false;
  private ended = false;
  private pumpScheduled = false;

  constructor(
    readonly spec: WatchSpec,
    private readonly kind: KindCache,
    private readonly sink: WatchSink,
    start: { readonly initial?: readonly CacheEntry[]; readonly revision: number; readonly cursor: number },
    private readonly limits: CacheWatcherLimits,
    private readonly counters: WatchCounters,
    private readonly onEnd: (w: CacheWatcher) => void,
  ) {
    this.initial = start.initial;
    this.cursor = start.cursor;
    this.liveFromSeq = kind.headSeq;
    this.listRevision = start.revision;
    this.resumeRevision = start.initial === undefined ? start.revision : 0;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Sends what it can now; called after new events and when the transport drains. */
  pump(): void {
    if (this.ended || this.paused) return;
    for (let budget = this.limits.pumpEventsMax; budget > 0; budget--) {
      const next = this.next();
      if (next === "idle" || this.ended) return;
      if (next === undefined) continue;
      this.counters.eventsDelivered++;
      if (!this.sink.send(next)) {
        this.paused = true;
        return;
      }
    }
    this.schedulePump();
  }

  /** The transport drained: go on. */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** After new events of its kind: a watcher that fell too far behind is dropped. */
  checkLag(): void {
    if (this.ended) return;
    if (this.cursor < this.kind.tailSeq) {
      this.drop(`the ring of ${this.kind.info.resource} events overwrote events it had not read`);
      return;
    }
    const behind = this.kind.headSeq - Math.max(this.cursor, this.liveFromSeq);
    if (behind > this.limits.lagEventsMax) {
      this.drop(`${behind} events of ${this.kind.info.resource} behind (bound ${this.limits.lagEventsMax})`);
    }
  }

  /** A BOOKMARK at `revision`, sent only when idle: every event up to it has been sent. */
  bookmark(revision: number, object: EncodedObject): void {
    if (this.ended || this.paused || !this.spec.allowBookmarks || !this.isIdle()) return;
    if (revision < this.resumeRevision) return;
    this.resumeRevision = revision;
    this.counters.eventsDelivered++;
    if (!this.sink.send({ type: "BOOKMARK", object })) this.paused = true;
  }

  /** Ends the stream from the server side (stop, reinitialization) with `error`. */
  end(error: ApiError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
    this.sink.close(error);
  }

  /** The client went away: free the watcher, send nothing. Idempotent. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
  }

  /** Every event up to this revision has been handed to the transport. */
  get resumeFrom(): number {
    return this.resumeRevision;
  }

  private isIdle(): boolean {
    return this.initial === undefined && this.cursor >= this.kind.headSeq;
  }

  private drop(why: string): void {
    this.counters.watchersDropped++;
    this.end(
      new ApiError(
        "TooManyRequests",
        `watcher too slow: ${why}; resume from resourceVersion ${this.resumeRevision}`,
      ),
    );
  }

  /** The next event to send; undefined when the next change is not for this watcher. */
  private next(): OutgoingEvent | undefined | "idle" {
    if (this.initial !== undefined) {
      const entry = this.initial[this.initialIndex++];
      if (entry !== undefined)
        return matchesSpec(this.spec, entry.object) ? { type: "ADDED", object: entry.encoded } : undefined;
      this.initial = undefined;
      this.resumeRevision = this.listRevision;
    }
    if (this.cursor < this.kind.tailSeq) {
      this.checkLag();
      return "idle";
    }
    if (this.cursor >= this.kind.headSeq) return "idle";
    const ev = this.kind.at(this.cursor++);
    // A revision may hold several events: it is complete once the next event is later.
    if (this.cursor >= this.kind.headSeq || this.kind.at(this.cursor).revision !== ev.revision) {
      this.resumeRevision = Math.max(this.resumeRevision, ev.revision);
    }
    return this.convert(ev);
  }

  private convert(ev: CacheEvent): OutgoingEvent | undefined {
    if (this.spec.namespace !== "" && ev.namespace !== this.spec.namespace) return undefined;
    const curFits = ev.cur !== undefined && matchesSpec(this.spec, ev.cur.object);
    const prevFits = ev.prev !== undefined && matchesSpec(this.spec, ev.prev.object);
    if (curFits && ev.cur !== undefined)
      return { type: prevFits ? "MODIFIED" : "ADDED", object: ev.cur.encoded };
    if (prevFits) {
      const object = this.kind.deletedObject(ev);
      if (object !== undefined) return { type: "DELETED", object };
    }
    return undefined;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }
}
