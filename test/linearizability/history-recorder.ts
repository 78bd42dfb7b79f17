import type { Operation, Unknown } from "./types.js";
import { UNKNOWN } from "./types.js";

/** Options of `HistoryRecorder`. */
export interface HistoryRecorderOptions {
  /**
   * Calls recorded before `call` throws: a runaway simulation should fail loudly rather than
   * hand the checker a history it cannot finish.
   * @default 100_000
   */
  readonly maxOperations?: number;
}

/** Identifies a recorded call; returned by `call`, passed to `complete` or `fail`. */
export type CallHandle = number & { readonly __brand: "CallHandle" };

type Slot<I, O> =
  | { readonly status: "pending"; readonly clientId: number; readonly input: I; readonly callTime: number }
  | { readonly status: "done"; readonly op: Operation<I, O> }
  | { readonly status: "failed" };

/**
 * Builds a history as a simulated client runs: `call` when a request is sent, `complete`
 * when its response arrives, `fail` when it definitely had no effect (rejected before it
 * could be applied). Anything still pending when `history()` is taken — timeouts, lost
 * responses, crashed clients — becomes an unknown-outcome operation, which is the only
 * honest reading: the request may still be applied later.
 */
export class HistoryRecorder<I, O> {
  private readonly slots: Slot<I, O>[] = [];
  private readonly maxOperations: number;

  constructor(options: HistoryRecorderOptions = {}) {
    this.maxOperations = options.maxOperations ?? 100_000;
  }

  call(clientId: number, input: I, time: number): CallHandle {
    if (this.slots.length >= this.maxOperations) {
      throw new RangeError(`history recorder: more than ${this.maxOperations} operations`);
    }
    this.slots.push({ status: "pending", clientId, input, callTime: time });
    return (this.slots.length - 1) as CallHandle;
  }

  complete(handle: CallHandle, output: O, time: number): void {
    const s = this.pending(handle);
    this.slots[handle] = {
      status: "done",
      op: { clientId: s.clientId, input: s.input, output, callTime: s.callTime, returnTime: time },
    };
  }

  /** The request certainly took no effect; it is left out of the history. */
  fail(handle: CallHandle): void {
    this.pending(handle);
    this.slots[handle] = { status: "failed" };
  }

  /** Completed operations, and pending ones as unknown-outcome operations, in call order. */
  history(): Operation<I, O>[] {
    const out: Operation<I, O>[] = [];
    for (const s of this.slots) {
      if (s.status === "done") out.push(s.op);
      else if (s.status === "pending") out.push(unknownOutcome(s.clientId, s.input, s.callTime));
    }
    return out;
  }

  private pending(handle: CallHandle): Extract<Slot<I, O>, { status: "pending" }> {
    const s = this.slots[handle];
    if (s === undefined || s.status !== "pending") {
      throw new Error(`history recorder: call ${handle} is not pending (${s?.status ?? "no such call"})`);
    }
    return s;
  }
}

function unknownOutcome<I, O>(clientId: number, input: I, callTime: number): Operation<I, O> {
  const output: Unknown = UNKNOWN;
  return { clientId, input, output, callTime, returnTime: Number.POSITIVE_INFINITY };
}
