/**
 * CRC-32C (Castagnoli), the checksum of iSCSI, ext4 metadata and etcd's WAL: it detects all
 * burst errors up to 32 bits and every odd number of flipped bits, which is what a torn or
 * rotten sector looks like. Pure TypeScript, slicing-by-8 (libs/checksum), so checksumming
 * stays well below the cost of the fdatasync it protects.
 */
import { crc32SlicedUpdate, slicedTables } from "../checksum/index.js";

/** Slicing-by-8 tables of the reflected Castagnoli polynomial, computed once at load. */
const TABLES: Uint32Array = slicedTables(0x82f63b78);

/**
 * The CRC-32C of `bytes[start, end)`. Pass a previous result as `crc` to continue a checksum
 * over several pieces: `crc32c(b, 0, b.length, crc32c(a))` equals the CRC of `a` then `b`.
 */
export function crc32c(bytes: Uint8Array, start = 0, end: number = bytes.length, crc = 0): number {
  if (start < 0 || end > bytes.length || start > end) {
    throw new RangeError(`crc32c range [${start}, ${end}) is outside a buffer of ${bytes.length} bytes`);
  }
  return ~crc32SlicedUpdate(TABLES, ~crc >>> 0, bytes, start, end) >>> 0;
}
