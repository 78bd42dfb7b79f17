import { describe, expect, it } from "vitest";
import { parseCauses, WatchChannel } from "./index.js";

describe("WatchChannel", () => {
  it("pauses the producer above the high-water mark and resumes it once the consumer drains half", async () => {
    const log: string[] = [];
    const ch = new WatchChannel<number>({
      highWaterMark: 4,
      pause: () => log.push("pause"),
      resume: () => log.push("resume"),
    });
    for (let i = 0; i < 6; i++) ch.push(i);
    expect(log).toEqual(["pause"]);
    ch.end();
    const got: number[] = [];
    for await (const n of ch) {
      got.push(n);
      if (got.length === 5) expect(log).toEqual(["pause", "resume"]);
    }
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("throws the producer's error after the buffered items", async () => {
    const ch = new WatchChannel<number>();
    ch.push(1);
    ch.end(new Error("boom"));
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const n of ch) got.push(n);
      })(),
    ).rejects.toThrow("boom");
    expect(got).toEqual([1]);
  });

  it("tells the producer when the consumer stops early", async () => {
    let closed = 0;
    const ch = new WatchChannel<number>({ onClose: () => closed++ });
    ch.push(1);
    ch.push(2);
    for await (const _ of ch) break;
    expect(closed).toBe(1);
    ch.push(3);
    expect(ch.size).toBe(0);
  });
});

describe("parseCauses", () => {
  it("reads Kubernetes' causes and tolerates malformed trailers", () => {
    expect(parseCauses('[{"field":"spec.replicas","reason":"FieldValueInvalid","message":"m"}]')).toEqual([
      { field: "spec.replicas", reason: "FieldValueInvalid", message: "m" },
    ]);
    expect(parseCauses("not json")).toEqual([]);
    expect(parseCauses('{"field":"x"}')).toEqual([]);
    expect(parseCauses(undefined)).toEqual([]);
  });
});
