import { describe, expect, it } from "vitest";
import { committedIndex, hasQuorum, voteResult } from "../quorum.js";
import { type NodeId, nodeId } from "../types.js";

const ids = (n: number): NodeId[] => Array.from({ length: n }, (_, i) => nodeId(i + 1));
const matchOf = (matches: readonly number[]) => (id: NodeId) => matches[id - 1] ?? 0;

describe("committedIndex: the largest index a majority of voters holds", () => {
  it.each([
    { matches: [5], want: 5 },
    { matches: [5, 3], want: 3 },
    { matches: [1, 2, 3], want: 2 },
    { matches: [3, 3, 0], want: 3 },
    { matches: [7, 0, 0], want: 0 },
    { matches: [1, 2, 3, 4], want: 2 },
    { matches: [4, 4, 1, 1], want: 1 },
    { matches: [10, 9, 8, 0, 0], want: 8 },
    { matches: [5, 5, 5, 5, 5], want: 5 },
    { matches: [0, 0, 0, 0, 9], want: 0 },
    { matches: [6, 5, 4, 3, 2, 1], want: 3 },
    { matches: [9, 1, 8, 2, 7, 3, 6], want: 6 },
  ])("matches $matches commit $want", ({ matches, want }) => {
    expect(committedIndex(ids(matches.length), matchOf(matches))).toBe(want);
  });

  it("does not depend on the order of the voters", () => {
    const voters = [nodeId(3), nodeId(1), nodeId(2)];
    expect(committedIndex(voters, matchOf([9, 1, 5]))).toBe(5);
  });

  it("never holds commitment back with no voters", () => {
    expect(committedIndex([], () => 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("voteResult: won once a majority granted, lost once a majority is out of reach", () => {
  it.each([
    { n: 1, votes: {}, want: "pending" },
    { n: 1, votes: { 1: true }, want: "won" },
    { n: 1, votes: { 1: false }, want: "lost" },
    { n: 2, votes: { 1: true }, want: "pending" },
    { n: 2, votes: { 1: true, 2: true }, want: "won" },
    { n: 2, votes: { 1: true, 2: false }, want: "lost" },
    { n: 3, votes: { 1: true }, want: "pending" },
    { n: 3, votes: { 1: true, 2: true }, want: "won" },
    { n: 3, votes: { 1: true, 2: false }, want: "pending" },
    { n: 3, votes: { 1: true, 2: false, 3: false }, want: "lost" },
    { n: 4, votes: { 1: true, 2: true }, want: "pending" },
    { n: 4, votes: { 1: true, 2: true, 3: true }, want: "won" },
    { n: 4, votes: { 1: true, 2: true, 3: false }, want: "pending" },
    { n: 4, votes: { 1: true, 3: false, 4: false }, want: "lost" },
    { n: 4, votes: { 1: true, 2: true, 3: false, 4: false }, want: "lost" },
    { n: 5, votes: { 1: true, 2: true, 3: true }, want: "won" },
    { n: 5, votes: { 1: true, 2: false, 3: false }, want: "pending" },
    { n: 5, votes: { 1: true, 2: false, 3: false, 4: false }, want: "lost" },
  ] as const)("$n voters with votes $votes: $want", ({ n, votes, want }) => {
    const m = new Map(Object.entries(votes).map(([k, v]) => [nodeId(Number(k)), v as boolean]));
    expect(voteResult(ids(n), m)).toBe(want);
  });

  it("ignores votes from non-voters", () => {
    const m = new Map([
      [nodeId(7), true],
      [nodeId(8), true],
      [nodeId(1), true],
    ]);
    expect(voteResult(ids(3), m)).toBe("pending");
  });

  it("an empty configuration wins (it cannot arise in a running cluster)", () => {
    expect(voteResult([], new Map())).toBe("won");
  });
});

describe("hasQuorum", () => {
  it.each([
    { n: 1, active: [1], want: true },
    { n: 2, active: [1], want: false },
    { n: 3, active: [1, 3], want: true },
    { n: 4, active: [1, 2], want: false },
    { n: 4, active: [1, 2, 4], want: true },
    { n: 5, active: [2, 4], want: false },
    { n: 0, active: [], want: true },
  ])("$n voters, active $active: $want", ({ n, active, want }) => {
    expect(hasQuorum(ids(n), (id) => active.includes(id))).toBe(want);
  });
});
