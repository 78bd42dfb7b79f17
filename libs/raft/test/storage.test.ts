import { describe, expect, it } from "vitest";
import { EMPTY_SNAPSHOT, entrySize, limitSize, MemoryStorage } from "../storage.js";
import { type ConfState, type Entry, nodeId } from "../types.js";

const e = (index: number, term: number): Entry => ({ index, term, type: "normal", data: new Uint8Array(0) });
const CS: ConfState = { voters: [nodeId(1), nodeId(2), nodeId(3)], learners: [] };

/** Storage holding (3,3)(4,4)(5,5): a snapshot at (3,3) then entries 4 and 5 (etcd storage_test.go). */
function storage345(): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({ metadata: { index: 3, term: 3, confState: CS }, data: new Uint8Array(0) });
  s.append([e(4, 4), e(5, 5)]);
  return s;
}

const termsOf = (s: MemoryStorage) => {
  const out: number[] = [];
  for (let i = s.firstIndex() - 1; i <= s.lastIndex(); i++) out.push(s.term(i) as number);
  return out;
};

describe("MemoryStorage", () => {
  it("starts empty: first index 1, last index 0, empty snapshot and hard state", () => {
    const s = new MemoryStorage();
    expect([s.firstIndex(), s.lastIndex()]).toEqual([1, 0]);
    expect(s.snapshot()).toEqual(EMPTY_SNAPSHOT);
    expect(s.initialState().hardState).toEqual({ term: 0, vote: 0, commit: 0 });
  });

  it.each([
    { i: 2, want: "compacted" },
    { i: 3, want: 3 },
    { i: 4, want: 4 },
    { i: 5, want: 5 },
    { i: 6, want: "unavailable" },
  ])("term($i) → $want", ({ i, want }) => {
    expect(storage345().term(i)).toBe(want);
  });

  it.each([
    { lo: 2, hi: 6, max: Infinity, want: "compacted" },
    { lo: 3, hi: 4, max: Infinity, want: "compacted" },
    { lo: 4, hi: 5, max: Infinity, want: [4] },
    { lo: 4, hi: 6, max: Infinity, want: [4, 5] },
    { lo: 4, hi: 7, max: Infinity, want: "unavailable" },
    { lo: 4, hi: 6, max: 0, want: [4] }, // at least one
    { lo: 4, hi: 6, max: 24, want: [4] },
    { lo: 4, hi: 6, max: 47, want: [4] },
    { lo: 4, hi: 6, max: 48, want: [4, 5] },
  ])("entries($lo, $hi, $max bytes) → $want", ({ lo, hi, max, want }) => {
    const got = storage345().entries(lo, hi, max);
    expect(typeof got === "string" ? got : got.map((x) => x.index)).toEqual(want);
  });

  it.each([
    { ents: [e(1, 1), e(2, 2)], want: [3, 4, 5] }, // all compacted: nothing changes
    { ents: [e(3, 3), e(4, 4), e(5, 5)], want: [3, 4, 5] },
    { ents: [e(3, 3), e(4, 6), e(5, 6)], want: [3, 6, 6] },
    { ents: [e(3, 3), e(4, 4), e(5, 5), e(6, 5)], want: [3, 4, 5, 5] },
    { ents: [e(2, 3), e(3, 3), e(4, 5)], want: [3, 5] }, // truncates both the input and the log
    { ents: [e(4, 5)], want: [3, 5] }, // truncates the log
    { ents: [e(6, 5)], want: [3, 4, 5, 5] }, // plain append
  ])("append($ents) leaves terms $want from the snapshot on", ({ ents, want }) => {
    const s = storage345();
    s.append(ents);
    expect(termsOf(s)).toEqual(want);
  });

  it("refuses to append with a gap", () => {
    expect(() => storage345().append([e(7, 5)])).toThrow(/missing log entry/);
  });

  it.each([
    { i: 2, res: "compacted", first: 4, last: 5 },
    { i: 3, res: "compacted", first: 4, last: 5 },
    { i: 4, res: "ok", first: 5, last: 5 },
    { i: 5, res: "ok", first: 6, last: 5 },
  ])("compact($i) → $res, first $first, last $last", ({ i, res, first, last }) => {
    const s = storage345();
    expect(s.compact(i)).toBe(res);
    expect([s.firstIndex(), s.lastIndex()]).toEqual([first, last]);
    expect(s.term(s.firstIndex() - 1)).toBe(Math.max(i, 3));
  });

  it("compact past the last index throws", () => {
    expect(() => storage345().compact(6)).toThrow(/past the last index/);
  });

  it.each([
    { i: 4, want: { index: 4, term: 4 } },
    { i: 5, want: { index: 5, term: 5 } },
  ])("createSnapshot($i) records the term at $i with the membership and data", ({ i, want }) => {
    const s = storage345();
    const data = new Uint8Array([1, 2, 3]);
    const snap = s.createSnapshot(i, CS, data);
    expect(snap).toEqual({ metadata: { ...want, confState: CS }, data });
    expect(s.snapshot()).toEqual(snap);
    // Entries stay until compacted.
    expect(s.firstIndex()).toBe(4);
  });

  it("createSnapshot at or below the current snapshot is out of date; past the log it throws", () => {
    const s = storage345();
    expect(s.createSnapshot(3, CS, new Uint8Array(0))).toBe("outOfDate");
    expect(s.createSnapshot(2, CS, new Uint8Array(0))).toBe("outOfDate");
    expect(() => s.createSnapshot(6, CS, new Uint8Array(0))).toThrow(/past the last index/);
  });

  it("applySnapshot replaces the log; an older or equal snapshot is out of date", () => {
    const s = storage345();
    const snap = (index: number) => ({
      metadata: { index, term: 7, confState: CS },
      data: new Uint8Array(0),
    });
    expect(s.applySnapshot(snap(3))).toBe("outOfDate");
    expect(s.applySnapshot(snap(2))).toBe("outOfDate");
    expect(s.applySnapshot(snap(10))).toBe("ok");
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 7]);
    expect(s.entries(11, 11, Infinity)).toEqual([]);
    expect(s.initialState().confState).toEqual(CS);
  });

  it("setHardState is what initialState reports", () => {
    const s = new MemoryStorage();
    s.setHardState({ term: 4, vote: nodeId(2), commit: 0 });
    expect(s.initialState().hardState).toEqual({ term: 4, vote: 2, commit: 0 });
  });
});

describe("limitSize", () => {
  const big = (n: number): Entry => ({ index: n, term: 1, type: "normal", data: new Uint8Array(100) });
  it.each([
    { max: 0, want: 1 },
    { max: entrySize(big(1)), want: 1 },
    { max: entrySize(big(1)) * 2, want: 2 },
    { max: entrySize(big(1)) * 3 - 1, want: 2 },
    { max: Infinity, want: 3 },
  ])("keeps the longest prefix within $max bytes, never nothing ($want)", ({ max, want }) => {
    expect(limitSize([big(1), big(2), big(3)], max)).toHaveLength(want);
  });

  it("returns an empty list unchanged", () => {
    expect(limitSize([], 0)).toEqual([]);
  });
});
