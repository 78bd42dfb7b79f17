/**
 * One watch: what it selects, where it is in history, and its bounded queue of responses.
 * Delivery is pull-based: the hub appends, the consumer `poll`s; `onReady` tells the consumer
 * that an empty queue became non-empty, so it need not spin. The hub never waits on a
 * consumer: a full queue moves the watcher to the hub's unsynced set instead.
 */
import type { KeySpan } from "./bytes.js";
import type { KeyValue } from "./types.js";

/** A watch's id, unique within its hub. Branded: a watch id is not a revision. */
export type WatchId = number & { readonly __brand: "WatchId" };

export interface WatchRequest {
  readonly key: Uint8Array;
  /** As in a range: empty = the key alone, [0] = every key >= key, else [key, rangeEnd). */
  readonly rangeEnd?: Uint8Array;
  /** First revision to deliver; <= 0 or absent = changes after the current revision. */
  readonly startRevision?: number;
  readonly prevKv?: boolean;
  /** etcd's NOPUT filter. */
  readonly noPut?: boolean;
  /** etcd's NODELETE filter. */
  readonly noDelete?: boolean;
  /** Receive the hub's periodic progress notifications (etcd's progress_notify). */
  readonly progressNotify?: boolean;
}

export interface WatchEvent {
  readonly type: "put" | "delete";
  /** For a delete: the key and the delete's revision as modRevision, every other field zero. */
  readonly kv: KeyValue;
  /** The key's previous live kv, when asked for and not compacted away. */
  readonly prevKv?: KeyValue;
}

export type WatchResponse =
  /** Events of whole revisions, ascending; `revision` is the store's revision when queued. */
  | {
      readonly kind: "events";
      readonly watchId: WatchId;
      readonly revision: number;
      readonly events: readonly WatchEvent[];
    }
  /** Every event up to `revision` has been queued before this response. */
  | { readonly kind: "progress"; readonly watchId: WatchId; readonly revision: number }
  /** The watch needed history below the compact revision; it is canceled, this is its last response. */
  | { readonly kind: "compacted"; readonly watchId: WatchId; readonly compactRevision: number };

export type WatcherState = "synced" | "unsynced" | "canceled";

export class Watcher {
  /** Synced: receives commits as they happen. Unsynced: waits for the hub's catch-up. */
  state: WatcherState;
  /**
   * The first revision not yet queued. For an unsynced watcher, where catch-up resumes; for a
   * synced one, a floor (a start revision in the future).
   */
  nextRevision: number;
  /** Called when the queue goes from empty to non-empty. Must not block. */
  onReady: (() => void) | undefined;

  private queue: WatchResponse[] = [];
  private queuedEvents = 0;

  /** Scratch of the hub's commit fan-out: events staged for `stagedRevision`. */
  stagedRevision = 0;
  staged: WatchEvent[] = [];

  constructor(
    readonly id: WatchId,
    readonly span: KeySpan,
    readonly request: WatchRequest,
    private readonly queueEventsMax: number,
    state: WatcherState,
    nextRevision: number,
    private readonly onCancel: (w: Watcher) => void,
  ) {
    this.state = state;
    this.nextRevision = nextRevision;
  }

  /** True when `n` more events fit. An empty queue takes any batch, or a huge revision could never be delivered. */
  hasRoomFor(n: number): boolean {
    return this.queuedEvents === 0 || this.queuedEvents + n <= this.queueEventsMax;
  }

  /** Appends a response; the caller checked `hasRoomFor`. */
  enqueue(r: WatchResponse): void {
    const wasEmpty = this.queue.length === 0;
    this.queue.push(r);
    if (r.kind === "events") this.queuedEvents += r.events.length;
    if (wasEmpty) this.onReady?.();
  }

  /** Queued responses, oldest first, up to `maxResponses`. */
  poll(maxResponses = Number.POSITIVE_INFINITY): WatchResponse[] {
    const n = Math.min(maxResponses, this.queue.length);
    const out = n === this.queue.length ? this.queue : this.queue.slice(0, n);
    this.queue = n === this.queue.length ? [] : this.queue.slice(n);
    for (const r of out) if (r.kind === "events") this.queuedEvents -= r.events.length;
    return out;
  }

  get pendingEvents(): number {
    return this.queuedEvents;
  }

  get pendingResponses(): number {
    return this.queue.length;
  }

  /** Stops the watch; queued responses stay pollable. Idempotent. */
  cancel(): void {
    if (this.state === "canceled") return;
    this.onCancel(this);
    this.state = "canceled";
  }

  /** Wants this change at all (NOPUT / NODELETE filters)? */
  wants(isDelete: boolean): boolean {
    return isDelete ? this.request.noDelete !== true : this.request.noPut !== true;
  }
}
