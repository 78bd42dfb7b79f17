/**
 * Time as a parameter. Work queues, informers and leader election read the time and set
 * timers only through a {@link Clock}, so tests drive them with {@link FakeClock} and never
 * wait on the wall clock.
 */

/** An opaque timer handle. */
export type TimerHandle = object | number;

export interface Clock {
  /** Milliseconds on a monotonic-enough local clock; only differences are meaningful. */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The process clock. Its timers keep the process alive: a timer here is work in progress (a
 * call waiting to retry, an elector's next renewal), and a program awaiting that work must
 * not exit in the middle of it. Informers, electors and queues clear theirs on stop().
 */
export const realClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, Math.max(0, delayMs)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The wait was cut short by its signal. */
export class AbortedError extends Error {
  override readonly name = "AbortedError";
}

/** Resolves after `delayMs` on `clock`; rejects with {@link AbortedError} when `signal` aborts first. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError("aborted"));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new AbortedError("aborted"));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface FakeTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told. `advance` fires due timers in due order, letting
 * promise callbacks run between them, so code that awaits (fake) I/O between timers behaves
 * as it would in real time.
 */
export class FakeClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.nowMs + Math.max(0, delayMs), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: unknown }).id;
    if (typeof id === "number") this.timers.delete(id);
  }

  /** How many timers are pending. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms;
    await flushPromises();
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next.dueMs > targetMs) break;
      this.timers.delete(next.id);
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.fn();
      await flushPromises();
    }
    this.nowMs = targetMs;
    await flushPromises();
  }

  private nextDue(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.dueMs < best.dueMs) best = t;
    return best;
  }
}

/** Lets every pending promise callback (and the ones they schedule) run. */
export async function flushPromises(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
