/**
 * The leader's lease clock. Expiry is decided by the leader alone and carried out as a
 * replicated revoke entry (as in etcd): the runtime asks `expired(nowMs, max)` each tick and
 * proposes a leaseRevoke for each id returned. Keep-alives (`renew`) are not replicated.
 *
 * All bookkeeping here is in memory and exists only while leader. A new leader `promote`s
 * with an extension so that leases whose keep-alives went to the old leader are not expired
 * en masse right after a failover. Time is an argument (ms on any monotonic clock the caller
 * chooses); nothing here reads a clock.
 */
import { latin1ToBytes } from "./bytes.js";
import type { LeaseListener, LeaseTable } from "./lease-table.js";
import type { LeaseId } from "./types.js";

export interface LessorOptions {
  /** After `expired` returns a lease, wait this long before returning it again if its revoke has not applied. @default 3000 */
  expiryRetryMs?: number;
}

export type RenewOutcome =
  | { readonly kind: "renewed"; readonly ttlSec: number }
  | { readonly kind: "notFound" }
  /** Only the leader renews; a follower forwards keep-alives to it. */
  | { readonly kind: "notLeader" };

/** etcd's LeaseTimeToLiveResponse. */
export interface LeaseTimeToLive {
  readonly id: LeaseId;
  /** Remaining seconds, rounded up. On a follower, which keeps no clock, the granted TTL. */
  readonly ttlSec: number;
  readonly grantedTtlSec: number;
  /** Attached keys in key order; empty unless asked for. */
  readonly keys: readonly Uint8Array[];
}

interface HeapItem {
  readonly id: LeaseId;
  readonly atMs: number;
}

export class Lessor implements LeaseListener {
  private leader = false;
  private readonly expiryMs = new Map<LeaseId, number>();
  /** Min-heap by atMs; an item is stale unless expiryMs still maps its id to its atMs. */
  private heap: HeapItem[] = [];
  /** Leases granted while leader, not yet given an expiry: the next call with a clock does it. */
  private unstamped: LeaseId[] = [];
  private readonly retryMs: number;

  constructor(
    private readonly leases: () => LeaseTable,
    options: LessorOptions = {},
  ) {
    this.retryMs = options.expiryRetryMs ?? 3000;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Becomes leader: every lease gets its full TTL plus `extendMs` from `nowMs`. */
  promote(nowMs: number, extendMs: number): void {
    this.clear();
    this.leader = true;
    for (const lease of this.leases().sorted()) this.arm(lease.id, nowMs + lease.ttlSec * 1000 + extendMs);
  }

  /** Stops being leader: forgets every expiry (followers never expire leases). */
  demote(): void {
    this.clear();
    this.leader = false;
  }

  /** A keep-alive: the lease's expiry moves to `nowMs` + its TTL. */
  renew(id: LeaseId, nowMs: number): RenewOutcome {
    if (!this.leader) return { kind: "notLeader" };
    const lease = this.leases().get(id);
    if (lease === undefined) return { kind: "notFound" };
    this.arm(id, nowMs + lease.ttlSec * 1000);
    return { kind: "renewed", ttlSec: lease.ttlSec };
  }

  /**
   * Up to `max` leases past their expiry at `nowMs`, soonest first, for the leader to revoke.
   * Each returned lease is re-armed `expiryRetryMs` ahead, so a revoke lost in a leader change
   * is proposed again rather than every tick. Empty unless leader.
   */
  expired(nowMs: number, max: number): LeaseId[] {
    if (!this.leader) return [];
    this.stamp(nowMs);
    const out: LeaseId[] = [];
    while (out.length < max && this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.expiryMs.get(top.id) !== top.atMs) {
        this.pop();
        continue;
      }
      if (top.atMs > nowMs) break;
      this.pop();
      out.push(top.id);
      this.arm(top.id, nowMs + this.retryMs);
    }
    return out;
  }

  /** etcd's LeaseTimeToLive; undefined when the lease does not exist. */
  timeToLive(id: LeaseId, nowMs: number, withKeys: boolean): LeaseTimeToLive | undefined {
    const lease = this.leases().get(id);
    if (lease === undefined) return undefined;
    let ttlSec = lease.ttlSec;
    if (this.leader) {
      this.stamp(nowMs);
      const at = this.expiryMs.get(id);
      if (at !== undefined) ttlSec = Math.max(0, Math.ceil((at - nowMs) / 1000));
    }
    const keys = withKeys ? [...lease.keys].sort().map(latin1ToBytes) : [];
    return { id, ttlSec, grantedTtlSec: lease.ttlSec, keys };
  }

  onGranted(id: LeaseId): void {
    if (this.leader) this.unstamped.push(id);
  }

  onRevoked(id: LeaseId): void {
    this.expiryMs.delete(id);
  }

  onReset(): void {
    if (!this.leader) return;
    this.clear();
    this.unstamped = this.leases().ids();
  }

  private stamp(nowMs: number): void {
    if (this.unstamped.length === 0) return;
    const table = this.leases();
    for (const id of this.unstamped) {
      const lease = table.get(id);
      if (lease !== undefined && !this.expiryMs.has(id)) this.arm(id, nowMs + lease.ttlSec * 1000);
    }
    this.unstamped = [];
  }

  private clear(): void {
    this.expiryMs.clear();
    this.heap = [];
    this.unstamped = [];
  }

  private arm(id: LeaseId, atMs: number): void {
    this.expiryMs.set(id, atMs);
    this.push({ id, atMs });
    // Renewals leave stale items behind; rebuild before they outnumber live ones.
    if (this.heap.length > 2 * this.expiryMs.size + 64) this.rebuild();
  }

  private rebuild(): void {
    this.heap = [];
    for (const [id, atMs] of this.expiryMs) this.push({ id, atMs });
  }

  private push(item: HeapItem): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.atMs <= item.atMs) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = item;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.atMs < h[l]!.atMs ? r : l;
      if (h[c]!.atMs >= last.atMs) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
