/**
 * Log compaction: every `everyEntries` applied entries, snapshot the state machine (with the
 * member table) into DurableStorage, then drop the log before `snapshot - keepEntries`, so a
 * follower that is a little behind still catches up from the log instead of a snapshot.
 *
 * At most one snapshot is being made at a time, and the Ready loop never waits for it. The
 * state machine freezes its state synchronously (cheap); the chunks are then read one per
 * turn of the event loop, so encoding a large state interleaves with persisting, sending and
 * applying instead of stalling them (etcd gets the same from bbolt, whose state is already
 * on disk). The file is written and fsynced outside the persist queue (DurableStorage).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
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
   * synchronously, so it captures the state at exactly `applied`; its chunks are read later.
   */
  maybeSnapshot(
    applied: Index,
    confState: ConfState,
    members: readonly MemberUrl[],
    state: () => Iterable<Uint8Array>,
  ): void {
    if (this.inFlight || applied - this.snapshotIndex < this.everyEntries) return;
    const startedMs = performance.now();
    const chunks = state();
    this.inFlight = this.make(applied, confState, members, chunks, startedMs)
      .catch(this.onError)
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** Waits for the snapshot being made, if any. */
  async drain(): Promise<void> {
    await this.inFlight;
  }

  private async make(
    applied: Index,
    confState: ConfState,
    members: readonly MemberUrl[],
    chunks: Iterable<Uint8Array>,
    startedMs: number,
  ): Promise<void> {
    const parts: Uint8Array[] = [];
    for (const chunk of chunks) {
      parts.push(chunk);
      await nextTurn();
    }
    const data = encodeSnapshotData(members, parts);
    const builtMs = performance.now();
    const made = await this.storage.createSnapshot(applied, confState, data);
    if (typeof made === "string") return; // outOfDate: a newer snapshot got there first
    this.snapshotIndex = Math.max(this.snapshotIndex, made.metadata.index);
    const compactIndex = made.metadata.index - this.keepEntries;
    if (compactIndex > this.storage.storage.firstIndex()) this.storage.compact(compactIndex);
    const ms = (from: number, to: number): string => `${Math.round(to - from)} ms`;
    this.log(
      `raft runtime: snapshot at ${made.metadata.index} (${data.byteLength} bytes, encoded in ` +
        `${ms(startedMs, builtMs)}, written in ${ms(builtMs, performance.now())}), log compacted before ${compactIndex}`,
    );
  }
}
