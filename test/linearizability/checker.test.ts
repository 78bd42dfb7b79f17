import { describe, expect, it } from "vitest";
import { op, unknownOp } from "./fixtures.js";
import {
  checkHistory,
  HistoryError,
  kv,
  kvModel,
  kvOut,
  type Model,
  type Operation,
  UNKNOWN,
} from "./index.js";

/** A single integer register with increments, to exercise the checker without partitioning. */
type CounterInput = { readonly kind: "add"; readonly n: number } | { readonly kind: "read" };
const counter: Model<number, CounterInput, number | null> = {
  init: () => 0,
  step(state, input, output) {
    if (input.kind === "add") return { ok: true, newState: state + input.n };
    if (output === UNKNOWN || output === state) return { ok: true, newState: state };
    return { ok: false, reason: `read ${output} but the counter was ${state}` };
  },
  equal: (a, b) => a === b,
  hash: (s) => s | 0,
};
const add = (id: number, call: number, ret: number, n: number): Operation<CounterInput, number | null> => ({
  clientId: id,
  input: { kind: "add", n },
  output: null,
  callTime: call,
  returnTime: ret,
});
const read = (id: number, call: number, ret: number, v: number): Operation<CounterInput, number | null> => ({
  clientId: id,
  input: { kind: "read" },
  output: v,
  callTime: call,
  returnTime: ret,
});

describe("checkHistory", () => {
  it("checks a model without a partition function as one history", () => {
    const h = [add(1, 0, 10, 1), add(2, 0, 10, 2), read(3, 1, 2, 2), read(3, 3, 4, 3)];
    const r = checkHistory(counter, h);
    expect(r.outcome).toBe("ok");
    expect(r.stats.partitions).toBe(1);
  });

  it("reports unknown, not ok or illegal, when the search needs more steps than the budget", () => {
    // Twenty concurrent increments and a read no subset explains: proving that takes many steps.
    const h = Array.from({ length: 20 }, (_, i) => add(i, 0, 100, 1 << i));
    h.push(read(99, 0, 100, -1));
    const r = checkHistory(counter, h, { maxStepsPerPartition: 1_000 });
    expect(r.outcome).toBe("unknown");
    if (r.outcome !== "unknown") return;
    expect(r.reason).toBe("budget-exhausted");
    expect(r.exhaustedPartitions).toEqual([0]);
    expect(r.stats.steps).toBe(1_000);
  });

  it("still reports a violation in one key when another key exhausts its budget", () => {
    const h = Array.from({ length: 16 }, (_, i) => op(i, 0, 100, kv.put("hard", `v${i}`), kvOut.put()));
    for (let i = 0; i < 16; i++) h.push(op(50 + i, 1, 99, kv.get("hard"), kvOut.get(`v${15 - i}`)));
    h.push(op(1, 0, 1, kv.put("easy", "a"), kvOut.put()), op(1, 2, 3, kv.get("easy"), kvOut.get(null)));
    const r = checkHistory(kvModel, h, { maxStepsPerPartition: 200 });
    expect(r.outcome).toBe("illegal");
  });

  it("gives the same verdict and step count on every run", () => {
    const h = Array.from({ length: 12 }, (_, i) => add(i, 0, 100, i));
    h.push(read(99, 50, 60, 1000));
    const a = checkHistory(counter, h);
    const b = checkHistory(counter, h);
    expect(a.outcome).toBe("illegal");
    expect(b.stats).toEqual(a.stats);
    expect(b.report).toBe(a.report);
  });

  it("explains a violation with the longest linearizable prefix and the operation that could not follow", () => {
    const h = [
      op(1, 0, 1, kv.put("x", "a"), kvOut.put()),
      op(1, 2, 3, kv.put("x", "b"), kvOut.put()),
      op(2, 4, 5, kv.get("x"), kvOut.get("a")),
      op(2, 6, 7, kv.put("x", "c"), kvOut.put()),
    ];
    const r = checkHistory(kvModel, h);
    expect(r.outcome).toBe("illegal");
    if (r.outcome !== "illegal") return;
    const e = r.explanation;
    expect(e.prefix.map((x) => x.index)).toEqual([0, 1]);
    expect(e.blocked.index).toBe(2);
    expect(e.candidates).toEqual([
      expect.objectContaining({ index: 2, verdict: "rejected", reason: 'read "a" but the key was "b"' }),
    ]);
    expect(r.report).toContain('#2 client 2 [4, 5] get("x") -> "a"');
    expect(r.report).toContain("Longest linearizable prefix found: 2 of 4 operations");
  });

  it("names operations by their position in the history given, across partitions", () => {
    const h = [
      op(1, 0, 1, kv.put("y", "1"), kvOut.put()),
      op(1, 0, 1, kv.put("x", "a"), kvOut.put()),
      op(2, 2, 3, kv.get("x"), kvOut.get("zzz")),
    ];
    const r = checkHistory(kvModel, h);
    if (r.outcome !== "illegal") throw new Error(r.report);
    expect(r.explanation.partition).toBe(1);
    expect(r.explanation.blocked.index).toBe(2);
    expect(r.explanation.prefix.map((x) => x.index)).toEqual([1]);
  });

  it("reports a swap that succeeded but could not have, as a dead end or rejection of each candidate", () => {
    const h = [
      op(1, 0, 10, kv.cas("x", null, "a"), kvOut.cas(true)),
      op(2, 0, 10, kv.cas("x", null, "b"), kvOut.cas(true)),
    ];
    const r = checkHistory(kvModel, h);
    if (r.outcome !== "illegal") throw new Error(r.report);
    expect(r.explanation.prefix).toHaveLength(1);
    expect(r.explanation.candidates.map((c) => c.verdict)).toEqual(["rejected"]);
  });

  it("rejects an unknown outcome with a finite return time as a malformed history", () => {
    const bad = { ...unknownOp(1, 0, kv.put("x", "a")), returnTime: 5 };
    expect(() => checkHistory(kvModel, [bad])).toThrow(HistoryError);
  });

  it("rejects a known outcome with an infinite return time as a malformed history", () => {
    const bad = op(1, 0, Number.POSITIVE_INFINITY, kv.put("x", "a"), kvOut.put());
    expect(() => checkHistory(kvModel, [bad])).toThrow(HistoryError);
  });

  it("rejects a return before the call as a malformed history, naming the operation", () => {
    const h = [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), op(1, 5, 4, kv.get("x"), kvOut.get("a"))];
    expect(() => checkHistory(kvModel, h)).toThrow(expect.objectContaining({ operationIndex: 1 }));
  });
});
