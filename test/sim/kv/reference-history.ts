import {
  bytesToLatin1,
  type KeyValue,
  latin1ToBytes,
  MvccStore,
  type WatchEvent,
  type Watcher,
} from "../../../libs/mvcc/index.js";
import type { Entry, Index, NodeId } from "../../../libs/raft/index.js";
import type { AppliedCommand, StoreApplyListener } from "./mvcc-state-machine.js";

/** One event of the revision history: what a watcher over every key must deliver, in order. */
export interface RefEvent {
  readonly revision: number;
  readonly type: "put" | "delete";
  /** latin1 */
  readonly key: string;
  readonly kv: KeyValue;
  /** The key's previous live kv (never compacted here). */
  readonly prevKv: KeyValue | undefined;
}

/** The ordered events of a revision history, as the watch checks read them. */
export interface ReferenceEvents {
  readonly events: readonly RefEvent[];
  /** Position of the first event with revision >= `revision` (events.length if none). */
  firstAtOrAfter(revision: number): number;
}

const ALL_KEYS = new Uint8Array([0]);
/** The reference watcher is never allowed to fall behind. */
const UNBOUNDED_QUEUE = Number.MAX_SAFE_INTEGER;

/**
 * The reference revision history of a run: a store of its own fed each committed entry the
 * first time any node applies it (every node applies the same entries, which state machine
 * safety checks), never compacted, with a live watcher over every key (with prev_kv) that
 * records every event. Serializable reads and every simulated watch are compared with it.
 */
export class ReferenceHistory implements StoreApplyListener, ReferenceEvents {
  private readonly store = new MvccStore({ watch: { queueEventsMax: UNBOUNDED_QUEUE } });
  private readonly watcher: Watcher;
  private readonly list: RefEvent[] = [];
  private applied: Index = 0;
  /** Set if entries reached the reference out of order: a simulator bug, reported as a violation. */
  problem: string | undefined;

  constructor() {
    this.watcher = this.store.watches.watch({ key: ALL_KEYS, rangeEnd: ALL_KEYS, prevKv: true });
  }

  get events(): readonly RefEvent[] {
    return this.list;
  }

  get revision(): number {
    return this.store.currentRevision;
  }

  onApply(node: NodeId, entry: Entry, cmd: AppliedCommand | undefined): void {
    if (entry.index <= this.applied) return;
    if (entry.index !== this.applied + 1) {
      this.problem ??= `n${node} applied entry ${entry.index} first, but the reference stopped at ${this.applied}`;
    }
    this.applied = entry.index;
    const command = cmd?.command;
    // Compactions are left out: the reference keeps every revision for the checks to read.
    if (command === undefined || command.type === "compact") {
      this.store.markApplied(entry.index);
      return;
    }
    this.store.apply(entry.index, command);
    for (const r of this.watcher.poll()) {
      if (r.kind !== "events") continue;
      for (const e of r.events) this.list.push(toRef(e));
    }
  }

  firstAtOrAfter(revision: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.revision < revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The key's kv at `revision` (latin1 key), or undefined when absent then. */
  valueAt(key: string, revision: number): KeyValue | undefined {
    const r = this.store.range({ key: latin1ToBytes(key), revision });
    if (!r.ok) throw new Error(`reference read of ${key}@${revision} failed: ${r.error.message}`);
    return r.value.range.kvs[0];
  }
}

function toRef(e: WatchEvent): RefEvent {
  return {
    revision: e.kv.modRevision,
    type: e.type,
    key: bytesToLatin1(e.kv.key),
    kv: e.kv,
    prevKv: e.prevKv,
  };
}
