/**
 * Time as a parameter: the fake backend reads the time and arms timers only through a
 * `Clock`, so tests and the simulator drive lease expiry by hand.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic clock (any origin). */
  nowMs(): number;
  /** Calls `fn` once, `delayMs` from now on this clock. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
}

/** Real time; timers do not keep the process alive. */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface ManualTimer {
  readonly atMs: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A clock that moves only when told to; due timers run inside `advance`, in time order. */
export class ManualClock implements Clock {
  private now: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer: ManualTimer = { atMs: this.now + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(timer);
    return {
      cancel: () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
      },
    };
  }

  /** Moves time forward by `ms`, running every timer that falls due (also ones armed meanwhile). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers)
        if (
          t.atMs <= end &&
          (next === undefined || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq))
        )
          next = t;
      if (next === undefined) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.now = next.atMs;
      next.fn();
    }
    this.now = end;
  }

  /** Timers not yet run. */
  get pendingTimers(): number {
    return this.timers.length;
  }
}
