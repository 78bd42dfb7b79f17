import type { Rng } from "../../libs/raft/index.js";
import { seededRng } from "../../libs/raft/index.js";

/**
 * The simulator's randomness: a thin layer of helpers over the core's seededRng. Every
 * random choice of a run comes from a stream derived from the run's seed, so one seed replays
 * the whole run. Streams are derived by tag (not drawn from one another), so adding draws to
 * one concern (say, the workload) does not reshuffle another (say, the network).
 */
export class SimRng implements Rng {
  private readonly inner: Rng & { next(): number };

  constructor(readonly seed: number) {
    this.inner = seededRng(seed);
  }

  next(): number {
    return this.inner.next();
  }

  intn(n: number): number {
    return this.inner.intn(n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.inner.next() < p;
  }

  /** A uniform integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`range [${lo}, ${hi}] is empty`);
    return lo + this.inner.intn(hi - lo + 1);
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError("pick from an empty list");
    return xs[this.inner.intn(xs.length)]!;
  }

  /** Fisher–Yates, in place; returns the same array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.inner.intn(i + 1);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }
}

/** Named streams of one run. */
export const STREAM = {
  config: 1,
  network: 2,
  clock: 3,
  faults: 4,
  workload: 5,
  membership: 6,
  core: 7,
  /** Store mode: the key-value clients and their watches. */
  kvClients: 8,
  kvWatches: 9,
} as const;

/** A seed for stream `tag` of run `seed` (and `sub`, e.g. a node id and incarnation). */
export function deriveSeed(seed: number, tag: number, sub = 0): number {
  let h =
    Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^
    Math.imul(tag + 1, 0x85ebca6b) ^
    Math.imul(sub + 7, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

export function streamRng(seed: number, tag: number, sub = 0): SimRng {
  return new SimRng(deriveSeed(seed, tag, sub));
}
