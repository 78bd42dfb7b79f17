/**
 * Fault injection at the peer transport, for the admin API and tests: block or delay the
 * traffic between this member and a peer without root (no iptables). The transport consults
 * it for every frame it sends and receives; a blocked frame is dropped like a lost packet.
 */
import type { NodeId } from "../../../libs/raft/index.js";

/** Which traffic a block drops, seen from this member. */
export type PartitionDirection = "in" | "out" | "both";

/** A snapshot of the table, for `status` and the admin API. */
export interface PartitionState {
  readonly blockedIn: readonly NodeId[];
  readonly blockedOut: readonly NodeId[];
  readonly delaysMs: ReadonlyArray<{ readonly peer: NodeId; readonly ms: number }>;
}

/** The largest delay accepted: longer than any election timeout is pointless and hides bugs. */
export const DELAY_MS_MAX = 60_000;

/** Blocks and delays per peer; consulted by the transport for every frame. */
export class PartitionTable {
  private readonly blockedIn = new Set<NodeId>();
  private readonly blockedOut = new Set<NodeId>();
  private readonly delays = new Map<NodeId, number>();

  /** Drops traffic from (`in`), to (`out`) or both ways with `peer`. */
  block(peer: NodeId, direction: PartitionDirection): void {
    if (direction !== "out") this.blockedIn.add(peer);
    if (direction !== "in") this.blockedOut.add(peer);
  }

  /** Delays traffic with `peer` (both directions) by `ms`; 0 removes the delay. */
  delay(peer: NodeId, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0 || ms > DELAY_MS_MAX)
      throw new RangeError(`delay must be in [0, ${DELAY_MS_MAX}] ms, got ${ms}`);
    if (ms === 0) this.delays.delete(peer);
    else this.delays.set(peer, ms);
  }

  /** Removes every block and delay. */
  heal(): void {
    this.blockedIn.clear();
    this.blockedOut.clear();
    this.delays.clear();
  }

  canReceiveFrom(peer: NodeId): boolean {
    return !this.blockedIn.has(peer);
  }

  canSendTo(peer: NodeId): boolean {
    return !this.blockedOut.has(peer);
  }

  /** Milliseconds to hold traffic with `peer`; 0 for none. */
  delayMs(peer: NodeId): number {
    return this.delays.get(peer) ?? 0;
  }

  state(): PartitionState {
    return {
      blockedIn: [...this.blockedIn].sort((a, b) => a - b),
      blockedOut: [...this.blockedOut].sort((a, b) => a - b),
      delaysMs: [...this.delays].map(([peer, ms]) => ({ peer, ms })),
    };
  }
}
