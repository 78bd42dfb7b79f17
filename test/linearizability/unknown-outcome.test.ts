import { describe, expect, it } from "vitest";
import { KV_CHECKS, op, unknownOp } from "./fixtures.js";
import { kv, kvOut } from "./index.js";

describe.each(KV_CHECKS)("unknown outcomes (%s)", (_, check) => {
  it("an unknown-outcome write may have taken effect, even long after the client gave up", () => {
    const h = [unknownOp(1, 0, kv.put("x", "a")), op(2, 100, 101, kv.get("x"), kvOut.get("a"))];
    expect(check(h).outcome).toBe("ok");
  });

  it("an unknown-outcome write may never have taken effect", () => {
    const h = [unknownOp(1, 0, kv.put("x", "a")), op(2, 100, 101, kv.get("x"), kvOut.get(null))];
    expect(check(h).outcome).toBe("ok");
  });

  it("an unknown-outcome write may take effect between two reads that see before and after", () => {
    const h = [
      unknownOp(1, 0, kv.put("x", "a")),
      op(2, 10, 11, kv.get("x"), kvOut.get(null)),
      op(2, 12, 13, kv.get("x"), kvOut.get("a")),
    ];
    expect(check(h).outcome).toBe("ok");
  });

  it("an unknown-outcome write takes effect at most once", () => {
    const h = [
      op(0, 0, 1, kv.put("x", "a"), kvOut.put()),
      unknownOp(1, 2, kv.put("x", "b")),
      op(2, 10, 11, kv.get("x"), kvOut.get("b")),
      op(3, 12, 13, kv.put("x", "c"), kvOut.put()),
      op(2, 14, 15, kv.get("x"), kvOut.get("b")),
    ];
    expect(check(h).outcome).toBe("illegal");
  });

  it("an unknown-outcome write cannot take effect before it was called", () => {
    const h = [op(2, 0, 1, kv.get("x"), kvOut.get("a")), unknownOp(1, 5, kv.put("x", "a"))];
    expect(check(h).outcome).toBe("illegal");
  });

  it("an unknown-outcome swap takes effect only if its comparison held", () => {
    const applied = [
      op(0, 0, 1, kv.put("x", "a"), kvOut.put()),
      unknownOp(1, 2, kv.cas("x", "a", "b")),
      op(2, 10, 11, kv.get("x"), kvOut.get("b")),
    ];
    const cannotApply = [
      op(0, 0, 1, kv.put("x", "z"), kvOut.put()),
      unknownOp(1, 2, kv.cas("x", "a", "b")),
      op(2, 10, 11, kv.get("x"), kvOut.get("b")),
    ];
    expect(check(applied).outcome).toBe("ok");
    expect(check(cannotApply).outcome).toBe("illegal");
  });

  it("unknown-outcome reads are left out of the check", () => {
    const h = [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), unknownOp(2, 2, kv.get("x"))];
    const r = check(h);
    expect(r.outcome).toBe("ok");
    expect(r.stats.operations).toBe(1);
  });

  it("a read of a value whose unknown-outcome write was already overwritten and re-read is illegal", () => {
    const h = [];
    for (let i = 0; i < 6; i++) {
      h.push(unknownOp(i, i, kv.put("x", `v${i}`)));
      h.push(op(100, 20 + 2 * i, 21 + 2 * i, kv.get("x"), kvOut.get(`v${i}`)));
    }
    h.push(op(100, 50, 51, kv.get("x"), kvOut.get("v3")));
    expect(check(h).outcome).toBe("illegal");
  });
});
