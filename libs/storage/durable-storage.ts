/**
 * The storage a master's Ready loop drives: persist what Ready hands over, then read it
 * back through `storage`, the MemoryStorage the Raft core was built on.
 */
import type {
  ConfState,
  Entry,
  HardState,
  Index,
  MemoryStorage,
  Snapshot,
  StorageError,
} from "../raft/index.js";
import { type OpenStorageOptions, openStorage, type RecoveryReport } from "./recovery.js";
import { SerialQueue } from "./serial-queue.js";
import type { SnapshotStore } from "./snapshot-store.js";
import type { Wal } from "./wal.js";

/** The parts of a Raft Ready that must be durable before its messages depend on them. */
export interface PersistInput {
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: it replaces the log. */
  readonly snapshot?: Snapshot;
}

/**
 * The master's storage: recovery on open, then `persist` for each Ready and `createSnapshot`
 * / `compact` for log compaction. `storage` is handed to the Raft core as its LogStorage.
 */
export class DurableStorage {
  // One persist or snapshot record at a time: each is several steps that must not interleave.
  private readonly queue = new SerialQueue(1024);
  /** Local snapshot files being written outside the queue; `close` waits for them. */
  private readonly writing = new Set<Promise<unknown>>();

  private constructor(
    /** What the Raft core reads; updated only after the matching write is durable. */
    readonly storage: MemoryStorage,
    readonly wal: Wal,
    private readonly snapshots: SnapshotStore,
    /** What recovery found when this storage was opened. */
    readonly report: RecoveryReport,
  ) {}

  /** Recovers `dir` (see openStorage) and wraps the result. */
  static async open(dir: string, options: OpenStorageOptions = {}): Promise<DurableStorage> {
    const o = await openStorage(dir, options);
    return new DurableStorage(o.storage, o.wal, o.snapshots, o.report);
  }

  /** False when the user chose `--fsync=off`. */
  get fsyncEnabled(): boolean {
    return this.wal.fsyncEnabled;
  }

  /**
   * Makes a Ready's snapshot, hard state and entries durable, then shows them in `storage`.
   * A snapshot costs its own fsyncs (file, then WAL marker); hard state and entries share one
   * write and, when `mustSync`, one fdatasync.
   */
  persist(ready: PersistInput, mustSync: boolean): Promise<void> {
    return this.queue.run(async () => {
      if (ready.snapshot && ready.snapshot.metadata.index > 0) {
        const s = ready.snapshot;
        await this.snapshots.saveSnapshot(s);
        await this.wal.saveSnapshotMarker({
          index: s.metadata.index,
          term: s.metadata.term,
          installed: true,
        });
        if (this.storage.applySnapshot(s) !== "ok") {
          throw new Error(`Raft handed over snapshot ${s.metadata.index}, not newer than the stored one`);
        }
        await this.retainSnapshots();
      }
      if (ready.hardState || ready.entries.length > 0) {
        await this.wal.save(ready.hardState, ready.entries, { sync: mustSync });
        this.storage.append(ready.entries);
        if (ready.hardState) this.storage.setHardState(ready.hardState);
      }
    });
  }

  /**
   * Takes a local snapshot of the state machine at `index` (<= applied): writes the file,
   * records it in the WAL, then keeps the newest files and releases WAL segments that no
   * kept snapshot needs. Does not compact `storage`: call `compact` for that.
   *
   * The file (megabytes, and an fsync) is written outside the queue, so Ready batches keep
   * being persisted meanwhile: until its WAL marker exists the file is only an orphan, which
   * recovery ignores and removes. The marker and the in-memory snapshot then go through the
   * queue, after a check that no newer snapshot was installed while the file was written.
   */
  async createSnapshot(
    index: Index,
    confState: ConfState,
    data: Uint8Array,
  ): Promise<Snapshot | "outOfDate" | StorageError> {
    if (this.isOutOfDate(index)) return "outOfDate";
    const term = this.storage.term(index);
    if (typeof term !== "number") return term;
    const saved = this.snapshots.saveSnapshot({ metadata: { index, term, confState }, data });
    this.writing.add(saved);
    try {
      await saved;
    } finally {
      this.writing.delete(saved);
    }
    return this.queue.run(async () => {
      if (this.isOutOfDate(index)) return "outOfDate";
      await this.wal.saveSnapshotMarker({ index, term, installed: false });
      const made = this.storage.createSnapshot(index, confState, data);
      await this.retainSnapshots();
      return made;
    });
  }

  /** Drops entries before `compactIndex` from memory; the WAL keeps them until snapshots allow. */
  compact(compactIndex: Index): "ok" | StorageError {
    return this.storage.compact(compactIndex);
  }

  /** Waits for pending work and closes the WAL. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.writing]);
    await this.queue.drain();
    await this.wal.close();
  }

  /** Whether the stored snapshot is already at or past `index`. */
  private isOutOfDate(index: Index): boolean {
    const current = this.storage.snapshot();
    return typeof current !== "string" && index <= current.metadata.index;
  }

  /** Keeps the newest snapshot files and the WAL back to the oldest of them, so any can be fallen back to. */
  private async retainSnapshots(): Promise<void> {
    await this.snapshots.prune();
    const oldest = (await this.snapshots.list()).at(-1);
    if (oldest) await this.wal.releaseTo(oldest.index);
  }
}
