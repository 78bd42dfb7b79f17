/**
 * The revisions of one key, oldest first: etcd's keyIndex with its generations made implicit.
 * A generation is a run of puts ended by a tombstone (a record with version 0); every put
 * record carries its generation's create revision, so no separate generation list is needed.
 *
 * Invariants: records are in strictly ascending modRevision (a key changes at most once per
 * main revision: txn validation rejects writing one key twice); a history is never empty
 * (an emptied history is removed from the index).
 */
import type { KeyValue } from "./types.js";

/** One stored revision of a key. A tombstone has version 0 and empty value. */
export interface KeyRecord extends KeyValue {
  /** Position of this change inside its main revision (etcd's sub-revision). */
  readonly sub: number;
}

export function isTombstone(r: KeyRecord): boolean {
  return r.version === 0;
}

export class KeyHistory {
  /** Ascending by modRevision; see the file comment for invariants. */
  records: KeyRecord[] = [];

  constructor(
    /** The key's bytes, owned by the history (copied on creation, shared by every record). */
    readonly key: Uint8Array,
    readonly keyLatin1: string,
  ) {}

  /** The newest record; the history is never empty while indexed. */
  latest(): KeyRecord {
    return this.records[this.records.length - 1]!;
  }

  /** The live record now, or undefined when the key is deleted. */
  live(): KeyRecord | undefined {
    const r = this.records[this.records.length - 1];
    return r === undefined || isTombstone(r) ? undefined : r;
  }

  /** Index of the newest record with modRevision <= rev, or -1. */
  private indexAt(rev: number): number {
    const rs = this.records;
    // Reads at the head revision are the common case: check the newest record first.
    if (rs.length > 0 && rs[rs.length - 1]!.modRevision <= rev) return rs.length - 1;
    let lo = 0;
    let hi = rs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (rs[mid]!.modRevision <= rev) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The key's live record as of revision `rev`, or undefined (absent or deleted then). */
  at(rev: number): KeyRecord | undefined {
    const r = this.records[this.indexAt(rev)];
    return r === undefined || isTombstone(r) ? undefined : r;
  }

  /** The live record just before revision `rev` (a watch event's prev_kv), if still stored. */
  before(rev: number): KeyRecord | undefined {
    return this.at(rev - 1);
  }

  append(r: KeyRecord): void {
    // Most keys hold a handful of revisions between compactions. `push` on a short array
    // reserves 17 slots (152 bytes), the largest single cost per key; an exact-size copy
    // is cheaper in memory and, at this length, in time.
    const rs = this.records;
    if (rs.length < 8) this.records = [...rs, r];
    else rs.push(r);
  }

  /**
   * Drops what a read at or above `compactRev` can never see: every record older than the one
   * visible at compactRev, and that one too when it is a tombstone older than compactRev.
   * A tombstone AT compactRev stays until the next compaction: a watch may start at the
   * compact revision and must see that delete, and snapshots are written from this index, so
   * dropping it here would make a member restored from a snapshot skip the event that members
   * which applied the log still deliver (etcd-io/etcd#18089, fixed the same way in #18274).
   * @returns true when nothing is left, so the caller removes the key.
   */
  compact(compactRev: number): boolean {
    const i = this.indexAt(compactRev);
    if (i < 0) return false;
    const visible = this.records[i]!;
    const keepFrom = isTombstone(visible) && visible.modRevision < compactRev ? i + 1 : i;
    // A new array, not splice: a frozen snapshot (snapshot.ts) may still be reading the old one.
    if (keepFrom > 0) this.records = this.records.slice(keepFrom);
    return this.records.length === 0;
  }
}
