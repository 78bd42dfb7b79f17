import type { Entry } from "../../libs/raft/index.js";

/**
 * A 53-bit non-cryptographic hash (cyrb53) over bytes: enough to tell histories apart in a
 * simulation, where the adversary is a bug and not an attacker.
 */
export function hashBytes(data: Uint8Array, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    h1 = Math.imul(h1 ^ b, 2654435761);
    h2 = Math.imul(h2 ^ b, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const digests = new WeakMap<Entry, string>();

/** Identity of an entry's content: term, type and data (the index is where it sits, not what it is). */
export function entryDigest(e: Entry): string {
  const cached = digests.get(e);
  if (cached !== undefined) return cached;
  const seed = (e.term * 2 + (e.type === "confChange" ? 1 : 0)) | 0;
  const d = `${e.term}:${e.type === "confChange" ? "c" : "n"}:${hashBytes(e.data, seed).toString(36)}`;
  digests.set(e, d);
  return d;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}
