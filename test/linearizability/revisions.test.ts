import { describe, expect, it } from "vitest";
import { op, unknownOp } from "./fixtures.js";
import { checkHistory, kv, kvModel, kvOut, kvStoreModel } from "./index.js";

describe("revisions", () => {
  it("a read must report the revision of the put it sees", () => {
    const good = [op(1, 0, 1, kv.put("x", "a"), kvOut.put(5)), op(1, 2, 3, kv.get("x"), kvOut.get("a", 5))];
    const bad = [op(1, 0, 1, kv.put("x", "a"), kvOut.put(5)), op(1, 2, 3, kv.get("x"), kvOut.get("a", 4))];
    expect(checkHistory(kvModel, good).outcome).toBe("ok");
    expect(checkHistory(kvModel, bad).outcome).toBe("illegal");
  });

  it("writes to one key that are ordered in real time must get increasing revisions", () => {
    const h = [op(1, 0, 1, kv.put("x", "a"), kvOut.put(7)), op(1, 2, 3, kv.put("x", "b"), kvOut.put(6))];
    expect(checkHistory(kvModel, h).outcome).toBe("illegal");
  });

  it("concurrent writes to one key may be ordered by their revisions rather than their calls", () => {
    const h = [
      op(1, 0, 10, kv.put("x", "a"), kvOut.put(7)),
      op(2, 1, 10, kv.put("x", "b"), kvOut.put(6)),
      op(3, 11, 12, kv.get("x"), kvOut.get("a", 7)),
    ];
    expect(checkHistory(kvModel, h).outcome).toBe("ok");
  });

  it("a read reveals the revision of an unknown-outcome write, and later writes must exceed it", () => {
    const revealed = [
      unknownOp(1, 0, kv.put("x", "a")),
      op(2, 5, 6, kv.get("x"), kvOut.get("a", 9)),
      op(2, 7, 8, kv.put("x", "b"), kvOut.put(10)),
    ];
    const regressed = [
      unknownOp(1, 0, kv.put("x", "a")),
      op(2, 5, 6, kv.get("x"), kvOut.get("a", 9)),
      op(2, 7, 8, kv.put("x", "b"), kvOut.put(8)),
    ];
    expect(checkHistory(kvModel, revealed).outcome).toBe("ok");
    expect(checkHistory(kvModel, regressed).outcome).toBe("illegal");
  });

  it("store-wide revision order across keys is checked by the whole-store model only", () => {
    // y's write completes before x's starts, yet got a higher revision: impossible in etcd.
    const h = [op(1, 0, 1, kv.put("y", "b"), kvOut.put(8)), op(1, 2, 3, kv.put("x", "a"), kvOut.put(7))];
    expect(checkHistory(kvModel, h).outcome).toBe("ok");
    expect(checkHistory(kvStoreModel, h).outcome).toBe("illegal");
  });

  it("missing revisions are not checked", () => {
    const h = [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), op(1, 2, 3, kv.get("x"), kvOut.get("a", 42))];
    expect(checkHistory(kvModel, h).outcome).toBe("ok");
  });
});
