import type { LinearizedSet } from "./linearized-set.js";

/**
 * The memo of Lowe's algorithm: configurations (linearized set, model state) already reached.
 * Reaching one again means the search below it has been done (and failed), so the search
 * skips it; this is what turns an exponential search into a usually fast one.
 */

interface Entry<S> {
  readonly words: Uint32Array;
  readonly state: S;
}

export class MemoCache<S> {
  /** Buckets by a 53-bit key mixing both hashes; collisions are resolved by full equality. */
  private readonly buckets = new Map<number, Entry<S>[]>();
  private count = 0;
  /** Bucket entries compared so far beyond the first of each lookup: the cost of collisions. */
  comparisons = 0;

  constructor(private readonly equal: (a: S, b: S) => boolean) {}

  get size(): number {
    return this.count;
  }

  /** Records the configuration; false if it was already there. */
  addIfAbsent(set: LinearizedSet, state: S, stateHash: number): boolean {
    const key = cacheKey(set, stateHash);
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, [{ words: set.snapshot(), state }]);
      this.count++;
      return true;
    }
    this.comparisons += bucket.length - 1;
    for (const e of bucket) {
      if (set.equalsWords(e.words) && this.equal(e.state, state)) return false;
    }
    bucket.push({ words: set.snapshot(), state });
    this.count++;
    return true;
  }
}

function cacheKey(set: LinearizedSet, stateHash: number): number {
  // Mix the state hash differently into each half so that a state hash equal to a set hash
  // does not cancel out in both.
  const lo = (set.hashLo ^ Math.imul(stateHash, 0x9e3779b1)) >>> 0;
  const hi = (set.hashHi ^ Math.imul(stateHash ^ (stateHash >>> 15), 0x85ebca6b)) & 0x1fffff;
  return hi * 0x1_0000_0000 + lo;
}
