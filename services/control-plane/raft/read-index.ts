/**
 * Linearizable reads (thesis §6.4, ReadIndex), batched: every caller that arrives before the
 * next Ready cycle shares one readIndex request, and it resolves once this member has
 * applied up to the index the leader answered. A caller never joins a request issued before
 * it arrived: that read point could precede its invocation, which is not linearizable.
 *
 * Requests die with leadership (the core forgets them), so on a leader change the callers of
 * unanswered requests are queued again; a caller still unanswered after `timeoutMs` is
 * rejected ("timeout"). Bounded: `limit` callers at once.
 */
import type { Index, ReadState } from "../../../libs/raft/index.js";
import { decodeEnvelope, EnvelopeError, encodeEnvelope } from "./envelope.js";
import { RaftRuntimeError } from "./errors.js";

interface Waiter {
  readonly deadlineMs: number;
  readonly resolve: () => void;
  readonly reject: (e: RaftRuntimeError) => void;
}

/** `limit` bounds waiting callers; `timeoutMs` expires them. */
export interface ReadIndexOptions {
  readonly member: number;
  readonly incarnation: number;
  readonly limit: number;
  readonly timeoutMs: number;
}

/** Waiting readers, grouped into readIndex requests. */
export class ReadIndexBatcher {
  private queued: Waiter[] = [];
  /** Requests sent, by their seq (the context is an envelope holding it). */
  private readonly inflight = new Map<number, Waiter[]>();
  /** Answered requests waiting for `applied` to reach their index. */
  private waitingApply: Array<{ index: Index; waiters: Waiter[] }> = [];
  private count = 0;
  private nextSeq = 1;

  constructor(private readonly o: ReadIndexOptions) {}

  get size(): number {
    return this.count;
  }

  get hasQueued(): boolean {
    return this.queued.length > 0;
  }

  /** A caller's read; throws RaftRuntimeError("tooManyRequests") over the bound. */
  wait(nowMs: number): Promise<void> {
    if (this.count >= this.o.limit)
      throw new RaftRuntimeError(
        "tooManyRequests",
        `${this.count} reads waiting (maxPendingReads ${this.o.limit})`,
      );
    this.count++;
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ deadlineMs: nowMs + this.o.timeoutMs, resolve, reject });
    });
  }

  /** Moves the queued callers into one request and returns its (unique, non-empty) context. */
  takeRequest(): Uint8Array | undefined {
    if (this.queued.length === 0) return undefined;
    const seq = this.nextSeq++;
    this.inflight.set(seq, this.queued);
    this.queued = [];
    return encodeEnvelope({ member: this.o.member, incarnation: this.o.incarnation, seq }, new Uint8Array(0));
  }

  /** The leader answered a request; call after this Ready's entries were applied. */
  onReadState(rs: ReadState, applied: Index): void {
    let seq: number;
    try {
      const { tag } = decodeEnvelope(rs.context);
      if (tag.member !== this.o.member || tag.incarnation !== this.o.incarnation) return;
      seq = tag.seq;
    } catch (e) {
      if (e instanceof EnvelopeError) return;
      throw e;
    }
    const waiters = this.inflight.get(seq);
    if (!waiters) return;
    this.inflight.delete(seq);
    if (rs.index <= applied) this.settle(waiters);
    else this.waitingApply.push({ index: rs.index, waiters });
  }

  onApplied(applied: Index): void {
    if (this.waitingApply.length === 0) return;
    const still: typeof this.waitingApply = [];
    for (const w of this.waitingApply) {
      if (w.index <= applied) this.settle(w.waiters);
      else still.push(w);
    }
    this.waitingApply = still;
  }

  /** The leader changed: unanswered requests never will be; ask again. */
  requeueInflight(): void {
    for (const waiters of this.inflight.values()) this.queued.push(...waiters);
    this.inflight.clear();
  }

  expire(nowMs: number): void {
    const err = (): RaftRuntimeError =>
      new RaftRuntimeError("timeout", `read index not confirmed within ${this.o.timeoutMs} ms`);
    const keep = (ws: Waiter[]): Waiter[] =>
      ws.filter((w) => {
        if (w.deadlineMs > nowMs) return true;
        this.count--;
        w.reject(err());
        return false;
      });
    this.queued = keep(this.queued);
    for (const [seq, ws] of this.inflight) {
      const left = keep(ws);
      if (left.length === 0) this.inflight.delete(seq);
      else this.inflight.set(seq, left);
    }
    this.waitingApply = this.waitingApply
      .map((w) => ({ index: w.index, waiters: keep(w.waiters) }))
      .filter((w) => w.waiters.length > 0);
  }

  rejectAll(err: RaftRuntimeError): void {
    const all = [
      ...this.queued,
      ...[...this.inflight.values()].flat(),
      ...this.waitingApply.flatMap((w) => w.waiters),
    ];
    this.queued = [];
    this.inflight.clear();
    this.waitingApply = [];
    this.count = 0;
    for (const w of all) w.reject(err);
  }

  private settle(waiters: Waiter[]): void {
    this.count -= waiters.length;
    for (const w of waiters) w.resolve();
  }
}
