import { describe, expect, it } from "vitest";
import { Inflights } from "../inflights.js";

describe("Inflights: the window of unacknowledged MsgApp to one follower", () => {
  it("is full once it holds countMax messages", () => {
    const w = new Inflights(3, 0);
    w.add(1, 100);
    w.add(2, 100);
    expect(w.full()).toBe(false);
    w.add(3, 100);
    expect(w.full()).toBe(true);
    expect(w.count).toBe(3);
  });

  it("is full once it holds bytesMax bytes, even below countMax", () => {
    const w = new Inflights(10, 250);
    w.add(1, 100);
    w.add(2, 100);
    expect(w.full()).toBe(false);
    w.add(3, 60);
    expect(w.full()).toBe(true);
    w.freeLE(1);
    expect(w.full()).toBe(false);
  });

  it("ignores bytes when bytesMax is 0 (unbounded)", () => {
    const w = new Inflights(2, 0);
    w.add(1, Number.MAX_SAFE_INTEGER);
    expect(w.full()).toBe(false);
  });

  it("refuses to add to a full window", () => {
    const w = new Inflights(1, 0);
    w.add(1, 1);
    expect(() => w.add(2, 1)).toThrow(/full/);
  });

  it.each([
    { freeTo: 0, left: 5 },
    { freeTo: 1, left: 5 },
    { freeTo: 2, left: 4 },
    { freeTo: 5, left: 3 },
    { freeTo: 6, left: 2 },
    { freeTo: 10, left: 0 },
    { freeTo: 99, left: 0 },
  ])("freeLE($freeTo) frees every message whose last index is <= it ($left left)", ({ freeTo, left }) => {
    const w = new Inflights(10, 0);
    for (const last of [2, 4, 6, 8, 10]) w.add(last, 1);
    w.freeLE(freeTo);
    expect(w.count).toBe(left);
  });

  it("frees bytes with the messages", () => {
    const w = new Inflights(10, 30);
    w.add(1, 10);
    w.add(2, 10);
    w.add(3, 10);
    expect(w.full()).toBe(true);
    w.freeLE(2);
    expect(w.full()).toBe(false);
    w.add(4, 19);
    expect(w.full()).toBe(false);
    w.add(5, 1);
    expect(w.full()).toBe(true);
  });

  it("keeps working across many add/free cycles (its storage is compacted, not grown)", () => {
    const w = new Inflights(8, 800);
    let next = 1;
    for (let round = 0; round < 500; round++) {
      while (!w.full()) w.add(next++, 100);
      expect(w.count).toBe(8);
      w.freeLE(next - 4); // the oldest 5 are acknowledged
      expect(w.count).toBe(3);
    }
    w.freeLE(next);
    expect(w.count).toBe(0);
    expect(w.full()).toBe(false);
  });

  it("reset empties the window", () => {
    const w = new Inflights(2, 10);
    w.add(1, 10);
    w.reset();
    expect(w.count).toBe(0);
    expect(w.full()).toBe(false);
  });
});
