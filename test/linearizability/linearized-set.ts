/**
 * The set of operations linearized so far in one search, as a bitset with an incrementally
 * maintained Zobrist hash, so that memoizing a search configuration costs O(1) to hash and
 * O(ops / 32) only to copy or compare.
 */

/** Seed of the Zobrist table: fixed, because verdicts and step counts must be reproducible. */
const ZOBRIST_SEED = 0x6a09e667;

export class LinearizedSet {
  /** Bit i set iff operation i is linearized. Length ceil(size / 32). */
  readonly words: Uint32Array;
  /** Two independent 32-bit Zobrist hashes of `words`; together they make a 53-bit key. */
  hashLo = 0;
  hashHi = 0;
  /** Random values per operation: [2i] feeds hashLo, [2i + 1] feeds hashHi. */
  private readonly zobrist: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.zobrist = zobristTable(size * 2);
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  /** Flips membership of `i`; set and clear are the same XOR, which keeps the hash exact. */
  toggle(i: number): void {
    this.words[i >>> 5]! ^= 1 << (i & 31);
    this.hashLo ^= this.zobrist[2 * i]!;
    this.hashHi ^= this.zobrist[2 * i + 1]!;
  }

  snapshot(): Uint32Array {
    return this.words.slice();
  }

  equalsWords(other: Uint32Array): boolean {
    const w = this.words;
    for (let i = 0; i < w.length; i++) if (w[i] !== other[i]) return false;
    return true;
  }
}

/** splitmix32: small, fast, good enough to make XOR collisions rare. */
function zobristTable(n: number): Uint32Array {
  const table = new Uint32Array(n);
  let s = ZOBRIST_SEED;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    table[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return table;
}
