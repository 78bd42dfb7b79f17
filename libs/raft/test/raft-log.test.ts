import { describe, expect, it } from "vitest";
import { CompactedError, RaftLog } from "../raft-log.js";
import { entrySize, MemoryStorage } from "../storage.js";
import type { Entry, Snapshot } from "../types.js";
import { Unstable } from "../unstable.js";
import { entriesAt } from "./harness.js";

const INF = Number.MAX_SAFE_INTEGER;
const terms = (ents: readonly Entry[]) => ents.map((e) => [e.index, e.term]);
const e = (index: number, term: number): Entry => ({ index, term, type: "normal", data: new Uint8Array(0) });
const snap = (index: number, term: number): Snapshot => ({
  metadata: { index, term, confState: { voters: [], learners: [] } },
  data: new Uint8Array(0),
});

/** A log with `stable` terms (from index 1) on disk and `unstable` terms after them. */
function log(stable: number[], unstable: number[] = [], maxBytes = INF): RaftLog {
  const st = new MemoryStorage();
  st.append(entriesAt(1, stable, () => new Uint8Array(10)));
  const l = new RaftLog(st, maxBytes);
  l.append(entriesAt(stable.length + 1, unstable, () => new Uint8Array(10)));
  return l;
}

describe("RaftLog.findConflict: the first new or conflicting entry", () => {
  it.each([
    { ents: [], want: 0 },
    { ents: [e(1, 1), e(2, 2), e(3, 3)], want: 0 },
    { ents: [e(2, 2), e(3, 3)], want: 0 },
    { ents: [e(3, 3)], want: 0 },
    { ents: [e(2, 2), e(3, 3), e(4, 4), e(5, 4)], want: 4 },
    { ents: [e(3, 3), e(4, 4), e(5, 4)], want: 4 },
    { ents: [e(4, 4), e(5, 4)], want: 4 },
    { ents: [e(1, 4), e(2, 4)], want: 1 },
    { ents: [e(2, 1), e(3, 4), e(4, 4)], want: 2 },
    { ents: [e(3, 1), e(4, 2), e(5, 4), e(6, 4)], want: 3 },
  ])("in log (1,1)(2,2)(3,3) of $ents is $want", ({ ents, want }) => {
    expect(log([1, 2, 3]).findConflict(ents)).toBe(want);
  });
});

describe("RaftLog.findConflictByTerm: the largest index <= i whose term is <= t", () => {
  it.each([
    { i: 5, t: 5, want: 5 },
    { i: 5, t: 4, want: 2 },
    { i: 5, t: 2, want: 2 },
    { i: 5, t: 1, want: 0 },
    { i: 3, t: 5, want: 3 },
    { i: 2, t: 6, want: 2 },
    { i: 10, t: 5, want: 5 }, // past the end: start from the last index
    { i: 0, t: 0, want: 0 },
  ])("over terms [2,2,5,5,5]: ($i, $t) → $want", ({ i, t, want }) => {
    expect(log([2, 2, 5, 5, 5]).findConflictByTerm(i, t)).toBe(want);
  });

  it("stops at the compaction point, where the term is unknown", () => {
    const st = new MemoryStorage();
    st.append(entriesAt(1, [2, 2, 5, 5, 5]));
    st.compact(3);
    const l = new RaftLog(st, INF);
    expect(l.findConflictByTerm(5, 1)).toBe(2);
    expect(l.termOr0(2)).toBe(0);
  });
});

