/**
 * The cache of one kind (Kubernetes keeps one cacher per resource): its current objects by
 * key, and a bounded ring of its recent events. Watchers do not copy events: each holds a
 * sequence number into the ring and reads forward from it, so an event is stored once
 * however many watchers wait for it, and a watcher that stalls costs nothing until the ring
 * overwrites the events it has not read.
 */
import type { KindInfo } from "../../../../libs/api/index.js";
import type { CacheEntry, EncodedObject } from "./cached-object.js";

/** One change of one object, as every watcher of the kind will read it. */
export interface CacheEvent {
  readonly revision: number;
  readonly key: string;
  readonly namespace: string;
  /** The new state; undefined when the object was deleted. */
  readonly cur: CacheEntry | undefined;
  /** The state before; undefined when the object was created. */
  readonly prev: CacheEntry | undefined;
}

export class KindCache {
  /** Current objects by key. */
  private readonly objects = new Map<string, CacheEntry>();
  /** The keys in order; rebuilt on demand after a create or delete. */
  private sortedKeys: string[] | undefined;
  private readonly ring: (CacheEvent | undefined)[];
  /** Sequence number of the next event appended. Invariant: tailSeq <= headSeq. */
  private head = 0;
  /**
   * Every event of this kind with a revision above this one is in the ring: the oldest
   * resourceVersion a watch may resume from.
   */
  private start: number;
  /** Lazily encoded DELETED objects, keyed by the event. */
  private readonly deletedEncodings = new WeakMap<CacheEvent, EncodedObject>();

  constructor(
    readonly info: KindInfo,
    private readonly capacity: number,
    startRevision: number,
  ) {
    this.ring = new Array<CacheEvent | undefined>(capacity);
    this.start = startRevision;
  }

  get size(): number {
    return this.objects.size;
  }

  /** The sequence number the next event will take. */
  get headSeq(): number {
    return this.head;
  }

  /** The oldest sequence number still in the ring. */
  get tailSeq(): number {
    return Math.max(0, this.head - this.capacity);
  }

  get startRevision(): number {
    return this.start;
  }

  get(key: string): CacheEntry | undefined {
    return this.objects.get(key);
  }

  /** Loads an object without an event (the initial fill). */
  load(entry: CacheEntry): void {
    if (!this.objects.has(entry.key)) this.sortedKeys = undefined;
    this.objects.set(entry.key, entry);
  }

  /** Applies a change to the current state and appends its event. */
  apply(event: CacheEvent): void {
    if (event.cur === undefined) {
      if (this.objects.delete(event.key)) this.sortedKeys = undefined;
    } else {
      this.load(event.cur);
    }
    const slot = this.head % this.capacity;
    const evicted = this.ring[slot];
    if (evicted !== undefined) this.start = Math.max(this.start, evicted.revision);
    this.ring[slot] = event;
    this.head++;
  }

  /** The event at `seq`; the caller checked tailSeq <= seq < headSeq. */
  at(seq: number): CacheEvent {
    const e = this.ring[seq % this.capacity];
    if (e === undefined || seq < this.tailSeq || seq >= this.head) {
      throw new Error(
        `watch cache ring of ${this.info.resource}: no event at ${seq} [${this.tailSeq}, ${this.head})`,
      );
    }
    return e;
  }

  /** The first sequence number whose event has a revision above `revision`. */
  seqAfter(revision: number): number {
    let lo = this.tailSeq;
    let hi = this.head;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The previous state of a change, re-stamped with the change's revision (Kubernetes' DELETED). */
  deletedObject(event: CacheEvent): EncodedObject | undefined {
    if (event.prev === undefined) return undefined;
    let enc = this.deletedEncodings.get(event);
    if (enc === undefined) {
      enc = event.prev.encodedAt(event.revision);
      this.deletedEncodings.set(event, enc);
    }
    return enc;
  }

  /** Current objects whose key starts with `prefix`, in key order. */
  list(prefix: string): CacheEntry[] {
    if (this.sortedKeys === undefined) this.sortedKeys = [...this.objects.keys()].sort();
    const keys = this.sortedKeys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] ?? "") < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: CacheEntry[] = [];
    for (let i = lo; i < keys.length; i++) {
      const k = keys[i] ?? "";
      if (!k.startsWith(prefix)) break;
      const e = this.objects.get(k);
      if (e !== undefined) out.push(e);
    }
    return out;
  }
}
