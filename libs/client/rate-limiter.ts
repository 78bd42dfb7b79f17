/**
 * client-go's workqueue rate limiters: how long a failed item waits before it is retried.
 * The default for controllers is the larger of a per-item exponential backoff (5 ms doubling
 * to 1000 s) and an overall token bucket (10 qps, burst 100), so one bad key backs off
 * alone and a storm of failures cannot flood the API.
 */
import { type Clock, realClock } from "./clock.js";

export interface RateLimiter<K> {
  /** How long `item` should wait now; counts a failure. */
  when(item: K): number;
  /** Stop tracking `item` (it succeeded). */
  forget(item: K): void;
  /** Failures counted for `item` since it was last forgotten. */
  numRequeues(item: K): number;
}

/** base * 2^failures, capped: client-go's ItemExponentialFailureRateLimiter. */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    /** @default 5 */
    private readonly baseDelayMs = 5,
    /** @default 1_000_000 (1000 s) */
    private readonly maxDelayMs = 1_000_000,
  ) {}

  when(item: K): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const delayMs = this.baseDelayMs * 2 ** Math.min(exp, 62);
    return Math.min(delayMs, this.maxDelayMs);
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }

  /** Items currently tracked (bounded by the keys that are failing). */
  get size(): number {
    return this.failures.size;
  }
}

/**
 * A token bucket shared by all items (golang.org/x/time/rate's Reserve): each call takes a
 * token, possibly going into debt, and waits until the debt is repaid at `qps`.
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private lastMs: number;

  constructor(
    /** @default 10 */
    private readonly qps = 10,
    /** @default 100 */
    private readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.lastMs = clock.now();
  }

  when(_item: K): number {
    const nowMs = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.qps) / 1000);
    this.lastMs = nowMs;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay of several limiters; every limiter counts the failure. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(item: K): number {
    let delayMs = 0;
    for (const l of this.limiters) delayMs = Math.max(delayMs, l.when(item));
    return delayMs;
  }

  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(item));
    return n;
  }
}

/** client-go's DefaultControllerRateLimiter: max(per-item 5 ms..1000 s, bucket 10 qps / burst 100). */
export function defaultControllerRateLimiter<K>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(5, 1_000_000),
    new BucketRateLimiter<K>(10, 100, clock),
  );
}
