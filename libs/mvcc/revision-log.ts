/**
 * Every stored change in revision order: the store's history as etcd's backend keeps it by
 * revision. Watchers that fell behind, or that start in the past, replay from here.
 *
 * Invariants: entries are ascending by (modRevision, sub); after compaction at C only changes
 * with modRevision >= C remain, so a watch may start at the compact revision itself (etcd
 * refuses only start revisions below it).
 */
import type { KeyHistory, KeyRecord } from "./key-history.js";

export class RevisionLog {
  // Parallel arrays rather than one object per change: two pointers per change, no wrapper.
  private records: KeyRecord[] = [];
  private histories: KeyHistory[] = [];

  get length(): number {
    return this.records.length;
  }

  append(record: KeyRecord, history: KeyHistory): void {
    this.records.push(record);
    this.histories.push(history);
  }

  recordAt(i: number): KeyRecord {
    return this.records[i]!;
  }

  historyAt(i: number): KeyHistory {
    return this.histories[i]!;
  }

  /** Position of the first change with modRevision >= rev (length when none). */
  lowerBound(rev: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid]!.modRevision < rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops every change with modRevision < rev. */
  dropBelow(rev: number): void {
    const n = this.lowerBound(rev);
    if (n === 0) return;
    this.records.splice(0, n);
    this.histories.splice(0, n);
  }

  /** Rebuilds from changes in any order (snapshot restore). */
  static fromUnordered(entries: { record: KeyRecord; history: KeyHistory }[]): RevisionLog {
    entries.sort((a, b) => a.record.modRevision - b.record.modRevision || a.record.sub - b.record.sub);
    const log = new RevisionLog();
    for (const e of entries) log.append(e.record, e.history);
    return log;
  }
}
