import { describe, expect, it } from "vitest";
import { decodeEnvelope, EnvelopeError, encodeEnvelope } from "./envelope.js";
import { decodeSnapshotData, encodeSnapshotData, SnapshotDataError } from "./snapshot-data.js";

describe("proposal envelope", () => {
  it("carries the tag and the payload, with 64-bit member and seq", () => {
    const tag = { member: 2 ** 53 - 1, incarnation: 0xffff_fffe, seq: 2 ** 40 + 5 };
    const { tag: back, payload } = decodeEnvelope(encodeEnvelope(tag, new Uint8Array([1, 2, 3])));
    expect(back).toEqual(tag);
    expect([...payload]).toEqual([1, 2, 3]);
  });

  it("refuses short data and unknown versions", () => {
    expect(() => decodeEnvelope(new Uint8Array(5))).toThrow(EnvelopeError);
    const bad = encodeEnvelope({ member: 1, incarnation: 1, seq: 1 }, new Uint8Array(0));
    bad[0] = 9;
    expect(() => decodeEnvelope(bad)).toThrow(EnvelopeError);
  });
});

describe("snapshot data", () => {
  it("carries the member table beside the state machine's bytes", () => {
    const members = [
      { id: 1, url: "127.0.0.1:1000" },
      { id: 2, url: "127.0.0.1:2000" },
    ];
    const out = decodeSnapshotData(encodeSnapshotData(members, [new Uint8Array([5]), new Uint8Array([6])]));
    expect(out.members).toEqual(members);
    expect([...out.state]).toEqual([5, 6]);
  });

  it("refuses data without the header", () => {
    expect(() => decodeSnapshotData(new Uint8Array([1, 2, 3]))).toThrow(SnapshotDataError);
  });
});
