/**
 * Keys as latin1 strings. Inside the store a key is kept as a string with one char per byte
 * (char code 0..255): such strings hash fast as Map keys, and JavaScript's `<` on them orders
 * by UTF-16 code unit, which for chars 0..255 is exactly the bytewise order etcd ranges use.
 * (TextDecoder("latin1") is not usable: it decodes windows-1252, which remaps 0x80..0x9f.)
 */

const CHUNK_CHARS = 4096;

/** The latin1 string of a byte string: one char per byte. */
export function bytesToLatin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= 16) {
    // Short keys are the common case; a loop avoids apply()'s argument setup.
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  if (n <= CHUNK_CHARS) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = "";
  for (let i = 0; i < n; i += CHUNK_CHARS) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK_CHARS) as unknown as number[]);
  }
  return s;
}

/** The bytes of a latin1 string made by `bytesToLatin1` (chars above 255 are truncated). */
export function latin1ToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** UTF-8 bytes of a string: a convenience for tests and callers with text keys. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Bytewise comparison, as Go's bytes.Compare. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The range_end that selects every key with this prefix (etcd's GetPrefixRangeEnd): the
 * prefix with its last byte below 0xff incremented; `[0]` (every key) when all bytes are 0xff.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]! += 1;
      return end;
    }
  }
  return new Uint8Array([0]);
}

/** A request's key selection in latin1 space: one key, or the half-open [start, end). */
export type KeySpan =
  | { readonly kind: "single"; readonly key: string }
  /** `end` undefined: no upper bound (range_end "\0"). */
  | { readonly kind: "range"; readonly start: string; readonly end: string | undefined };

/** Interprets etcd's key/range_end pair. */
export function keySpan(key: Uint8Array, rangeEnd: Uint8Array | undefined): KeySpan {
  const start = bytesToLatin1(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) return { kind: "single", key: start };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { kind: "range", start, end: undefined };
  return { kind: "range", start, end: bytesToLatin1(rangeEnd) };
}

export function spanContains(span: KeySpan, key: string): boolean {
  if (span.kind === "single") return key === span.key;
  return key >= span.start && (span.end === undefined || key < span.end);
}

/** True when two spans share at least one key. */
export function spansOverlap(a: KeySpan, b: KeySpan): boolean {
  if (a.kind === "single") return spanContains(b, a.key);
  if (b.kind === "single") return spanContains(a, b.key);
  const aBeforeB = a.end !== undefined && a.end <= b.start;
  const bBeforeA = b.end !== undefined && b.end <= a.start;
  return !aBeforeB && !bBeforeA;
}
