/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum etcd's HashKV uses. */

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The running state before any byte; finish with `crc32Final`. */
export const CRC32_INIT = 0xffffffff;

/** Feeds bytes into a running CRC state. */
export function crc32Update(state: number, bytes: Uint8Array): number {
  let c = state;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
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
