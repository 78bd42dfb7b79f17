/**
 * client-go's workqueue: a stingy queue of keys for reconcile loops.
 * - A key being processed (handed out by get(), not yet done()) is never handed out again
 *   until done(), so one key is never reconciled twice at once.
 * - Adds of a key already waiting collapse into one; an add while the key is processing
 *   marks it dirty and it is queued again on done().
 * - After shutDown(), adds are ignored, get() still hands out what is queued and then
 *   resolves undefined.
 */

export interface WorkQueueOptions {
  /** Keys that may wait at once; add() beyond it throws {@link WorkQueueFullError}. @default 1_000_000 */
  readonly lengthMax?: number;
}

/** The queue holds `lengthMax` keys already: the caller's keys are not bounded as it believed. */
export class WorkQueueFullError extends Error {
  override readonly name = "WorkQueueFullError";
}

/** Counters for metrics. */
export interface WorkQueueMetrics {
  /** Keys waiting (len()). */
  readonly depth: number;
  /** Keys handed out and not yet done. */
  readonly processing: number;
  /** add() calls that queued or dirtied a key, since creation. */
  readonly adds: number;
}

export class WorkQueue<K> {
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or processing and added again. */
  private readonly dirty = new Set<K>();
  /** Keys handed out by get() and not yet done(). Invariant: a key is never both queued and processing. */
  private readonly processing = new Set<K>();
  private waiters: ((item: K | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDownFlag = false;
  private adds = 0;
  private readonly lengthMax: number;

  constructor(options: WorkQueueOptions = {}) {
    this.lengthMax = options.lengthMax ?? 1_000_000;
  }

  /** Queues `item` unless it is already waiting; while it is processing, marks it to run again after done(). */
  add(item: K): void {
    if (this.shuttingDownFlag || this.dirty.has(item)) return;
    if (!this.processing.has(item) && this.len() >= this.lengthMax)
      throw new WorkQueueFullError(`work queue holds ${this.lengthMax} keys`);
    this.adds++;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  /** Waits for a key and marks it processing; undefined once shut down and empty. Call done() after. */
  get(): Promise<K | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDownFlag) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Processing of `item` finished; if it was added meanwhile it is queued again. */
  done(item: K): void {
    if (!this.processing.delete(item)) return;
    if (this.dirty.has(item)) this.enqueue(item);
    if (this.processing.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Keys waiting to be handed out. */
  len(): number {
    return this.queue.length - this.head;
  }

  metrics(): WorkQueueMetrics {
    return { depth: this.len(), processing: this.processing.size, adds: this.adds };
  }

  /** Ignores further adds; waiting get() calls resolve undefined. */
  shutDown(): void {
    this.shuttingDownFlag = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  /** shutDown(), then resolves once every key handed out so far is done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.shuttingDownFlag;
  }

  private enqueue(item: K): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      waiter(item);
      return;
    }
    this.queue.push(item);
  }

  private take(): K {
    const item = this.queue[this.head] as K;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(item);
    this.processing.add(item);
    return item;
  }
}
