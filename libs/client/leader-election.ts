/**
 * client-go's leaderelection with a LeaseLock: the candidates race for one
 * coordination.k8s.io/v1 Lease, and the holder keeps it by renewing with compare-and-swap
 * updates on its resourceVersion.
 *
 * Safety never compares clocks across machines. A candidate considers the lease held until
 * `leaseDurationSeconds` have passed on ITS OWN clock since it last saw the record change;
 * the holder steps down when it has not renewed within `renewDeadlineMs` of the start of its
 * last successful renewal, measured on its clock. With renewDeadline < leaseDuration (and
 * clocks that run at similar rates), the holder gives up before anyone else may take over.
 */
import type { Lease, LeaseSpec } from "../api/index.js";
import { type Clock, realClock, sleep } from "./clock.js";
import { isAlreadyExists, isConflict, isNotFound } from "./errors.js";
import type { ResourceClient } from "./resource-client.js";

/** A coordination.k8s.io/v1 Lease as leader election reads and writes it. */
export type LeaseObject = Lease;
export type { LeaseSpec };

export interface LeaderElectionCallbacks {
  /** Became leader; `signal` aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void;
  /** Leadership ended (lost, or stopped while leading). */
  onStoppedLeading(): void;
  /** The observed holder changed (including to ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionOptions {
  /** A client of "leases" bound to the lease's namespace. */
  readonly client: ResourceClient<LeaseObject>;
  readonly leaseName: string;
  /** Unique per candidate (e.g. the master's name plus a process id). */
  readonly identity: string;
  readonly callbacks: LeaderElectionCallbacks;
  /** How long non-holders wait after the last observed change before taking over. @default 15_000 */
  readonly leaseDurationMs?: number;
  /** The holder steps down if it cannot renew within this long. @default 10_000 */
  readonly renewDeadlineMs?: number;
  /** Between attempts to acquire (jittered up to 1.2x more) or renew. @default 2_000 */
  readonly retryPeriodMs?: number;
  /** On stop() while leading, clear the holder so others take over at once. @default false */
  readonly releaseOnCancel?: boolean;
  /** @default realClock */
  readonly clock?: Clock;
  /** For the acquire jitter. @default Math.random */
  readonly random?: () => number;
  /** Failed lease reads and writes (expected during failover). @default ignore */
  readonly onError?: (err: unknown) => void;
}

/** client-go's JitterFactor for the acquire loop. */
const JITTER_FACTOR = 1.2;

