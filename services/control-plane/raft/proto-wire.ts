/**
 * The protobuf wire format at its smallest: varints, tags and length-delimited fields, for
 * the messages the peer stream encodes by hand (stream-codec.ts). Numbers are JS numbers:
 * a varint above 2^53 - 1 is refused on decode (Raft's terms, indexes and member ids are
 * safe integers; the one full 64-bit field, the cluster id, is read with `varintDecimal`).
 */
import { CodecError } from "./codec.js";

/** Wire types (protobuf encoding spec). */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Encoded size of a varint of a non-negative safe integer. */
export function varintBytes(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes a varint of a non-negative safe integer at `at`; returns the position after it. */
export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  // Division, not shifts: shifts truncate to 32 bits and indexes pass 2^32 in long runs.
  while (n >= 128) {
    buf[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/** The varint bytes of a uint64 given in decimal (the cluster id), computed once per stream. */
export function varintOfDecimal(decimal: string): Uint8Array {
  if (!/^\d{1,20}$/.test(decimal)) throw new CodecError(`not a uint64: ${decimal}`);
  let v = BigInt(decimal);
  if (v >= 1n << 64n) throw new CodecError(`not a uint64: ${decimal}`);
  const out: number[] = [];
  while (v >= 128n) {
    out.push(Number(v & 127n) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Encoded size of a tag with a field number below 16 (one byte) followed by a varint. */
export function varintFieldBytes(n: number): number {
  return 1 + varintBytes(n);
}

/** Encoded size of a length-delimited field (field number below 16) holding `length` bytes. */
export function bytesFieldBytes(length: number): number {
  return 1 + varintBytes(length) + length;
}

/** The one-byte tag of a field numbered below 16. */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** Reads one protobuf message in [start, end) of `buf`; every read is bounds-checked. */
export class ProtoReader {
  private at: number;

  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly end: number,
    /** Named in errors: "message", "entry", … */
    private readonly what: string,
  ) {
    this.at = start;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: number } {
    const t = this.varint("tag");
    const field = Math.floor(t / 8);
    if (field === 0) throw new CodecError(`${this.what}: field number 0`);
    return { field, wireType: t % 8 };
  }

  /** A varint as a safe integer. */
  varint(field: string): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.at >= this.end) throw new CodecError(`${this.what}.${field}: truncated varint`);
      const b = this.buf[this.at++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(n)) throw new CodecError(`${this.what}.${field}: exceeds 2^53 - 1`);
        return n;
      }
      scale *= 128;
    }
    throw new CodecError(`${this.what}.${field}: exceeds 2^53 - 1`);
  }

  /** A uint64 varint of any size, in decimal. */
  varintDecimal(field: string): string {
    let n = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new CodecError(`${this.what}.${field}: truncated varint`);
      const b = this.buf[this.at++]!;
      n |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) {
        if (n >= 1n << 64n) throw new CodecError(`${this.what}.${field}: exceeds 64 bits`);
        return n.toString();
      }
    }
    throw new CodecError(`${this.what}.${field}: varint longer than 10 bytes`);
  }

  /** A length-delimited field's extent; the reader moves past it. */
  span(field: string): { start: number; end: number } {
    const length = this.varint(`${field} length`);
    if (length > this.end - this.at)
      throw new CodecError(`${this.what}.${field}: ${length} bytes, ${this.end - this.at} left`);
    const start = this.at;
    this.at += length;
    return { start, end: this.at };
  }

  /**
   * A bytes field as a view over the frame (no copy: the entries of one frame share its
   * buffer, as protobufjs' decoder did).
   */
  bytes(field: string): Uint8Array {
    const { start, end } = this.span(field);
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + start, end - start);
  }

  /** A repeated varint field's value(s), packed (proto3's default) or one per field, appended to `out`. */
  repeatedVarint(wireType: number, field: string, out: number[]): void {
    if (wireType === WireType.varint) {
      out.push(this.varint(field));
      return;
    }
    this.expect(field, wireType, WireType.bytes);
    const { start, end } = this.span(field);
    const packed = new ProtoReader(this.buf, start, end, this.what);
    while (!packed.done) out.push(packed.varint(field));
  }

  /** Checks that a field arrived with the wire type its declaration gives it. */
  expect(field: string, wireType: number, want: number): void {
    if (wireType !== want)
      throw new CodecError(`${this.what}.${field}: wire type ${wireType}, expected ${want}`);
  }

  /** Skips a field this decoder does not know (protobuf's rule for unknown fields). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varintDecimal("unknown field");
        return;
      case WireType.fixed64:
        this.advance(8);
        return;
      case WireType.bytes:
        this.span("unknown field");
        return;
      case WireType.fixed32:
        this.advance(4);
        return;
      default:
        throw new CodecError(`${this.what}: unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.at) throw new CodecError(`${this.what}: truncated fixed field`);
    this.at += n;
  }
}
