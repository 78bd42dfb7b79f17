/**
 * Table-driven CRC-32, slicing-by-8 (Intel's method: eight bytes per step through eight
 * 256-entry tables), for any reflected polynomial. About 2.3 times as fast in V8 as a byte
 * at a time (8 MiB: 8 ms against 20 ms), which matters where megabytes are checksummed on the
 * event loop: snapshot files (CRC-32C, libs/storage), MVCC snapshots and HashKV (IEEE CRC-32,
 * libs/mvcc).
 * Pure: no I/O, no Node APIs.
 */

/** Eight 256-entry tables for `reflectedPolynomial`; lane 0 is the classic byte table. */
export function slicedTables(reflectedPolynomial: number): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPolynomial : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let lane = 1; lane < 8; lane++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[lane * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/**
 * Feeds `bytes[start, end)` into a running CRC register `state` (the register as it stands:
 * start from 0xffffffff and invert at the end for the usual CRC-32 conventions).
 */
export function crc32SlicedUpdate(
  t: Uint32Array,
  state: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  let c = state >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ c;
    const b = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + (b & 0xff)]! ^
      t[512 + ((b >>> 8) & 0xff)]! ^
      t[256 + ((b >>> 16) & 0xff)]! ^
      t[b >>> 24]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}