describe("RaftLog.maybeAppend (etcd TestLogMaybeAppend)", () => {
  // Log (1,1)(2,2)(3,3), commit 1.
  it.each([
    // no match: wrong term, or prev index past the end
    { logTerm: 2, index: 3, commit: 3, ents: [e(4, 4)], last: undefined, wcommit: 1 },
    { logTerm: 3, index: 4, commit: 3, ents: [e(5, 4)], last: undefined, wcommit: 1 },
    // match with the last entry
    { logTerm: 3, index: 3, commit: 3, ents: [], last: 3, wcommit: 3 },
    { logTerm: 3, index: 3, commit: 4, ents: [], last: 3, wcommit: 3 }, // not past the last new entry
    { logTerm: 3, index: 3, commit: 2, ents: [], last: 3, wcommit: 2 },
    { logTerm: 3, index: 3, commit: 0, ents: [], last: 3, wcommit: 1 }, // never decreases
    { logTerm: 0, index: 0, commit: 3, ents: [], last: 0, wcommit: 1 },
    { logTerm: 3, index: 3, commit: 3, ents: [e(4, 4)], last: 4, wcommit: 3 },
    { logTerm: 3, index: 3, commit: 4, ents: [e(4, 4)], last: 4, wcommit: 4 },
    { logTerm: 3, index: 3, commit: 5, ents: [e(4, 4)], last: 4, wcommit: 4 },
    { logTerm: 3, index: 3, commit: 5, ents: [e(4, 4), e(5, 4)], last: 5, wcommit: 5 },
    // match in the middle: the conflicting suffix is replaced
    { logTerm: 2, index: 2, commit: 3, ents: [e(3, 4)], last: 3, wcommit: 3 },
    { logTerm: 1, index: 1, commit: 3, ents: [e(2, 4)], last: 2, wcommit: 2 },
    { logTerm: 1, index: 1, commit: 3, ents: [e(2, 4), e(3, 4)], last: 3, wcommit: 3 },
  ])(
    "prev ($index,$logTerm) commit $commit ents $ents → last $last, commit $wcommit",
    ({ logTerm, index, commit, ents, last, wcommit }) => {
      const l = log([1, 2, 3]);
      l.commitTo(1);
      expect(l.maybeAppend(index, logTerm, commit, ents)).toBe(last);
      expect(l.committed).toBe(wcommit);
      if (last !== undefined && ents.length > 0) {
        expect(terms(l.slice(index + 1, last + 1, INF))).toEqual(terms(ents));
      }
    },
  );

  it("refuses to overwrite a committed entry", () => {
    const l = log([1, 2, 3]);
    l.commitTo(2);
    expect(() => l.maybeAppend(1, 1, 3, [e(2, 4)])).toThrow(/conflicts with committed/);
  });

  it("keeps entries after the appended ones when they match (a reordered, shorter MsgApp)", () => {
    const l = log([1, 2, 3]);
    expect(l.maybeAppend(1, 1, 0, [e(2, 2)])).toBe(2);
    expect(l.lastIndex()).toBe(3);
  });
});

describe("RaftLog commit and apply bounds", () => {
  it.each([
    { to: 3, want: 3 },
    { to: 1, want: 2 }, // never decreases
  ])("commitTo($to) from 2 → $want", ({ to, want }) => {
    const l = log([1, 2, 3]);
    l.commitTo(2);
    l.commitTo(to);
    expect(l.committed).toBe(want);
  });

  it("commitTo past the last index throws", () => {
    expect(() => log([1, 2, 3]).commitTo(4)).toThrow(/out of range/);
  });

  it.each([
    { maxIndex: 3, term: 3, moved: true },
    { maxIndex: 3, term: 2, moved: false },
    { maxIndex: 2, term: 2, moved: false }, // not above commit
  ])("maybeCommit($maxIndex, term $term) commits only an entry of that term: $moved", (tc) => {
    const l = log([1, 2, 3]);
    l.commitTo(2);
    expect(l.maybeCommit(tc.maxIndex, tc.term)).toBe(tc.moved);
  });

  it("appliedTo must stay within [applied, committed]", () => {
    const l = log([1, 2, 3]);
    l.commitTo(2);
    l.appliedTo(1);
    expect(() => l.appliedTo(3)).toThrow(/out of range/);
    expect(() => l.appliedTo(0)).not.toThrow();
    l.appliedTo(2);
    expect(() => l.appliedTo(1)).toThrow(/out of range/);
  });

  it("hands out committed entries up to maxCommittedBytesPerReady, at least one", () => {
    const size = entrySize(e(1, 1)) + 10;
    const l = log([1, 1, 1, 1], [], size * 2);
    l.commitTo(4);
    expect(terms(l.nextCommittedEnts())).toEqual([
      [1, 1],
      [2, 1],
    ]);
    l.appliedTo(2);
    expect(l.nextCommittedEnts().map((x) => x.index)).toEqual([3, 4]);
    const tiny = log([1, 1], [], 1);
    tiny.commitTo(2);
    expect(tiny.nextCommittedEnts().map((x) => x.index)).toEqual([1]);
  });
});

