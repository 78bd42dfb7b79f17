import { describe, expect, it } from "vitest";
import { bootstrap } from "../bootstrap.js";
import { applyConfChange, confChangeProblem, decodeConfChange, encodeConfChange } from "../conf-change.js";
import { RawNode } from "../raw-node.js";
import { seededRng } from "../rng.js";
import { MemoryStorage } from "../storage.js";
import { type ConfChange, type ConfState, nodeId } from "../types.js";
import { TestNode } from "./harness.js";

const cc = (type: ConfChange["type"], n: number, context = new Uint8Array(0)): ConfChange => ({
  type,
  nodeId: nodeId(n),
  context,
});
const conf = (voters: number[], learners: number[] = []): ConfState => ({
  voters: voters.map(nodeId),
  learners: learners.map(nodeId),
});

describe("conf change wire form", () => {
  it.each([
    cc("addVoter", 1),
    cc("addLearner", 42, new Uint8Array([1, 2, 3])),
    cc("removeNode", 7, new TextEncoder().encode("10.0.0.7:2380")),
    cc("addVoter", Number.MAX_SAFE_INTEGER),
  ])("decode(encode(c)) returns c ($type $nodeId)", (c) => {
    expect(decodeConfChange(encodeConfChange(c))).toEqual(c);
  });

  it("decodes from a view into a larger buffer", () => {
    const bytes = encodeConfChange(cc("removeNode", 5, new Uint8Array([9])));
    const padded = new Uint8Array(bytes.byteLength + 7);
    padded.set(bytes, 3);
    expect(decodeConfChange(padded.subarray(3, 3 + bytes.byteLength))).toEqual(
      cc("removeNode", 5, new Uint8Array([9])),
    );
  });

  const withId = (code: number, id: number) => {
    const b = new Uint8Array(9);
    b[0] = code;
    new DataView(b.buffer).setFloat64(1, id, true);
    return b;
  };
  it.each([
    ["empty", new Uint8Array(0)],
    ["too short", new Uint8Array([1, 0, 0])],
    ["type 0", withId(0, 1)],
    ["type 4", withId(4, 1)],
    ["type 255", withId(255, 1)],
    ["node id 0", withId(1, 0)],
    ["negative node id", withId(1, -3)],
    ["fractional node id", withId(1, 1.5)],
    ["NaN node id", withId(1, Number.NaN)],
  ])("rejects garbage (%s) with a RangeError", (_, bytes) => {
    expect(() => decodeConfChange(bytes)).toThrow(RangeError);
  });
});

describe("applyConfChange and confChangeProblem", () => {
  it.each([
    { from: conf([1]), c: cc("addVoter", 2), want: conf([1, 2]) },
    { from: conf([1]), c: cc("addLearner", 2), want: conf([1], [2]) },
    { from: conf([1], [2]), c: cc("addVoter", 2), want: conf([1, 2]) }, // promote
    { from: conf([1, 2]), c: cc("addLearner", 2), want: conf([1], [2]) }, // demote
    { from: conf([1, 2], [3]), c: cc("removeNode", 3), want: conf([1, 2]) },
    { from: conf([1, 2]), c: cc("removeNode", 2), want: conf([1]) },
    { from: conf([1, 2]), c: cc("removeNode", 9), want: conf([1, 2]) }, // not a member: no-op
    { from: conf([3, 1]), c: cc("addVoter", 2), want: conf([1, 2, 3]) }, // sorted
    { from: conf([1]), c: cc("removeNode", 1), want: conf([1]) }, // never leaves no voter
  ])("$c.type $c.nodeId on $from.voters/$from.learners", ({ from, c, want }) => {
    expect(applyConfChange(from, c)).toEqual(want);
  });

  it.each([
    { from: conf([1]), c: cc("removeNode", 1), problem: true },
    { from: conf([1]), c: cc("addLearner", 1), problem: true },
    { from: conf([1], [2]), c: cc("removeNode", 2), problem: false },
    { from: conf([1, 2]), c: cc("removeNode", 1), problem: false },
    { from: conf([1]), c: cc("addVoter", 2), problem: false },
  ])("confChangeProblem($c.type $c.nodeId) on voters $from.voters: $problem", ({ from, c, problem }) => {
    expect(confChangeProblem(from, c) !== undefined).toBe(problem);
  });
});

describe("bootstrap", () => {
  it("writes one committed addVoter entry per founding member, sorted, at term 1", () => {
    const s = new MemoryStorage();
    bootstrap(s, [nodeId(3), nodeId(1), nodeId(2)], (id) => new TextEncoder().encode(`n${id}`));
    const ents = s.entries(1, 4, Infinity);
    if (typeof ents === "string") throw new Error(ents);
    expect(ents.map((e) => [e.index, e.term, e.type])).toEqual([
      [1, 1, "confChange"],
      [2, 1, "confChange"],
      [3, 1, "confChange"],
    ]);
    expect(ents.map((e) => decodeConfChange(e.data))).toEqual([
      cc("addVoter", 1, new TextEncoder().encode("n1")),
      cc("addVoter", 2, new TextEncoder().encode("n2")),
      cc("addVoter", 3, new TextEncoder().encode("n3")),
    ]);
    expect(s.initialState().hardState).toEqual({ term: 1, vote: 0, commit: 3 });
  });

  it("refuses a non-empty log and an empty membership", () => {
    const s = new MemoryStorage();
    bootstrap(s, [nodeId(1)]);
    expect(() => bootstrap(s, [nodeId(1)])).toThrow(/empty log/);
    expect(() => bootstrap(new MemoryStorage(), [])).toThrow(/at least one voter/);
  });

  it("a bootstrapped node learns its membership from its first Ready and may then campaign", () => {
    const n = new TestNode({ id: 1, voters: [1, 2, 3], bootstrap: true });
    expect(n.status().confState.voters).toEqual([]);
    n.drain();
    expect(n.status()).toMatchObject({ confState: conf([1, 2, 3]), commit: 3, applied: 3, term: 1 });
    n.campaign();
    expect(n.status()).toMatchObject({ role: "candidate", term: 2 });
  });

  it("a restarted node replays the conf changes it had applied to rebuild its membership", () => {
    const n = new TestNode({ id: 1, voters: [1, 2, 3], bootstrap: true });
    n.drain();
    const restarted = new RawNode({ id: nodeId(1), storage: n.storage, rng: seededRng(1), applied: 3 });
    expect(restarted.status()).toMatchObject({ confState: conf([1, 2, 3]), applied: 3, commit: 3 });
    expect(restarted.hasReady()).toBe(false);
  });
});
