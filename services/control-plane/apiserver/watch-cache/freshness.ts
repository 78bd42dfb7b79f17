/**
 * Callers waiting for the cache to reach a revision (a cached read "not older than N", a
 * watch resumed from a resourceVersion this master has not applied yet). Most waits end on
 * the next drain of the store watch; a timer looks again while any wait is pending, because
 * a write outside the registry moves the store's revision without an event for the cache.
 */
import { ApiError } from "../api-error.js";

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
  readonly reject: (err: ApiError) => void;
  readonly timer: NodeJS.Timeout;
}

export class FreshnessWaiters {
  private readonly waiters = new Set<Waiter>();
  private poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly revision: () => number,
    private readonly checkIntervalMs: number,
    /** Called on each timer check before reading the revision: lets the cache catch up. */
    private readonly nudge: () => void,
  ) {}

  /** Resolves once revision() >= rv; rejects with ApiError("Timeout") after timeoutMs. */
  wait(rv: number, timeoutMs: number): Promise<void> {
    if (this.revision() >= rv) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        this.stopPollerIfIdle();
        reject(
          new ApiError(
            "Timeout",
            `the watch cache did not reach revision ${rv} within ${timeoutMs} ms (at ${this.revision()})`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = { revision: rv, resolve, reject, timer };
      this.waiters.add(waiter);
      if (this.poller === undefined) {
        this.poller = setInterval(() => {
          this.nudge();
          this.check();
        }, this.checkIntervalMs);
        this.poller.unref();
      }
    });
  }

  /** Resolves every wait the cache's revision now satisfies. */
  check(): void {
    if (this.waiters.size === 0) return;
    const rev = this.revision();
    for (const w of this.waiters) {
      if (w.revision > rev) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve();
    }
    this.stopPollerIfIdle();
  }

  rejectAll(err: ApiError): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
    this.stopPollerIfIdle();
  }

  private stopPollerIfIdle(): void {
    if (this.waiters.size > 0 || this.poller === undefined) return;
    clearInterval(this.poller);
    this.poller = undefined;
  }
}