describe("RaftLog.slice across the storage/unstable boundary", () => {
  const size = entrySize(e(1, 1)) + 10; // every test entry carries 10 bytes

  it.each([
    { lo: 3, hi: 8, max: INF, want: [3, 4, 5, 6, 7] },
    { lo: 4, hi: 7, max: INF, want: [4, 5, 6] },
    { lo: 6, hi: 9, max: INF, want: [6, 7, 8] },
    { lo: 5, hi: 5, max: INF, want: [] },
    { lo: 4, hi: 8, max: 0, want: [4] }, // never nothing
    { lo: 4, hi: 8, max: size, want: [4] },
    { lo: 4, hi: 8, max: size * 2, want: [4, 5] },
    { lo: 4, hi: 8, max: size * 2.5, want: [4, 5] },
    { lo: 4, hi: 8, max: size * 3, want: [4, 5, 6] }, // crosses into the unstable tail
    { lo: 5, hi: 9, max: size * 3, want: [5, 6, 7] },
    { lo: 6, hi: 9, max: size * 2, want: [6, 7] },
  ])("slice($lo, $hi, $max bytes) over stable 1..5 and unstable 6..8 → $want", ({ lo, hi, max, want }) => {
    const l = log([1, 1, 1, 1, 1], [2, 2, 2]);
    expect(l.slice(lo, hi, max).map((x) => x.index)).toEqual(want);
  });

  it("throws CompactedError below the first index and an error past the last", () => {
    const st = new MemoryStorage();
    st.append(entriesAt(1, [1, 1, 1, 1]));
    st.compact(2);
    const l = new RaftLog(st, INF);
    expect(() => l.slice(2, 4, INF)).toThrow(CompactedError);
    expect(l.slice(3, 5, INF).map((x) => x.index)).toEqual([3, 4]);
    expect(() => l.slice(3, 6, INF)).toThrow(/out of bound/);
  });
});

describe("RaftLog.restore, stableTo and isUpToDate", () => {
  it("restore makes the snapshot the whole log and commits it", () => {
    const l = log([1, 1, 1]);
    l.restore(snap(10, 4));
    expect(l).toMatchObject({ committed: 10 });
    expect([l.firstIndex(), l.lastIndex(), l.term(10), l.term(9), l.term(11)]).toEqual([
      11,
      10,
      4,
      undefined,
      undefined,
    ]);
    l.append([e(11, 4)]);
    expect(l.lastIndex()).toBe(11);
    l.stableSnapTo(10);
    expect(l.unstable.snapshot).toBeUndefined();
  });

  it("stableTo after a truncation ignores a stale (index, term) and accepts the new one", () => {
    const l = log([1, 1, 1], [1, 1, 1]); // 4..6 unstable at term 1
    l.append([e(5, 2), e(6, 2)]); // a new leader replaces 5..6
    l.stableTo(6, 1); // the Ready that carried the old 4..6 was persisted
    expect(l.unstable.offset).toBe(4);
    expect(terms(l.unstable.entries)).toEqual([
      [4, 1],
      [5, 2],
      [6, 2],
    ]);
    l.stableTo(6, 2);
    expect(l.unstable).toMatchObject({ offset: 7, entries: [] });
  });

  it("append below the commit index throws", () => {
    const l = log([1, 1, 1]);
    l.commitTo(3);
    expect(() => l.append([e(3, 2)])).toThrow(/out of range/);
  });

  it.each([
    { index: 2, term: 4, ok: true }, // higher last term wins
    { index: 9, term: 2, ok: false },
    { index: 3, term: 3, ok: true }, // same term, as long
    { index: 4, term: 3, ok: true },
    { index: 2, term: 3, ok: false }, // same term, shorter
  ])("isUpToDate(last $index/$term) against (1,1)(2,2)(3,3): $ok", ({ index, term, ok }) => {
    expect(log([1, 2, 3]).isUpToDate(index, term)).toBe(ok);
  });
});

