import { Inflights } from "./inflights.js";
import type { Index } from "./types.js";

/**
 * How the leader replicates to one follower (etcd raft tracker/progress.go, thesis §3.5):
 * - probe: one MsgApp at a time until the follower's position is known;
 * - replicate: appends are pipelined up to the inflight window;
 * - snapshot: the follower is behind the compacted log; wait for the snapshot to land.
 */
export type ProgressState = "probe" | "replicate" | "snapshot";

export class Progress {
  /** Highest index known to be on the follower's disk. Invariant: match < next. */
  match: Index = 0;
  /** Next index to send. */
  next: Index;
  state: ProgressState = "probe";
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot: Index = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** In probe state: a MsgApp is out and unanswered; send no more until it is, or a heartbeat reply comes. */
  probeSent = false;
  readonly inflights: Inflights;

  constructor(
    next: Index,
    inflightsMax: number,
    inflightBytesMax: number,
    public isLearner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(inflightsMax, inflightBytesMax);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower has at least the snapshot: resume right after it.
    if (this.state === "snapshot") {
      const pending = this.pendingSnapshot;
      this.resetState("probe");
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState("probe");
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState("replicate");
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: Index): void {
    this.resetState("snapshot");
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement of index n. Returns true if it moved match. */
  maybeUpdate(n: Index): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** Records a MsgApp just sent whose last entry is lastIndex (optimistic: replicate state). */
  sentEntries(lastIndex: Index, bytes: number): void {
    if (this.state === "replicate") {
      if (lastIndex >= this.next) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === "probe") {
      this.probeSent = true;
    }
  }

  /**
   * A rejection of the MsgApp at `rejected`, with the follower's hint of a possible match.
   * Returns false when the rejection is stale (out of order) and must be ignored.
   */
  maybeDecrTo(rejected: Index, matchHint: Index): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether the leader should hold back further MsgApp to this follower. */
  isPaused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }

  toString(): string {
    const flags = (this.isLearner ? " learner" : "") + (this.probeSent ? " paused" : "");
    const snap = this.state === "snapshot" ? ` pendingSnap=${this.pendingSnapshot}` : "";
    const infl = this.inflights.count > 0 ? ` inflight=${this.inflights.count}` : "";
    return `${this.state} match=${this.match} next=${this.next}${snap}${infl}${flags}`;
  }
}
