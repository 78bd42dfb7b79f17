/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum etcd's HashKV uses. */
import { crc32SlicedUpdate, slicedTables } from "../checksum/index.js";

/** Slicing-by-8 tables; the first 256 entries are the classic byte table. */
const TABLE: Uint32Array = slicedTables(0xedb88320);

/** The running state before any byte; finish with `crc32Final`. */
export const CRC32_INIT = 0xffffffff;

/** Feeds bytes into a running CRC state. */
export function crc32Update(state: number, bytes: Uint8Array): number {
  return crc32SlicedUpdate(TABLE, state, bytes, 0, bytes.length);
}

/** Feeds a non-negative safe integer as 8 little-endian bytes (revisions, ids, counts). */
export function crc32UpdateU64(state: number, n: number): number {
  let c = state;
  let lo = n % 0x100000000;
  let hi = Math.floor(n / 0x100000000);
  for (let i = 0; i < 4; i++, lo >>>= 8) c = TABLE[(c ^ lo) & 0xff]! ^ (c >>> 8);
  for (let i = 0; i < 4; i++, hi >>>= 8) c = TABLE[(c ^ hi) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a whole byte string. */
export function crc32(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC32_INIT, bytes));
}
