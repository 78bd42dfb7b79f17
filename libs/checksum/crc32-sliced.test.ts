import { describe, expect, it } from "vitest";
import { crc32SlicedUpdate, slicedTables } from "./crc32-sliced.js";

/** The textbook bit-at-a-time definition of a reflected CRC-32, to check the sliced tables. */
function bitwise(poly: number, bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return ~c >>> 0;
}

const POLYS = { "IEEE 802.3": 0xedb88320, Castagnoli: 0x82f63b78 };

describe.each(Object.entries(POLYS))("sliced CRC-32 (%s)", (_name, poly) => {
  const t = slicedTables(poly);
  const crc = (b: Uint8Array, start = 0, end = b.length): number =>
    ~crc32SlicedUpdate(t, 0xffffffff, b, start, end) >>> 0;

  it("agrees with the bitwise definition for every length up to 100 at any alignment", () => {
    const bytes = Uint8Array.from({ length: 120 }, (_, i) => (i * 167 + 13) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let len = 0; len <= 100; len++) {
        expect(crc(bytes, start, start + len)).toBe(bitwise(poly, bytes.subarray(start, start + len)));
      }
    }
  });

  it("continues across pieces: the register after one piece feeds the next", () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const half = crc32SlicedUpdate(t, 0xffffffff, bytes, 0, 333);
    expect(~crc32SlicedUpdate(t, half, bytes, 333, 1000) >>> 0).toBe(crc(bytes));
  });
});

it("gives the published check values of both polynomials for '123456789'", () => {
  const check = new TextEncoder().encode("123456789");
  const crcOf = (poly: number): number =>
    ~crc32SlicedUpdate(slicedTables(poly), 0xffffffff, check, 0, 9) >>> 0;
  expect(crcOf(POLYS["IEEE 802.3"])).toBe(0xcbf43926);
  expect(crcOf(POLYS.Castagnoli)).toBe(0xe3069283);
});
