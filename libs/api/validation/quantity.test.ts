import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareQuantities, parseQuantity, parseQuantityValue, quantityError } from "../index.js";

describe("parseQuantity (milli-units) and parseQuantityValue (base units)", () => {
  const CASES: readonly [string, number, number][] = [
    ["500m", 500, 1],
    ["2", 2000, 2],
    ["0.1", 100, 1],
    ["1.5", 1500, 2],
    ["1k", 1_000_000, 1000],
    ["1Ki", 1_024_000, 1024],
    ["1Mi", 1_048_576_000, 1_048_576],
    ["1Gi", 1_073_741_824_000, 1_073_741_824],
    ["128974848", 128_974_848_000, 128_974_848],
    ["129e6", 129_000_000_000, 129_000_000],
    ["1e-3", 1, 1],
    ["100n", 1, 1],
    ["0", 0, 0],
    ["+1", 1000, 1],
    ["-1", -1000, -1],
    [".5", 500, 1],
  ];
  it.each(CASES)("%s is %d milli-units and %d units (rounded up)", (text, milli, units) => {
    expect(parseQuantity(text)).toBe(milli);
    expect(parseQuantityValue(text)).toBe(units);
    expect(quantityError(text)).toBeUndefined();
  });

  it.each(["", "lots", "1Qi", "1.2.3", "m", "1 Gi", "1gi", "1e999", "Ki"])("%j is not a quantity", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(quantityError(text)).toBeDefined();
  });

  it("compares exactly, across suffixes", () => {
    expect(compareQuantities("1Gi", "1G")).toBe(1);
    expect(compareQuantities("1000m", "1")).toBe(0);
    expect(compareQuantities("0.1", "100m")).toBe(0);
    expect(compareQuantities("x", "1")).toBeUndefined();
  });

  it("milli-units of an integer count are exactly a thousand times the count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (n) => {
        expect(parseQuantity(String(n))).toBe(n * 1000);
        expect(parseQuantity(`${n}m`)).toBe(n);
      }),
    );
  });
});