export class LeaderElectionConfigError extends Error {
  override readonly name = "LeaderElectionConfigError";
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly stopController = new AbortController();
  private observedRecord: LeaseSpec | undefined;
  private observedRaw = "";
  private observedTimeMs = 0;
  private reportedLeader = "";
  private leading = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? realClock;
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new LeaderElectionConfigError("leaseDurationMs must be greater than renewDeadlineMs");
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs)
      throw new LeaderElectionConfigError("renewDeadlineMs must be greater than 1.2 * retryPeriodMs");
    if (options.identity === "") throw new LeaderElectionConfigError("identity must not be empty");
  }

  /** Starts contending; after losing leadership it contends again until stop(). Idempotent. */
  start(): void {
    if (this.loop === undefined && !this.stopped) this.loop = this.run();
  }

  /** Stops (stepping down if leading, releasing the lease when releaseOnCancel); resolves when done. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
  }

  /** Whether this elector currently believes it holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed ("" = none seen). */
  getLeader(): string {
    return this.observedRecord?.holderIdentity ?? "";
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const attemptMs = this.clock.now();
      if (!(await this.tryAcquireOrRenew())) {
        const delayMs = this.retryPeriodMs * (1 + (this.options.random ?? Math.random)() * JITTER_FACTOR);
        if (!(await this.pause(delayMs))) break;
        continue;
      }
      await this.lead(attemptMs);
    }
  }

  /** Holds leadership until a renewal misses the deadline or stop(). */
  private async lead(acquiredAtMs: number): Promise<void> {
    const lead = new AbortController();
    this.leading = true;
    this.guard(() => this.options.callbacks.onStartedLeading(lead.signal));
    let lastRenewMs = acquiredAtMs;
    for (;;) {
      const remainingMs = lastRenewMs + this.renewDeadlineMs - this.clock.now();
      if (remainingMs <= 0) break;
      if (!(await this.pause(Math.min(this.retryPeriodMs, remainingMs)))) break;
      const startMs = this.clock.now();
      const leftMs = lastRenewMs + this.renewDeadlineMs - startMs;
      if (leftMs <= 0) break;
      if (await this.withTimeout(this.tryAcquireOrRenew(), leftMs)) lastRenewMs = startMs;
    }
    this.leading = false;
    lead.abort();
    this.guard(() => this.options.callbacks.onStoppedLeading());
    if (this.stopped && this.options.releaseOnCancel) await this.release();
  }

  /** One attempt: create the lease, take it over when expired, or renew it when ours. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, leaseName, identity } = this.options;
    const nowMs = this.clock.now();
    const now = microTime(nowMs);
    try {
      let lease: LeaseObject;
      try {
        lease = await client.get(leaseName);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const spec: LeaseSpec = this.spec(identity, now, now, 0);
        await client.create({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: leaseName, namespace: client.namespace || undefined },
          spec,
        });
        this.observe(spec, nowMs);
        return true;
      }
      const record = lease.spec ?? {};
      this.observe(record, nowMs);
      const holder = record.holderIdentity ?? "";
      const durationMs = (record.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== "" && holder !== identity && this.observedTimeMs + durationMs > nowMs) return false;
      const ours = holder === identity;
      const spec = this.spec(
        identity,
        ours ? (record.acquireTime ?? now) : now,
        now,
        ours ? (record.leaseTransitions ?? 0) : (record.leaseTransitions ?? 0) + 1,
      );
      await client.update({ ...lease, spec: { ...record, ...spec } });
      this.observe(spec, nowMs);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.options.onError?.(err);
      return false;
    }
  }

  private spec(holder: string, acquireTime: string, renewTime: string, leaseTransitions: number): LeaseSpec {
    const leaseDurationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    return { holderIdentity: holder, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions };
  }

  /** Notes the record and, when it changed, the local time it was first seen so. */
  private observe(record: LeaseSpec, nowMs: number): void {
    const raw = JSON.stringify([
      record.holderIdentity ?? "",
      record.leaseDurationSeconds ?? 0,
      record.acquireTime ?? "",
      record.renewTime ?? "",
      record.leaseTransitions ?? 0,
    ]);
    if (raw !== this.observedRaw) {
      this.observedRaw = raw;
      this.observedRecord = record;
      this.observedTimeMs = nowMs;
    }
    const holder = record.holderIdentity ?? "";
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder !== "") this.guard(() => this.options.callbacks.onNewLeader?.(holder));
    }
  }

  /** client-go's release: clear the holder (keeping the transitions count) if the lease is still ours. */
  private async release(): Promise<void> {
    const { client, leaseName, identity } = this.options;
    try {
      const lease = await client.get(leaseName);
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(this.clock.now());
      const spec = {
        ...lease.spec,
        holderIdentity: "",
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      };
      await client.update({ ...lease, spec });
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  /** Sleeps on the clock; false when stopped meanwhile. */
  private async pause(delayMs: number): Promise<boolean> {
    try {
      await sleep(this.clock, delayMs, this.stopController.signal);
      return true;
    } catch {
      return false;
    }
  }

  /** `attempt`'s result, or false if it takes longer than `timeoutMs` on the clock. */
  private withTimeout(attempt: Promise<boolean>, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), timeoutMs);
      void attempt.then((ok) => {
        this.clock.clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}

/** Kubernetes' MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}