describe("Unstable", () => {
  it.each([
    { offset: 5, ents: [e(5, 1)], snap: undefined, first: undefined, last: 5 },
    { offset: 1, ents: [], snap: undefined, first: undefined, last: undefined },
    { offset: 5, ents: [e(5, 1)], snap: snap(4, 1), first: 5, last: 5 },
    { offset: 5, ents: [], snap: snap(4, 1), first: 5, last: 4 },
  ])("first/last index with offset $offset, $ents.length entries, snapshot $snap", (tc) => {
    const u = new Unstable(tc.offset);
    u.entries = [...tc.ents];
    u.snapshot = tc.snap;
    expect([u.maybeFirstIndex(), u.maybeLastIndex()]).toEqual([tc.first, tc.last]);
  });

  it.each([
    { i: 5, snap: undefined, want: 1 },
    { i: 6, snap: undefined, want: undefined },
    { i: 4, snap: undefined, want: undefined },
    { i: 4, snap: snap(4, 1), want: 1 },
    { i: 3, snap: snap(4, 1), want: undefined },
  ])("maybeTerm($i) with entry (5,1) and snapshot $snap → $want", ({ i, snap: s, want }) => {
    const u = new Unstable(5);
    u.entries = [e(5, 1)];
    u.snapshot = s;
    expect(u.maybeTerm(i)).toBe(want);
  });

  it.each([
    { append: [e(6, 1), e(7, 1)], offset: 5, want: [5, 6, 7] }, // directly after
    { append: [e(5, 2), e(6, 2)], offset: 5, want: [5, 6] }, // replaces everything
    { append: [e(4, 2), e(5, 2)], offset: 4, want: [4, 5] }, // reaches into storage
    { append: [e(6, 2)], offset: 5, want: [5, 6] }, // truncates in the middle
  ])("truncateAndAppend of $append onto (5,1)(6,1)", ({ append, offset, want }) => {
    const u = new Unstable(5);
    u.entries = [e(5, 1), e(6, 1)];
    u.truncateAndAppend(append);
    expect(u.offset).toBe(offset);
    expect(u.entries.map((x) => x.index)).toEqual(want);
  });

  it.each([
    { i: 5, t: 1, offset: 6, left: 1 },
    { i: 6, t: 1, offset: 7, left: 0 },
    { i: 6, t: 2, offset: 5, left: 2 }, // term mismatch: replaced meanwhile
    { i: 4, t: 1, offset: 5, left: 2 }, // below the offset
    { i: 7, t: 1, offset: 5, left: 2 }, // past the end
  ])("stableTo($i, $t) on (5,1)(6,1)", ({ i, t, offset, left }) => {
    const u = new Unstable(5);
    u.entries = [e(5, 1), e(6, 1)];
    u.stableTo(i, t);
    expect([u.offset, u.entries.length]).toEqual([offset, left]);
  });

  it("slice refuses ranges outside the unstable entries", () => {
    const u = new Unstable(5);
    u.entries = [e(5, 1), e(6, 1)];
    expect(u.slice(5, 7).map((x) => x.index)).toEqual([5, 6]);
    expect(() => u.slice(4, 6)).toThrow(/out of bound/);
    expect(() => u.slice(5, 8)).toThrow(/out of bound/);
  });
});
