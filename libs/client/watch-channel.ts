/**
 * A bounded hand-off from a push source (a gRPC stream, the fake's event fan-out) to one
 * async-iterating consumer. When more than `highWaterMark` items wait, the producer is told
 * to pause (the gRPC stream stops reading, so TCP flow control slows the server) and is
 * resumed once the consumer catches up. An error ends the iteration by throwing it.
 */

export interface WatchChannelOptions {
  /** @default 1_000 */
  readonly highWaterMark?: number;
  /** Called when the buffer passes the high-water mark. */
  readonly pause?: () => void;
  /** Called when the buffer drains below half the high-water mark after a pause. */
  readonly resume?: () => void;
  /** Called once when the consumer stops (close(), break, or return) before the source ended. */
  readonly onClose?: () => void;
}

export class WatchChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private head = 0;
  private ended = false;
  private error: unknown;
  private closed = false;
  private paused = false;
  private waiter: (() => void) | undefined;
  private readonly highWaterMark: number;

  constructor(private readonly options: WatchChannelOptions = {}) {
    this.highWaterMark = options.highWaterMark ?? 1_000;
  }

  /** Producer: one more item; ignored after end or close. */
  push(item: T): void {
    if (this.ended || this.closed) return;
    this.buffer.push(item);
    if (!this.paused && this.buffer.length - this.head > this.highWaterMark) {
      this.paused = true;
      this.options.pause?.();
    }
    this.wake();
  }

  /** Producer: no more items; with `error`, the consumer's iteration throws it after the buffered items. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.wake();
  }

  /** Consumer: stop; buffered items are dropped and the producer is told via onClose. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.length = 0;
    this.head = 0;
    if (!this.ended) this.options.onClose?.();
    this.wake();
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.buffer.length - this.head;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.closed) return;
        if (this.head < this.buffer.length) {
          const item = this.buffer[this.head] as T;
          this.head++;
          if (this.head > 1024 && this.head * 2 > this.buffer.length) {
            this.buffer.splice(0, this.head);
            this.head = 0;
          }
          if (this.paused && this.size < this.highWaterMark / 2) {
            this.paused = false;
            this.options.resume?.();
          }
          yield item;
          continue;
        }
        if (this.ended) {
          if (this.error !== undefined) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.waiter = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
