import { isStorageError, type LogStorage, limitSize } from "./storage.js";
import type { Entry, Index, Snapshot, Term } from "./types.js";
import { Unstable } from "./unstable.js";

/**
 * The log as Raft sees it: durable entries in storage, then the unstable tail
 * (etcd raft log.go). Invariant: applied <= committed <= lastIndex().
 */
export class RaftLog {
  readonly unstable: Unstable;
  committed: Index;
  applied: Index;

  constructor(
    readonly storage: LogStorage,
    readonly maxCommittedBytesPerReady: number,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    // Everything in storage before the first entry is in the snapshot, hence committed and applied.
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): Index {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): Index {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): Term {
    return this.termOr0(this.lastIndex());
  }

  /** The term at i, or undefined if i is compacted away or not in the log. */
  term(i: Index): Term | undefined {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return undefined;
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    const st = this.storage.term(i);
    if (isStorageError(st)) return undefined;
    return st;
  }

  termOr0(i: Index): Term {
    return this.term(i) ?? 0;
  }

  matchTerm(i: Index, t: Term): boolean {
    return this.term(i) === t;
  }

  /**
   * A follower receiving MsgApp(index, logTerm, entries): if the log matches at index, append
   * what is new (truncating a conflicting suffix) and return the new last index.
   */
  maybeAppend(index: Index, logTerm: Term, committed: Index, ents: readonly Entry[]): Index | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed)
        throw new Error(`entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      this.append(ents.slice(ci - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: readonly Entry[]): Index {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed)
      throw new Error(`append after ${after} is out of range [committed ${this.committed}]`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * The index of the first entry that is new or conflicts with the log (0 if all are present).
   * Entries before it are already here and must not be rewritten.
   */
  findConflict(ents: readonly Entry[]): Index {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking (thesis §5.3 "optimization"): the largest index <= `index` whose term is
   * <= `term`. Every entry above it has a greater term and so cannot match the leader's log.
   */
  findConflictByTerm(index: Index, term: Term): Index {
    let i = Math.min(index, this.lastIndex());
    for (; i > 0; i--) {
      const t = this.term(i);
      if (t === undefined || t <= term) break;
    }
    return i;
  }

  commitTo(c: Index): void {
    if (c <= this.committed) return;
    if (c > this.lastIndex()) throw new Error(`commit ${c} is out of range [last ${this.lastIndex()}]`);
    this.committed = c;
  }

  /** Leader's commit rule (Figure 8): only an entry of the current term commits by counting. */
  maybeCommit(maxIndex: Index, term: Term): boolean {
    if (maxIndex > this.committed && this.termOr0(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  appliedTo(i: Index): void {
    if (i === 0) return;
    if (this.committed < i || i < this.applied) {
      throw new Error(
        `applied ${i} is out of range [prev applied ${this.applied}, committed ${this.committed}]`,
      );
    }
    this.applied = i;
  }

  stableTo(i: Index, t: Term): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: Index): void {
    this.unstable.stableSnapTo(i);
  }

  hasNextCommittedEnts(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  /** Committed entries not yet handed to the application, bounded in bytes. */
  nextCommittedEnts(): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, this.maxCommittedBytesPerReady);
  }

  snapshot(): Snapshot | undefined {
    if (this.unstable.snapshot) return this.unstable.snapshot;
    const s = this.storage.snapshot();
    return isStorageError(s) ? undefined : s;
  }

  /** Entries in [lo, hi) within maxBytes; undefined if lo is compacted (send a snapshot instead). */
  slice(lo: Index, hi: Index, maxBytes: number): Entry[] {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) throw new CompactedError(lo);
    if (hi > this.lastIndex() + 1)
      throw new Error(`slice[${lo},${hi}) out of bound [last ${this.lastIndex()}]`);
    let ents: Entry[] = [];
    const off = this.unstable.offset;
    if (lo < off) {
      const stored = this.storage.entries(lo, Math.min(hi, off), maxBytes);
      if (stored === "compacted") throw new CompactedError(lo);
      if (stored === "unavailable")
        throw new Error(`entries[${lo},${Math.min(hi, off)}) unavailable from storage`);
      // Storage returned fewer than asked: the byte bound was hit; stop there.
      if (stored.length < Math.min(hi, off) - lo) return stored;
      ents = stored;
    }
    if (hi > off) {
      const u = this.unstable.slice(Math.max(lo, off), hi);
      ents = ents.length > 0 ? ents.concat(u) : u;
    }
    return limitSize(ents, maxBytes);
  }

  isUpToDate(lastIndex: Index, term: Term): boolean {
    const myTerm = this.lastTerm();
    return term > myTerm || (term === myTerm && lastIndex >= this.lastIndex());
  }

  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }
}

/** The log below this index has been compacted into a snapshot. */
export class CompactedError extends Error {
  override readonly name = "CompactedError";
  constructor(readonly index: Index) {
    super(`log entry ${index} has been compacted`);
  }
}
