/**
 * Log compaction: every `everyEntries` applied entries, snapshot the state machine (with the
 * member table) into DurableStorage, then drop the log before `snapshot - keepEntries`, so a
 * follower that is a little behind still catches up from the log instead of a snapshot.
 * At most one snapshot is being written at a time; the Ready loop does not wait for it.
 */
import type { ConfState, Index } from "../../../libs/raft/index.js";
import type { DurableStorage } from "../../../libs/storage/index.js";
import { encodeSnapshotData, type MemberUrl } from "./snapshot-data.js";

/** Decides when to snapshot and compact, and does it off the Ready loop's path. */
export class Snapshotter {
  private inFlight: Promise<void> | undefined;
  /** Index of the newest snapshot in storage (made here or installed from the leader). */
  private snapshotIndex: Index;

  constructor(
    private readonly storage: DurableStorage,
    private readonly everyEntries: number,
    private readonly keepEntries: number,
    private readonly onError: (err: unknown) => void,
    private readonly log: (message: string) => void,
  ) {
    const snap = storage.storage.snapshot();
    this.snapshotIndex = typeof snap === "string" ? 0 : snap.metadata.index;
  }

  /** A snapshot from the leader was installed at `index`. */
  installed(index: Index): void {
    this.snapshotIndex = Math.max(this.snapshotIndex, index);
  }

  /**
   * Starts a snapshot at `applied` if one is due. `state` is called only then, and
   * synchronously, so it captures the state at exactly `applied`.
   */
  maybeSnapshot(
    applied: Index,
    confState: ConfState,
    members: readonly MemberUrl[],
    state: () => Uint8Array,
  ): void {
    if (this.inFlight || applied - this.snapshotIndex < this.everyEntries) return;
    const data = encodeSnapshotData(members, state());
    this.inFlight = this.storage
      .createSnapshot(applied, confState, data)
      .then((made) => {
        if (typeof made === "string") return; // outOfDate: a newer snapshot got there first
        this.snapshotIndex = Math.max(this.snapshotIndex, made.metadata.index);
        const compactIndex = made.metadata.index - this.keepEntries;
        if (compactIndex > this.storage.storage.firstIndex()) this.storage.compact(compactIndex);
        this.log(`raft runtime: snapshot at ${made.metadata.index}, log compacted before ${compactIndex}`);
      })
      .catch(this.onError)
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** Waits for the snapshot being written, if any. */
  async drain(): Promise<void> {
    await this.inFlight;
  }
}
