/**
 * client-go's delaying and rate-limiting work queue on top of {@link WorkQueue}: keys can be
 * added after a delay (one timer for the earliest, a heap for the rest; a key waiting twice
 * keeps its earlier time), and failed keys are re-added after their rate limiter's delay.
 */
import { type Clock, realClock, type TimerHandle } from "./clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";
import { WorkQueue, type WorkQueueOptions } from "./work-queue.js";

export interface RateLimitingQueueOptions<K> extends WorkQueueOptions {
  /** @default realClock */
  readonly clock?: Clock;
  /** @default defaultControllerRateLimiter(clock) */
  readonly rateLimiter?: RateLimiter<K>;
}

interface Waiting<K> {
  readonly readyAtMs: number;
  readonly seq: number;
  readonly item: K;
}

export class RateLimitingQueue<K> extends WorkQueue<K> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  /** Min-heap by (readyAtMs, seq); entries whose time no longer matches `readyAt` are stale. */
  private heap: Waiting<K>[] = [];
  /** Invariant: each key waiting has exactly one live heap entry, at this time. */
  private readonly readyAt = new Map<K, number>();
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerDueMs = Number.POSITIVE_INFINITY;

  constructor(options: RateLimitingQueueOptions<K> = {}) {
    super(options);
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Adds `item` once `delayMs` has passed; at once when delayMs <= 0. */
  addAfter(item: K, delayMs: number): void {
    if (this.shuttingDown()) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAtMs = this.clock.now() + delayMs;
    const existing = this.readyAt.get(item);
    if (existing !== undefined && existing <= readyAtMs) return;
    this.readyAt.set(item, readyAtMs);
    this.push({ readyAtMs, seq: this.seq++, item });
    this.arm();
  }

  /** Adds `item` after the rate limiter's delay for it (counts one failure). */
  addRateLimited(item: K): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Resets `item`'s failure count (call after it succeeded). */
  forget(item: K): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Keys waiting for their delay. */
  waitingLen(): number {
    return this.readyAt.size;
  }

  override shutDown(): void {
    super.shutDown();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.heap = [];
    this.readyAt.clear();
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined || top.readyAtMs >= this.timerDueMs) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDueMs = top.readyAtMs;
    this.timer = this.clock.setTimeout(() => this.fire(), top.readyAtMs - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDueMs = Number.POSITIVE_INFINITY;
    const nowMs = this.clock.now();
    for (let top = this.heap[0]; top !== undefined && top.readyAtMs <= nowMs; top = this.heap[0]) {
      this.pop();
      if (this.readyAt.get(top.item) !== top.readyAtMs) continue;
      this.readyAt.delete(top.item);
      this.add(top.item);
    }
    this.arm();
  }

  private push(w: Waiting<K>): void {
    const h = this.heap;
    h.push(w);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!less(h[i] as Waiting<K>, h[parent] as Waiting<K>)) break;
      [h[i], h[parent]] = [h[parent] as Waiting<K>, h[i] as Waiting<K>];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l] as Waiting<K>, h[m] as Waiting<K>)) m = l;
      if (r < h.length && less(h[r] as Waiting<K>, h[m] as Waiting<K>)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Waiting<K>, h[i] as Waiting<K>];
      i = m;
    }
  }
}

function less<K>(a: Waiting<K>, b: Waiting<K>): boolean {
  return a.readyAtMs < b.readyAtMs || (a.readyAtMs === b.readyAtMs && a.seq < b.seq);
}
