/**
 * The replicated part of leases: which leases exist, their granted TTL and their keys. The
 * same on every member. When a lease expires is not here: that is the leader's business
 * (lessor.ts), so no clock ever enters the replicated state.
 */
import type { LeaseId } from "./types.js";

/** etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
export const LEASE_TTL_SEC_MAX = 9_000_000_000;

export interface Lease {
  readonly id: LeaseId;
  /** Granted TTL in seconds. */
  readonly ttlSec: number;
  /** Attached keys, latin1. Iteration order is not replicated state: sort before use. */
  readonly keys: Set<string>;
}

/** Told of every grant and revoke as it is applied (the leader's lessor). */
export interface LeaseListener {
  onGranted(id: LeaseId, ttlSec: number): void;
  onRevoked(id: LeaseId): void;
  /** The whole table was replaced (snapshot restore). */
  onReset(): void;
}

export class LeaseTable {
  private readonly leases = new Map<LeaseId, Lease>();
  listener: LeaseListener | undefined;

  get size(): number {
    return this.leases.size;
  }

  has(id: LeaseId): boolean {
    return this.leases.has(id);
  }

  get(id: LeaseId): Lease | undefined {
    return this.leases.get(id);
  }

  grant(id: LeaseId, ttlSec: number): Lease {
    const lease: Lease = { id, ttlSec, keys: new Set() };
    this.leases.set(id, lease);
    this.listener?.onGranted(id, ttlSec);
    return lease;
  }

  /** Removes the lease; the caller deletes its keys first. */
  remove(id: LeaseId): void {
    if (this.leases.delete(id)) this.listener?.onRevoked(id);
  }

  attach(id: LeaseId, keyLatin1: string): void {
    this.leases.get(id)?.keys.add(keyLatin1);
  }

  detach(id: LeaseId, keyLatin1: string): void {
    this.leases.get(id)?.keys.delete(keyLatin1);
  }

  /** Every lease id, ascending. */
  ids(): LeaseId[] {
    return [...this.leases.keys()].sort((a, b) => a - b);
  }

  /** Every lease in id order (for hashing and snapshots, which must be deterministic). */
  sorted(): Lease[] {
    return this.ids().map((id) => this.leases.get(id)!);
  }
}
