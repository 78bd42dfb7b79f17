import { describe, expect, it } from "vitest";
import type { Compare, RequestOp, TxnRequest } from "../index.js";
import { b, TestStore, text } from "./helpers.js";

const put = (key: string, value: string): RequestOp => ({
  type: "put",
  put: { key: b(key), value: b(value) },
});
const get = (key: string): RequestOp => ({ type: "range", range: { key: b(key) } });
const del = (key: string, rangeEnd?: string): RequestOp => ({
  type: "deleteRange",
  deleteRange: rangeEnd === undefined ? { key: b(key) } : { key: b(key), rangeEnd: b(rangeEnd) },
});
const txn = (compare: Compare[], success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({
  compare,
  success,
  failure,
});

function seeded(): TestStore {
  const t = new TestStore();
  t.ok({ type: "leaseGrant", leaseGrant: { id: 9 as never, ttlSec: 60 } });
  t.put("a", "apple"); // rev 2, version 1
  t.put("a", "apricot"); // rev 3, version 2
  t.put("b", "banana", { lease: 9 }); // rev 4
  return t;
}

describe("txn compares", () => {
  const cases: [string, Compare, boolean][] = [
    ["value equal", { key: b("a"), target: "value", result: "equal", value: b("apricot") }, true],
    ["value less", { key: b("a"), target: "value", result: "less", value: b("b") }, true],
    ["value greater", { key: b("a"), target: "value", result: "greater", value: b("b") }, false],
    ["version equal", { key: b("a"), target: "version", result: "equal", version: 2 }, true],
    ["version not equal", { key: b("a"), target: "version", result: "notEqual", version: 2 }, false],
    ["create less", { key: b("a"), target: "create", result: "less", createRevision: 3 }, true],
    ["mod greater", { key: b("a"), target: "mod", result: "greater", modRevision: 2 }, true],
    ["lease equal", { key: b("b"), target: "lease", result: "equal", lease: 9 as never }, true],
    ["missing key has version 0", { key: b("zz"), target: "version", result: "equal", version: 0 }, true],
    ["missing key has mod 0", { key: b("zz"), target: "mod", result: "less", modRevision: 1 }, true],
    [
      "value compare on a missing key always fails",
      { key: b("zz"), target: "value", result: "notEqual", value: b("x") },
      false,
    ],
    [
      "every key of a range must hold",
      { key: b("a"), rangeEnd: b("c"), target: "version", result: "greater", version: 0 },
      true,
    ],
    [
      "one key of a range failing fails",
      { key: b("a"), rangeEnd: b("c"), target: "version", result: "equal", version: 2 },
      false,
    ],
  ];
  for (const [name, compare, expected] of cases) {
    it(`${name} → ${expected ? "success" : "failure"} branch`, () => {
      const t = seeded();
      const r = t.ok({ type: "txn", txn: txn([compare], [get("a")], [get("b")]) });
      expect(r.txn.succeeded).toBe(expected);
      const first = r.txn.responses[0]!;
      expect(first.type === "range" && text(first.range.kvs[0]!.key)).toBe(expected ? "a" : "b");
    });
  }
});

describe("txn execution", () => {
  it("all writes of a txn share one revision with ascending sub-revisions", () => {
    const t = seeded();
    const r = t.ok({ type: "txn", txn: txn([], [put("x", "1"), put("y", "2"), del("a")]) });
    expect(r.header.revision).toBe(5);
    expect(t.get("x")!.modRevision).toBe(5);
    expect(t.get("y")!.modRevision).toBe(5);
    expect(t.get("a")).toBeUndefined();
    expect(t.store.currentRevision).toBe(5);
  });

  it("a txn of only reads takes no revision", () => {
    const t = seeded();
    const r = t.ok({ type: "txn", txn: txn([], [get("a")]) });
    expect(r.header.revision).toBe(4);
  });

  it("ranges inside a txn see the txn's own earlier writes", () => {
    const t = seeded();
    const r = t.ok({ type: "txn", txn: txn([], [put("x", "new"), get("x")]) });
    const rr = r.txn.responses[1]!;
    expect(rr.type === "range" && text(rr.range.kvs[0]!.value)).toBe("new");
  });

  it("nested txns run in the same revision and their compares see the state before the txn", () => {
    const t = seeded();
    const inner = txn(
      [{ key: b("x"), target: "version", result: "equal", version: 0 }],
      [put("y", "x was absent")],
      [put("y", "x existed")],
    );
    const r = t.ok({ type: "txn", txn: txn([], [put("x", "1"), { type: "txn", txn: inner }]) });
    const nested = r.txn.responses[1]!;
    expect(nested.type === "txn" && nested.txn.succeeded).toBe(true);
    expect(text(t.get("y")!.value)).toBe("x was absent");
    expect(t.get("y")!.modRevision).toBe(r.header.revision);
  });

  it("put and delete responses carry prev kvs as their requests asked", () => {
    const t = seeded();
    const r = t.ok({
      type: "txn",
      txn: txn(
        [],
        [
          { type: "put", put: { key: b("a"), value: b("avocado"), prevKv: true } },
          { type: "deleteRange", deleteRange: { key: b("b"), prevKv: true } },
        ],
      ),
    });
    const [p, d] = r.txn.responses;
    expect(p!.type === "put" && text(p!.put.prevKv!.value)).toBe("apricot");
    expect(d!.type === "deleteRange" && d!.deleteRange.deleted).toBe(1);
  });
});

describe("txn validation", () => {
  it("the same key put twice is a duplicate key, with etcd's message, and nothing is applied", () => {
    const t = seeded();
    const err = t.rejected({ type: "txn", txn: txn([], [put("x", "1"), put("x", "2")]) });
    expect(err.code).toBe("duplicateKey");
    expect(err.etcdMessage).toBe("etcdserver: duplicate key given in txn request");
    expect(t.get("x")).toBeUndefined();
    expect(t.store.currentRevision).toBe(4);
  });

  it("a put inside a delete range of the same branch is a duplicate key", () => {
    const t = seeded();
    expect(t.rejected({ type: "txn", txn: txn([], [del("a", "c"), put("b", "x")]) }).code).toBe(
      "duplicateKey",
    );
  });

  it("a put in a nested txn that an outer op also writes is a duplicate key", () => {
    const t = seeded();
    const nested: RequestOp = { type: "txn", txn: txn([], [put("x", "1")]) };
    expect(t.rejected({ type: "txn", txn: txn([], [put("x", "0"), nested]) }).code).toBe("duplicateKey");
  });

  it("the same key in both branches, or in both branches of a nested txn, is fine", () => {
    const t = seeded();
    const nested: RequestOp = { type: "txn", txn: txn([], [put("x", "1")], [put("x", "2")]) };
    t.ok({ type: "txn", txn: txn([], [put("x", "a"), put("y", "1")], [put("x", "b")]) });
    t.ok({ type: "txn", txn: txn([], [nested]) });
    expect(text(t.get("x")!.value)).toBe("1");
  });

  it("overlapping deletes are fine", () => {
    const t = seeded();
    const r = t.ok({ type: "txn", txn: txn([], [del("a", "c"), del("b")]) });
    expect(r.txn.responses.map((x) => x.type === "deleteRange" && x.deleteRange.deleted)).toEqual([2, 0]);
  });

  it("a put with a missing lease aborts the whole txn with lease-not-found", () => {
    const t = seeded();
    const err = t.rejected({
      type: "txn",
      txn: txn(
        [],
        [put("x", "1"), { type: "put", put: { key: b("y"), value: b("2"), lease: 404 as never } }],
      ),
    });
    expect(err.code).toBe("leaseNotFound");
    expect(t.get("x")).toBeUndefined();
  });

  it("only the taken branch is checked against the state", () => {
    const t = seeded();
    const bad: RequestOp = { type: "put", put: { key: b("y"), value: b("2"), lease: 404 as never } };
    const never: Compare = { key: b("a"), target: "version", result: "equal", version: 99 };
    const r = t.ok({ type: "txn", txn: txn([never], [bad], [put("x", "1")]) });
    expect(r.txn.succeeded).toBe(false);
  });

  it("a range in a txn at a compacted or future revision aborts the txn", () => {
    const t = seeded();
    t.ok({ type: "compact", compact: { revision: 3 } });
    const at = (revision: number): RequestOp => ({ type: "range", range: { key: b("a"), revision } });
    expect(t.rejected({ type: "txn", txn: txn([], [put("x", "1"), at(2)]) }).code).toBe("compacted");
    expect(t.rejected({ type: "txn", txn: txn([], [put("x", "1"), at(50)]) }).code).toBe("futureRevision");
    expect(t.get("x")).toBeUndefined();
  });

  it("empty keys in compares or ops are refused", () => {
    const t = seeded();
    expect(
      t.rejected({
        type: "txn",
        txn: txn([{ key: new Uint8Array(0), target: "version", result: "equal", version: 0 }], []),
      }).code,
    ).toBe("emptyKey");
    expect(t.rejected({ type: "txn", txn: txn([], [], [get("")]) }).code).toBe("emptyKey");
  });
});
