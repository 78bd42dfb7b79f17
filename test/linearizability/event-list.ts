import type { History } from "./types.js";

/**
 * The history as one time-ordered, doubly linked list of call and return events, the data
 * structure of Wing & Gong's algorithm as refined by Lowe. Linearizing an operation "lifts"
 * its call and return out of the list in O(1); backtracking puts them back in reverse order
 * (dancing links), so the search never copies the list.
 *
 * Event ids are arithmetic on operation positions: event 2i is the call of operation i and
 * event 2i + 1 its return. Two sentinels, HEAD = 2n and TAIL = 2n + 1, remove null checks.
 */
export class EventList {
  readonly head: number;
  readonly tail: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;

  constructor(history: History<unknown, unknown>) {
    const n = history.length;
    this.head = 2 * n;
    this.tail = 2 * n + 1;
    this.next = new Int32Array(2 * n + 2);
    this.prev = new Int32Array(2 * n + 2);
    const order = sortedEvents(history);
    let last = this.head;
    for (let k = 0; k < order.length; k++) {
      const e = order[k]!;
      this.next[last] = e;
      this.prev[e] = last;
      last = e;
    }
    this.next[last] = this.tail;
    this.prev[this.tail] = last;
  }

  first(): number {
    return this.next[this.head]!;
  }

  /** Removes the call event `call` and its return event. */
  lift(call: number): void {
    const { next, prev } = this;
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    const ret = call + 1;
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
  }

  /** Undoes the matching `lift`; only valid in strict LIFO order. */
  unlift(call: number): void {
    const { next, prev } = this;
    const ret = call + 1;
    next[prev[ret]!] = ret;
    prev[next[ret]!] = ret;
    next[prev[call]!] = call;
    prev[next[call]!] = call;
  }
}

export function isCall(event: number): boolean {
  return (event & 1) === 0;
}

export function operationOf(event: number): number {
  return event >>> 1;
}

/**
 * Events by time. At equal times calls come before returns, so operations whose intervals
 * merely touch count as concurrent: the permissive reading, which can miss a bug but never
 * reports a false violation when the recorder's clock ticks coarsely. A simulator that wants
 * "returned at t, then called at t" to be ordered must give the call a later time.
 */
function sortedEvents(history: History<unknown, unknown>): Int32Array {
  const n = history.length;
  const times = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const op = history[i]!;
    times[2 * i] = op.callTime;
    times[2 * i + 1] = op.returnTime;
  }
  const order = new Int32Array(2 * n);
  for (let e = 0; e < 2 * n; e++) order[e] = e;
  order.sort((a, b) => {
    const ta = times[a]!;
    const tb = times[b]!;
    // Explicit comparisons: Infinity - Infinity is NaN.
    if (ta < tb) return -1;
    if (ta > tb) return 1;
    const kind = (a & 1) - (b & 1);
    return kind !== 0 ? kind : a - b;
  });
  return order;
}
