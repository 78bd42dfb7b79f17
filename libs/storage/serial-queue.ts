/**
 * Runs async operations one at a time, in call order, with a bound on how many may wait.
 * Durable writes must never interleave: a save that started after another must also land
 * after it in the file.
 */
import { WalQueueFullError } from "./errors.js";

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  // Invariant: 0 <= pending <= depthMax; counts operations queued or running.
  private pending = 0;

  constructor(private readonly depthMax: number) {
    if (!Number.isSafeInteger(depthMax) || depthMax < 1)
      throw new RangeError(`queue depth must be >= 1, got ${depthMax}`);
  }

  get pendingCount(): number {
    return this.pending;
  }

  /** Queues `op`; rejects at once with WalQueueFullError when `depthMax` operations wait. */
  run<T>(op: () => Promise<T>): Promise<T> {
    if (this.pending >= this.depthMax) return Promise.reject(new WalQueueFullError(this.depthMax));
    this.pending++;
    const result = this.tail.then(op).finally(() => {
      this.pending--;
    });
    this.tail = result.then(ignore, ignore);
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  drain(): Promise<void> {
    return this.tail;
  }
}

function ignore(): void {}
