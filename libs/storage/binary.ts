/**
 * Little-endian field access for the on-disk formats. Terms and indexes are safe integers
 * (< 2^53) stored as 64-bit fields, written as two 32-bit halves so no BigInt is needed on
 * the hot path.
 */

/** A field that does not fit, or a read past the end: the bytes are not what the format says. */
export class DecodeError extends Error {
  override readonly name = "DecodeError";
}

const TWO_POW_32 = 2 ** 32;
/** Largest high half of a safe integer: 2^53 - 1 = (2^21 - 1) * 2^32 + (2^32 - 1). */
const SAFE_HIGH_MAX = 0x1fffff;

/** Writes a non-negative safe integer as a little-endian u64. */
export function setU64(view: DataView, offsetBytes: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`expected a non-negative safe integer, got ${n}`);
  view.setUint32(offsetBytes, n >>> 0, true);
  view.setUint32(offsetBytes + 4, Math.floor(n / TWO_POW_32), true);
}

/** Reads a little-endian u64 that must be a safe integer. */
export function getU64(view: DataView, offsetBytes: number): number {
  const low = view.getUint32(offsetBytes, true);
  const high = view.getUint32(offsetBytes + 4, true);
  if (high > SAFE_HIGH_MAX) throw new DecodeError(`u64 at ${offsetBytes} exceeds 2^53`);
  return high * TWO_POW_32 + low;
}

/** A DataView over exactly the bytes of `bytes` (which may be a slice of a larger buffer). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Sequential reads over `bytes[start, end)`; every read past `end` is a DecodeError. */
export class ByteReader {
  private readonly view: DataView;
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.view = viewOf(bytes);
    this.pos = start;
  }

  get remainingBytes(): number {
    return this.end - this.pos;
  }

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.end) {
      throw new DecodeError(`read of ${n} bytes at ${this.pos} runs past the end at ${this.end}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  u64(): number {
    return getU64(this.view, this.take(8));
  }

  /** A copy, so decoded values never pin the (possibly 64 MiB) buffer they were read from. */
  bytesCopy(n: number): Uint8Array {
    const at = this.take(n);
    // Not bytes.slice(): on a Node Buffer (what readFile returns) slice is a view, not a copy.
    const out = new Uint8Array(n);
    out.set(this.bytes.subarray(at, at + n));
    return out;
  }

  /** Asserts every byte was consumed: trailing bytes mean a format mismatch. */
  finish(): void {
    if (this.pos !== this.end) throw new DecodeError(`${this.end - this.pos} unexpected trailing bytes`);
  }
}

/** Sequential writes into a buffer sized in advance by the caller. */
export class ByteWriter {
  private readonly view: DataView;
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.view = viewOf(bytes);
    this.pos = start;
  }

  get positionBytes(): number {
    return this.pos;
  }

  u8(n: number): void {
    this.view.setUint8(this.pos, n);
    this.pos += 1;
  }

  u32(n: number): void {
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }

  u64(n: number): void {
    setU64(this.view, this.pos, n);
    this.pos += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.byteLength;
  }
}

/** True when every byte of `bytes[start, end)` is zero: unwritten or preallocated space. */
export function isAllZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** 16 lower-case hex digits, the fixed width that keeps file names sorted by number. */
export function hex16(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`expected a non-negative safe integer, got ${n}`);
  return n.toString(16).padStart(16, "0");
}

/** Parses 16 hex digits back, or undefined if the text is not exactly that. */
export function parseHex16(s: string): number | undefined {
  if (!/^[0-9a-f]{16}$/.test(s)) return undefined;
  const n = Number.parseInt(s, 16);
  return Number.isSafeInteger(n) ? n : undefined;
}
