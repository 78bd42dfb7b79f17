import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c.js";

/** The textbook bit-at-a-time definition, to check the sliced tables against. */
function crc32cBitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe("crc32c", () => {
  it("matches the published check values (RFC 3720 appendix B.4)", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it("agrees with the bitwise definition for every length up to 100 and any alignment", () => {
    const bytes = Uint8Array.from({ length: 120 }, (_, i) => (i * 167 + 13) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let len = 0; len <= 100; len++) {
        expect(crc32c(bytes, start, start + len)).toBe(crc32cBitwise(bytes.subarray(start, start + len)));
      }
    }
  });

  it("continues a checksum across pieces", () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    expect(crc32c(bytes, 333, 1000, crc32c(bytes, 0, 333))).toBe(crc32c(bytes));
  });

  it("refuses a range outside the buffer", () => {
    expect(() => crc32c(new Uint8Array(4), 2, 8)).toThrow(RangeError);
  });
});
