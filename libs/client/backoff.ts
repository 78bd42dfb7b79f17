/**
 * Exponential backoff with full jitter (AWS architecture blog's "full jitter"): the n-th
 * delay is uniform in [0, min(max, base * 2^n)], so clients that failed together do not
 * retry together.
 */

export interface BackoffOptions {
  /** @default 50 */
  readonly baseMs?: number;
  /** @default 2_000 */
  readonly maxMs?: number;
  /** Uniform in [0, 1); injectable for deterministic tests. @default Math.random */
  readonly random?: () => number;
}

/** One retry sequence's delays; `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 50;
    this.maxMs = options.maxMs ?? 2_000;
    this.random = options.random ?? Math.random;
  }

  /** The next delay; grows with each call until reset. */
  nextDelayMs(): number {
    const ceilingMs = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceilingMs);
  }

  reset(): void {
    this.attempt = 0;
  }
}
