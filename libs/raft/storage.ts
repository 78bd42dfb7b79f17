import type { ConfState, Entry, HardState, Index, Snapshot, Term } from "./types.js";
import { EMPTY_HARD_STATE } from "./types.js";

/**
 * The stable log as the core reads it. Writes are the application's business (it persists what
 * Ready hands it); the core only reads back what has been made durable. Errors are values:
 * "compacted" when asking below firstIndex, "unavailable" above lastIndex.
 */
export interface LogStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at least one if any exist there, then as many as fit in maxBytes. */
  entries(lo: Index, hi: Index, maxBytes: number): Entry[] | StorageError;
  /** Term of the entry at i; for i = firstIndex-1 the snapshot's term. */
  term(i: Index): Term | StorageError;
  /** Index of the first entry that may still be read (snapshot index + 1). */
  firstIndex(): Index;
  lastIndex(): Index;
  /** The newest snapshot; "unavailable" while one is being made. */
  snapshot(): Snapshot | StorageError;
}

export type StorageError = "compacted" | "unavailable";

export function isStorageError(x: unknown): x is StorageError {
  return x === "compacted" || x === "unavailable";
}

export const EMPTY_SNAPSHOT: Snapshot = {
  metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
  data: new Uint8Array(0),
};

/** Bytes an entry costs in messages and in the uncommitted-size bound. */
export function entrySize(e: Entry): number {
  return e.data.byteLength + 24;
}

/** Cuts entries to the longest prefix within maxBytes, never to nothing (a huge entry still moves). */
export function limitSize(ents: Entry[], maxBytes: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]!);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]!);
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/**
 * Log storage in memory: the simulator's disk, the tests' disk, and the cache that durable
 * storage (libs/storage) fills on recovery. Index 0 of `ents` is a dummy entry holding the
 * snapshot's index and term, so term(firstIndex-1) needs no special case.
 */
export class MemoryStorage implements LogStorage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = EMPTY_SNAPSHOT;
  // Invariant: ents[0] is the dummy at snap.metadata.index; ents[i].index === ents[0].index + i.
  private ents: Entry[] = [{ term: 0, index: 0, type: "normal", data: new Uint8Array(0) }];

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  entries(lo: Index, hi: Index, maxBytes: number): Entry[] | StorageError {
    const offset = this.ents[0]!.index;
    if (lo <= offset) return "compacted";
    if (hi > this.lastIndex() + 1) return "unavailable";
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  term(i: Index): Term | StorageError {
    const offset = this.ents[0]!.index;
    if (i < offset) return "compacted";
    if (i - offset >= this.ents.length) return "unavailable";
    return this.ents[i - offset]!.term;
  }

  firstIndex(): Index {
    return this.ents[0]!.index + 1;
  }

  lastIndex(): Index {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  snapshot(): Snapshot | StorageError {
    return this.snap;
  }

  /** Replaces the whole log with a snapshot (a follower installing one). Older snapshots are ignored. */
  applySnapshot(snap: Snapshot): "ok" | "outOfDate" {
    if (snap.metadata.index <= this.snap.metadata.index) return "outOfDate";
    this.snap = snap;
    this.ents = [
      { term: snap.metadata.term, index: snap.metadata.index, type: "normal", data: new Uint8Array(0) },
    ];
    return "ok";
  }

  /** Records a snapshot the application made at index i (i <= applied), for lagging followers. */
  createSnapshot(i: Index, confState: ConfState, data: Uint8Array): Snapshot | "outOfDate" | StorageError {
    if (i <= this.snap.metadata.index) return "outOfDate";
    if (i > this.lastIndex())
      throw new Error(`snapshot index ${i} is past the last index ${this.lastIndex()}`);
    const term = this.term(i);
    if (typeof term !== "number") return term;
    this.snap = { metadata: { index: i, term, confState }, data };
    return this.snap;
  }

  /** Drops entries before compactIndex; the caller must have snapshotted at or after it. */
  compact(compactIndex: Index): "ok" | StorageError {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) return "compacted";
    if (compactIndex > this.lastIndex())
      throw new Error(`compact ${compactIndex} is past the last index ${this.lastIndex()}`);
    const i = compactIndex - offset;
    const dummy = this.ents[i]!;
    this.ents = [
      { term: dummy.term, index: dummy.index, type: "normal", data: new Uint8Array(0) },
      ...this.ents.slice(i + 1),
    ];
    return "ok";
  }

  /** Appends entries, truncating any conflicting suffix (a new leader overwrote it). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return; // all already compacted away
    const ents = first > entries[0]!.index ? entries.slice(first - entries[0]!.index) : entries;
    const offset = ents[0]!.index - this.ents[0]!.index;
    if (offset > this.ents.length) {
      throw new Error(`missing log entry: last index ${this.lastIndex()}, appending at ${ents[0]!.index}`);
    }
    this.ents.length = offset;
    for (const e of ents) this.ents.push(e);
  }
}
