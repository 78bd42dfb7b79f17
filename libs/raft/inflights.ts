import type { Index } from "./types.js";

/**
 * The window of MsgApp messages sent to one follower and not yet acknowledged, bounded in
 * count and bytes: the leader pipelines appends but stops once the window is full, so a slow
 * follower costs bounded memory (etcd raft tracker/inflights.go).
 * Invariant: the recorded last indexes are strictly increasing.
 */
export class Inflights {
  private readonly lastIndexes: Index[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    readonly countMax: number,
    readonly bytesMax: number,
  ) {}

  get count(): number {
    return this.lastIndexes.length - this.head;
  }

  full(): boolean {
    return this.count >= this.countMax || (this.bytesMax > 0 && this.bytes >= this.bytesMax);
  }

  /** Records a sent MsgApp whose last entry is `lastIndex`. */
  add(lastIndex: Index, bytes: number): void {
    if (this.full()) throw new Error("inflights: add to a full window");
    this.lastIndexes.push(lastIndex);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `to` (acknowledged). */
  freeLE(to: Index): void {
    while (this.head < this.lastIndexes.length && this.lastIndexes[this.head]! <= to) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
    }
    // Compact now and then so the arrays do not grow without bound.
    if (this.head > 64 && this.head * 2 > this.lastIndexes.length) {
      this.lastIndexes.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * Frees the oldest message. A heartbeat reply proves the follower is alive while a full
   * window may be waiting on appends that were lost: without this the pipeline never resumes.
   */
  freeFirstOne(): void {
    const first = this.lastIndexes[this.head];
    if (first !== undefined) this.freeLE(first);
  }

  reset(): void {
    this.lastIndexes.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}
