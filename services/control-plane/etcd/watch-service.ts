/**
 * etcd's Watch service: one bidi stream carries many watches, each a `Watcher` of the local
 * store's watch hub, under an id that is the client's choice or the stream's next free one
 * (from 0, as etcd).
 *
 * Order on the stream, per watch: the created response, then events in revision order, then
 * at most one canceled response, then nothing. Delivery is pull-based and bounded: responses
 * are taken from a watcher only while the stream's write side accepts more (`call.write`
 * returning false pauses until "drain"); meanwhile a watcher's queue fills, the hub moves it
 * to its unsynced set, and it resumes from the revision log once the client reads again. So
 * memory per stream is bounded by one poll batch plus the control responses, whatever the
 * write rate and however slow the client. Too many pending control responses (a client that
 * creates watches without reading) pause reading the client's requests.
 */
import type { ServerDuplexStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import {
  compareBytes,
  ETCD_ERROR_MESSAGES,
  type Watcher,
  type WatchResponse,
} from "../../../libs/mvcc/index.js";
import { currentHeader, header, type ServiceContext } from "./context.js";
import { eventToWire, watchFromWire } from "./convert.js";
import { toServiceError } from "./errors.js";
import type { WireWatchCreateRequest, WireWatchRequest, WireWatchResponse } from "./wire.js";

export interface WatchLimits {
  /** Watches one stream may hold at once. @default 10000 */
  readonly watchesPerStreamMax: number;
  /** Responses taken from one watcher per turn, so busy watches do not starve the others. @default 16 */
  readonly pollBatchResponses: number;
  /** Queued control responses above which the stream stops reading requests. @default 256 */
  readonly controlPendingMax: number;
  /** Changes the hub scans per catch-up pass this stream triggers. @default 1000 */
  readonly syncChangesMax: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = {
  watchesPerStreamMax: 10_000,
  pollBatchResponses: 16,
  controlPendingMax: 256,
  syncChangesMax: 1000,
};

/** etcd's id for a failed create and for a stream-wide progress response (clientv3.InvalidWatchID). */
const INVALID_WATCH_ID = "-1";
/** etcd's mvcc errors reported in cancel_reason. */
const WATCH_REASONS = {
  duplicateId: "mvcc: duplicate watch ID provided on the WatchStream",
  emptyRange: "mvcc: watcher range is empty",
} as const;

type Call = ServerDuplexStream<WireWatchRequest, WireWatchResponse>;

export function watchService(ctx: ServiceContext, limits: WatchLimits): UntypedServiceImplementation {
  return {
    Watch: (call: Call) => {
      new WatchStream(ctx, call, limits).start();
    },
  };
}

class WatchStream {
  private readonly byId = new Map<string, Watcher>();
  private readonly idOf = new Map<Watcher, string>();
  /** Watchers with queued responses, in turn order. Invariant: a watcher with a non-empty queue is here. */
  private readonly ready = new Set<Watcher>();
  /** Created / canceled responses; sent before any event taken later. */
  private readonly control: WireWatchResponse[] = [];
  /** Responses already taken from watchers, waiting for the write side (at most one poll batch). */
  private readonly taken: WireWatchResponse[] = [];
  private writable = true;
  private flushScheduled = false;
  private syncScheduled = false;
  private readingPaused = false;
  private closed = false;
  private nextAutoId = 0;
  /** A progress_request waits until every watch of the stream has caught up. */
  private progressAllPending = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly call: Call,
    private readonly limits: WatchLimits,
  ) {}

  start(): void {
    const call = this.call;
    call.on("data", (req: WireWatchRequest) => this.guard(() => this.onRequest(req)));
    call.on("drain", () => {
      this.writable = true;
      this.scheduleFlush();
    });
    // As etcd, a half-close leaves the watches running; the stream ends when the call does.
    call.on("end", () => {});
    call.on("cancelled", () => this.close());
    call.on("error", () => this.close());
    call.on("close", () => this.close());
  }

  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.close();
      this.call.emit("error", toServiceError(err));
    }
  }

  private onRequest(req: WireWatchRequest): void {
    switch (req.request_union) {
      case "create_request":
        if (req.create_request != null) this.create(req.create_request);
        break;
      case "cancel_request":
        if (req.cancel_request != null) this.cancel(String(req.cancel_request.watch_id));
        break;
      case "progress_request":
        this.progressAllPending = true;
        break;
      case undefined:
        break;
    }
    this.scheduleFlush();
  }

  private create(c: WireWatchCreateRequest): void {
    const backend = this.ctx.backend;
    if (this.byId.size >= this.limits.watchesPerStreamMax) {
      this.refuse(`flotilla: too many watches on one stream (max ${this.limits.watchesPerStreamMax})`);
      return;
    }
    let id = String(c.watch_id);
    if (id === "0") {
      while (this.byId.has(String(this.nextAutoId))) this.nextAutoId++;
      id = String(this.nextAutoId++);
    } else if (this.byId.has(id)) {
      this.refuse(WATCH_REASONS.duplicateId);
      return;
    }
    let request: ReturnType<typeof watchFromWire>;
    try {
      request = watchFromWire(c);
    } catch (err) {
      this.refuse(err instanceof Error ? err.message : String(err));
      return;
    }
    const end = request.rangeEnd;
    if (end !== undefined && !(end.length === 1 && end[0] === 0) && compareBytes(request.key, end) >= 0) {
      this.refuse(WATCH_REASONS.emptyRange);
      return;
    }

    const w = backend.store.watches.watch(request);
    this.byId.set(id, w);
    this.idOf.set(w, id);
    this.pushControl({ header: currentHeader(backend), watch_id: id, created: true });
    w.onReady = () => this.markReady(w);
    if (w.pendingResponses > 0) this.markReady(w);
    if (w.state === "unsynced") this.scheduleSync();
  }

  /** A create that failed: etcd answers created and canceled at once, with the reason. */
  private refuse(reason: string): void {
    this.pushControl({
      header: currentHeader(this.ctx.backend),
      watch_id: INVALID_WATCH_ID,
      created: true,
      canceled: true,
      cancel_reason: reason,
    });
  }

  private cancel(id: string): void {
    if (!this.byId.has(id)) return; // as etcd: canceling an unknown id gets no response
    this.remove(id);
    this.pushControl({ header: currentHeader(this.ctx.backend), watch_id: id, canceled: true });
  }

  private remove(id: string): void {
    const w = this.byId.get(id);
    if (w === undefined) return;
    this.byId.delete(id);
    this.idOf.delete(w);
    this.ready.delete(w);
    w.onReady = undefined;
    w.cancel();
    // Nothing may follow a watch's canceled response.
    for (let i = this.taken.length - 1; i >= 0; i--)
      if (this.taken[i]!.watch_id === id) this.taken.splice(i, 1);
  }

  private pushControl(r: WireWatchResponse): void {
    this.control.push(r);
    if (!this.readingPaused && this.control.length > this.limits.controlPendingMax) {
      this.readingPaused = true;
      this.call.pause();
    }
    this.scheduleFlush();
  }

  private markReady(w: Watcher): void {
    if (this.closed || !this.idOf.has(w)) return;
    this.ready.add(w);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.guard(() => this.flush());
    });
  }

  private flush(): void {
    while (this.writable && !this.closed) {
      const next = this.next();
      if (next === undefined) break;
      this.writable = this.call.write(next);
    }
    if (this.readingPaused && this.control.length <= this.limits.controlPendingMax / 2) {
      this.readingPaused = false;
      this.call.resume();
    }
  }

  private next(): WireWatchResponse | undefined {
    const c = this.control.shift();
    if (c !== undefined) return c;
    if (this.taken.length === 0) this.take();
    const t = this.taken.shift();
    if (t !== undefined) return t;
    return this.progressAll();
  }

  /** Takes one batch from the next ready watcher, round robin. */
  private take(): void {
    for (const w of this.ready) {
      this.ready.delete(w);
      const id = this.idOf.get(w);
      if (id === undefined) continue;
      const rs = w.poll(this.limits.pollBatchResponses);
      if (w.pendingResponses > 0) this.ready.add(w);
      else if (w.state === "unsynced") this.scheduleSync();
      for (const r of rs) this.taken.push(this.toWire(id, r));
      if (rs.some((r) => r.kind === "compacted")) {
        // The hub already canceled it; its compacted response is its last.
        this.byId.delete(id);
        this.idOf.delete(w);
        this.ready.delete(w);
      }
      if (this.taken.length > 0) return;
    }
  }

  private toWire(id: string, r: WatchResponse): WireWatchResponse {
    const backend = this.ctx.backend;
    switch (r.kind) {
      case "events":
        return { header: header(backend, r.revision), watch_id: id, events: r.events.map(eventToWire) };
      case "progress":
        return { header: header(backend, r.revision), watch_id: id };
      case "compacted":
        return {
          header: currentHeader(backend),
          watch_id: id,
          canceled: true,
          compact_revision: r.compactRevision,
          // etcd leaves the reason empty (Go clients read compact_revision); `etcd3` shows only the reason.
          cancel_reason: ETCD_ERROR_MESSAGES.compacted,
        };
    }
  }

  /** The stream-wide progress response, once every watch has caught up and all it queued is sent. */
  private progressAll(): WireWatchResponse | undefined {
    if (!this.progressAllPending || this.ready.size > 0) return undefined;
    for (const w of this.byId.values()) if (w.state === "unsynced") return undefined;
    this.progressAllPending = false;
    return { header: currentHeader(this.ctx.backend), watch_id: INVALID_WATCH_ID };
  }

  /** Catch-up from the revision log for watches that started in the past or fell behind. */
  private scheduleSync(): void {
    if (this.syncScheduled || this.closed) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      if (this.closed) return;
      const max = this.limits.syncChangesMax;
      const scanned = this.ctx.backend.store.watches.syncUnsynced(max);
      // A pass that hit its bound may have left an idle watcher of ours behind: go on next turn.
      if (scanned >= max && this.hasIdleUnsynced()) this.scheduleSync();
      this.scheduleFlush();
    });
  }

  private hasIdleUnsynced(): boolean {
    for (const w of this.byId.values()) if (w.state === "unsynced" && w.pendingResponses === 0) return true;
    return false;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.byId.values()) {
      w.onReady = undefined;
      w.cancel();
    }
    this.byId.clear();
    this.idOf.clear();
    this.ready.clear();
    this.control.length = 0;
    this.taken.length = 0;
  }
}
