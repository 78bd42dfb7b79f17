/**
 * The byte-level toolkit of the command codec and the snapshot format: a growable writer and
 * readers with bounds checks, for unsigned varints (safe integers up to 2^53), zigzag signed
 * varints, and length-prefixed byte strings. Readers never read past their input: a short or
 * malformed input raises the error the caller's `fail` builds.
 */

export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(n: number): void {
    this.reserve(1);
    this.buf[this.pos++] = n;
  }

  /** A non-negative safe integer, 7 bits per byte, least significant first. */
  uvarint(n: number): void {
    this.reserve(8);
    let v = n;
    if (v < 0x80000000) {
      while (v >= 0x80) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        this.buf[this.pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    this.buf[this.pos++] = v;
  }

  /**
   * An integer in [-2^52, 2^53) (zigzag: 0, -1, 1, -2, ... map to 0, 1, 2, 3, ...). Doubles
   * hold every even number up to 2^54 exactly, so the whole positive safe range fits; the
   * negative side stops at -2^52, far below any meaningful revision, limit or TTL.
   */
  svarint(n: number): void {
    if (n < -SVARINT_NEGATIVE_MAX) throw new RangeError(`svarint below -2^52: ${n}`);
    this.uvarint(n < 0 ? -n * 2 - 1 : n * 2);
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.raw(b);
  }

  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The bytes written so far (a view; copy before writing more if it must be kept). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Forgets everything written, keeping the allocation. */
  reset(): void {
    this.pos = 0;
  }

  /** Forgets the first `n` bytes written; the rest move to the front. */
  dropFront(n: number): void {
    this.buf.copyWithin(0, n, this.pos);
    this.pos -= n;
  }
}

/** What both readers offer; decoders are written against this. */
export interface ByteSource {
  u8(): number;
  uvarint(): number;
  svarint(): number;
  /** Length-prefixed bytes, at most `maxBytes` long. */
  bytes(maxBytes: number): Uint8Array;
  /** True when every byte has been read. */
  atEnd(): boolean;
}

export type Fail = (reason: string) => Error;

const SVARINT_NEGATIVE_MAX = 2 ** 52;
/** Largest zigzag value: 2 × (2^53 - 1), exact as a double because it is even. */
const ZIGZAG_MAX = 2 * Number.MAX_SAFE_INTEGER;

function readUvarint(u8: () => number, fail: Fail, max: number = Number.MAX_SAFE_INTEGER): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const b = u8();
    result += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (result > max) throw fail("varint out of range");
      return result;
    }
    scale *= 0x80;
  }
  throw fail("varint longer than 8 bytes");
}

function unzigzag(n: number, fail: Fail): number {
  if (n % 2 === 0) return n / 2;
  if (n > 2 * SVARINT_NEGATIVE_MAX) throw fail("signed varint out of range");
  return -(n + 1) / 2;
}

/**
 * The varint and length-prefixed forms, written once over two byte sources: a subclass says
 * how to read one byte and how to take `n` (a view or a copy).
 */
abstract class VarintReader implements ByteSource {
  constructor(protected readonly fail: Fail) {}

  abstract u8(): number;
  /** The next `n` bytes; throws through `fail` when fewer remain. */
  protected abstract take(n: number): Uint8Array;
  abstract atEnd(): boolean;

  uvarint(): number {
    return readUvarint(() => this.u8(), this.fail);
  }

  svarint(): number {
    return unzigzag(
      readUvarint(() => this.u8(), this.fail, ZIGZAG_MAX),
      this.fail,
    );
  }

  bytes(maxBytes: number): Uint8Array {
    const n = this.uvarint();
    if (n > maxBytes) throw this.fail(`byte string of ${n} bytes exceeds ${maxBytes}`);
    return this.take(n);
  }
}

/** Reads one contiguous buffer. Byte strings are views into it (zero copy). */
export class ByteReader extends VarintReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    fail: Fail,
  ) {
    super(fail);
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw this.fail(`truncated at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  protected take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw this.fail(`truncated at byte ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  atEnd(): boolean {
    return this.pos === this.buf.length;
  }
}

/**
 * Reads a byte stream that arrives as chunks cut anywhere. Byte strings are copied, so the
 * chunks can be dropped as soon as they are read.
 */
export class ChunkReader extends VarintReader {
  private cur: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private readonly it: Iterator<Uint8Array>;

  constructor(chunks: Iterable<Uint8Array>, fail: Fail) {
    super(fail);
    this.it = chunks[Symbol.iterator]();
  }

  /** Makes at least `n` bytes available in `cur` from `pos`, joining chunks when a field straddles them. */
  private ensure(n: number): boolean {
    while (this.cur.length - this.pos < n) {
      const next = this.it.next();
      if (next.done === true) return false;
      const rest = this.cur.subarray(this.pos);
      if (rest.length === 0) {
        this.cur = next.value;
      } else {
        const joined = new Uint8Array(rest.length + next.value.length);
        joined.set(rest);
        joined.set(next.value, rest.length);
        this.cur = joined;
      }
      this.pos = 0;
    }
    return true;
  }

  u8(): number {
    if (!this.ensure(1)) throw this.fail("truncated");
    return this.cur[this.pos++]!;
  }

  protected take(n: number): Uint8Array {
    if (!this.ensure(n)) throw this.fail("truncated");
    const out = this.cur.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  atEnd(): boolean {
    return !this.ensure(1);
  }
}
