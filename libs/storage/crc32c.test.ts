import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c.js";

// The sliced tables are checked against the bitwise definition in libs/checksum.
describe("crc32c", () => {
  it("matches the published check values (RFC 3720 appendix B.4)", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it("continues a checksum across pieces", () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    expect(crc32c(bytes, 333, 1000, crc32c(bytes, 0, 333))).toBe(crc32c(bytes));
  });

  it("refuses a range outside the buffer", () => {
    expect(() => crc32c(new Uint8Array(4), 2, 8)).toThrow(RangeError);
  });
});
