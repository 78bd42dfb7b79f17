import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMergePatch } from "./index.js";

/** RFC 7386 Appendix A: original, patch, result. */
const RFC7386_EXAMPLES: readonly [unknown, unknown, unknown][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [
    ["a", "b"],
    ["c", "d"],
    ["c", "d"],
  ],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe("applyMergePatch", () => {
  it.each(RFC7386_EXAMPLES)("RFC 7386 appendix A: %j patched with %j gives %j", (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it("never mutates the target or the patch", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (target, patch) => {
        const t = JSON.stringify(target);
        const p = JSON.stringify(patch);
        applyMergePatch(target, patch);
        expect(JSON.stringify(target)).toBe(t);
        expect(JSON.stringify(patch)).toBe(p);
      }),
    );
  });

  it("the result shares no objects with its inputs", () => {
    const target = { keep: { deep: [1] }, change: { x: 1 } };
    const patch = { change: { y: { z: 2 } } };
    const out = applyMergePatch(target, patch) as { keep: { deep: number[] }; change: { y: { z: number } } };
    out.keep.deep.push(2);
    out.change.y.z = 3;
    expect(target.keep.deep).toEqual([1]);
    expect(patch.change.y.z).toBe(2);
  });

  it("a key named __proto__ is plain data, never a prototype", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const out = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("applying a patch twice gives the same result as once (idempotence)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (target, patch) => {
        const once = applyMergePatch(target, patch);
        expect(applyMergePatch(once, patch)).toEqual(once);
      }),
    );
  });
});
