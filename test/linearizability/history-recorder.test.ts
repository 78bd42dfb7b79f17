import { describe, expect, it } from "vitest";
import {
  checkHistory,
  HistoryRecorder,
  type KvInput,
  type KvOutput,
  kv,
  kvModel,
  kvOut,
  UNKNOWN,
} from "./index.js";

describe("HistoryRecorder", () => {
  it("records completed calls with their call and return times", () => {
    const rec = new HistoryRecorder<KvInput, KvOutput>();
    const h = rec.call(1, kv.put("x", "a"), 3);
    rec.complete(h, kvOut.put(1), 7);
    expect(rec.history()).toEqual([
      { clientId: 1, input: kv.put("x", "a"), output: kvOut.put(1), callTime: 3, returnTime: 7 },
    ]);
  });

  it("turns calls still pending into unknown-outcome operations that the checker accepts", () => {
    const rec = new HistoryRecorder<KvInput, KvOutput>();
    rec.call(1, kv.put("x", "a"), 0);
    const g = rec.call(2, kv.get("x"), 10);
    rec.complete(g, kvOut.get("a"), 11);
    const history = rec.history();
    expect(history[0]).toMatchObject({ output: UNKNOWN, returnTime: Number.POSITIVE_INFINITY });
    expect(checkHistory(kvModel, history).outcome).toBe("ok");
  });

  it("leaves out calls that definitely failed", () => {
    const rec = new HistoryRecorder<KvInput, KvOutput>();
    rec.fail(rec.call(1, kv.put("x", "a"), 0));
    expect(rec.history()).toEqual([]);
  });

  it("refuses to complete a call twice", () => {
    const rec = new HistoryRecorder<KvInput, KvOutput>();
    const h = rec.call(1, kv.get("x"), 0);
    rec.complete(h, kvOut.get(null), 1);
    expect(() => rec.complete(h, kvOut.get(null), 2)).toThrow(/not pending/);
  });

  it("refuses calls beyond its operation limit", () => {
    const rec = new HistoryRecorder<KvInput, KvOutput>({ maxOperations: 1 });
    rec.call(1, kv.get("x"), 0);
    expect(() => rec.call(1, kv.get("x"), 1)).toThrow(RangeError);
  });
});
