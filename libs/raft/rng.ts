import type { Rng } from "./types.js";

/**
 * A small, fast, seeded PRNG (mulberry32). Every random choice in the core and in the
 * simulator comes from one of these, so a seed replays a run exactly.
 */
export function seededRng(seed: number): Rng & { next(): number } {
  let a = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    intn(n: number): number {
      if (!(n > 0)) throw new RangeError(`intn needs n > 0, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}
