import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToLatin1, compareBytes, latin1ToBytes, prefixEnd } from "../index.js";

describe("keys as latin1 strings", () => {
  it("round-trip every byte string and order exactly as bytewise comparison", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.uint8Array({ maxLength: 20 }), (x, y) => {
        const sx = bytesToLatin1(x);
        const sy = bytesToLatin1(y);
        expect(latin1ToBytes(sx)).toEqual(x);
        expect(Math.sign(compareBytes(x, y))).toBe(sx < sy ? -1 : sx > sy ? 1 : 0);
      }),
    );
  });

  it("bytes 0x80..0x9f survive (windows-1252 decoding would remap them)", () => {
    const k = Uint8Array.from([0x80, 0x9f, 0xff, 0x00]);
    expect(latin1ToBytes(bytesToLatin1(k))).toEqual(k);
  });
});

describe("prefixEnd", () => {
  it("increments the last byte below 0xff, and selects every key when all bytes are 0xff", () => {
    expect(prefixEnd(Uint8Array.from([0x61, 0x62]))).toEqual(Uint8Array.from([0x61, 0x63]));
    expect(prefixEnd(Uint8Array.from([0x61, 0xff, 0xff]))).toEqual(Uint8Array.from([0x62]));
    expect(prefixEnd(Uint8Array.from([0xff]))).toEqual(Uint8Array.from([0]));
  });
});
