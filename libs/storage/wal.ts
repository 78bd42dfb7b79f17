/**
 * The write-ahead log writer: one record, one write() and (unless told otherwise) one
 * fdatasync per save, in call order, cutting to a new segment at a size bound.
 */
import type { Entry, HardState, Index } from "../raft/index.js";
import { WalClosedError, WalFailedError, WalInvalidSaveError } from "./errors.js";
import { nodeFs, type StorageFile, type StorageFs, type StorageLogger, silentLogger } from "./fs.js";
import { SerialQueue } from "./serial-queue.js";
import { notify, type StorageObserver, timedDatasync } from "./storage-observer.js";
import { encodeBatch, encodeSnapshotMarker, type SnapshotMarker, type SnapshotPoint } from "./wal-payload.js";
import {
  RECORD_FLAG_UNSYNCED,
  RECORD_TYPE_BATCH,
  RECORD_TYPE_SNAPSHOT_MARKER,
  type RecordType,
  sealRecord,
} from "./wal-record.js";
import { createSegment, type SegmentName } from "./wal-segment.js";

const MiB = 1024 * 1024;

/**
 * The largest record any configuration may write. Recovery reads with this bound, not the
 * configured one, so lowering `recordBytesMax` never makes an old, acknowledged record look
 * damaged.
 */
export const RECORD_BYTES_LIMIT = 1024 * MiB;

export interface WalOptions {
  /**
   * fdatasync after every save. `false` is the user's `--fsync=off`: saves resolve once the
   * OS has the bytes, which survives a process crash but not a power failure. Segment
   * creation and recovery repairs still sync. Report it (see `Wal.fsyncEnabled`).
   * @default true
   */
  readonly fsync?: boolean;
  /** A segment is cut once it holds this many bytes; a single record may overshoot it. @default 64 MiB */
  readonly segmentBytesMax?: number;
  /** The largest record (one save) accepted; larger saves are refused, not split. @default 256 MiB */
  readonly recordBytesMax?: number;
  /** Saves that may wait behind the one being written. @default 1024 */
  readonly queueDepthMax?: number;
  /** @default nodeFs (real files) */
  readonly fs?: StorageFs;
  /** @default silent */
  readonly logger?: StorageLogger;
  /** Metrics hooks (fsync durations, bytes written). @default none */
  readonly observer?: StorageObserver;
}

/** WalOptions with every default filled in and every bound checked. */
export interface ResolvedWalOptions {
  readonly fsync: boolean;
  readonly segmentBytesMax: number;
  readonly recordBytesMax: number;
  readonly queueDepthMax: number;
  readonly fs: StorageFs;
  readonly logger: StorageLogger;
  readonly observer: StorageObserver | undefined;
}

/** Fills in defaults and checks bounds; throws RangeError for a value out of range. */
export function resolveWalOptions(o: WalOptions = {}): ResolvedWalOptions {
  const resolved = {
    fsync: o.fsync ?? true,
    segmentBytesMax: o.segmentBytesMax ?? 64 * MiB,
    recordBytesMax: o.recordBytesMax ?? 256 * MiB,
    queueDepthMax: o.queueDepthMax ?? 1024,
    fs: o.fs ?? nodeFs,
    logger: o.logger ?? silentLogger,
    observer: o.observer,
  };
  // Record offsets are u32: a segment of at most 2 GiB plus one record of at most 1 GiB fits.
  checkRange("segmentBytesMax", resolved.segmentBytesMax, 256, 2048 * MiB);
  checkRange("recordBytesMax", resolved.recordBytesMax, 1024, RECORD_BYTES_LIMIT);
  checkRange("queueDepthMax", resolved.queueDepthMax, 1, 1_000_000);
  return resolved;
}

function checkRange(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be in [${min}, ${max}], got ${v}`);
}

/** Where the WAL stands after recovery: what the writer needs to continue. */
export interface WalResumeState {
  /** Existing segments by ascending sequence; empty for a new WAL. */
  readonly segments: readonly SegmentName[];
  /** Bytes of intact records in the last segment (after any torn tail was cut). */
  readonly lastSegmentEndBytes: number;
  readonly lastIndex: Index;
  readonly hardState: HardState;
  readonly newestSnapshot: SnapshotPoint;
}

export interface SaveOptions {
  /** False when only the commit index moved (Ready.mustSync): the record is not fsynced. @default true */
  readonly sync?: boolean;
}

/**
 * The WAL of one member. Obtain it from `openStorage`, which recovers the directory first.
 * After any write or fsync fails, every later call rejects with WalFailedError.
 */
export class Wal {
  private readonly queue: SerialQueue;
  private readonly segments: SegmentName[];
  /** The newest hard state and snapshot written: the next segment header repeats them. */
  private hardState: HardState;
  private newestSnapshot: SnapshotPoint;
  /** The first write or fsync error; once set, nothing more is written. */
  private failure: unknown = undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: ResolvedWalOptions,
    state: WalResumeState,
    private file: StorageFile,
    private sizeBytes: number,
    private lastIndexValue: Index,
  ) {
    this.queue = new SerialQueue(options.queueDepthMax);
    this.segments = [...state.segments];
    this.hardState = state.hardState;
    this.newestSnapshot = state.newestSnapshot;
  }

  /** Opens the last segment for writing, creating the first one for a new WAL. Used by openStorage. */
  static async resume(dir: string, options: ResolvedWalOptions, state: WalResumeState): Promise<Wal> {
    const last = state.segments.at(-1);
    if (last === undefined) {
      const header = {
        seq: 1,
        firstIndex: state.lastIndex + 1,
        hardState: state.hardState,
        newestSnapshot: state.newestSnapshot,
      };
      const created = await createSegment(options.fs, dir, header);
      const segments = [{ seq: 1, firstIndex: header.firstIndex, name: created.name }];
      return new Wal(dir, options, { ...state, segments }, created.file, created.sizeBytes, state.lastIndex);
    }
    const file = await options.fs.open(`${dir}/${last.name}`, "existing");
    return new Wal(dir, options, state, file, state.lastSegmentEndBytes, state.lastIndex);
  }

  /** False when the user chose `--fsync=off`; `status` must say so. */
  get fsyncEnabled(): boolean {
    return this.options.fsync;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The index of the newest entry written (after truncations and installed snapshots). */
  get lastIndex(): Index {
    return this.lastIndexValue;
  }

  /**
   * Appends a hard state and/or a contiguous run of entries as one record with one write and
   * one fdatasync. Entries whose index is <= the last one replace the old suffix from there
   * (a new leader overwrote it); recovery honours the newest record for each index. Resolves
   * once durable (or, with fsync off or `sync: false`, once written).
   */
  async save(
    hardState: HardState | undefined,
    entries: readonly Entry[],
    options: SaveOptions = {},
  ): Promise<void> {
    if (hardState === undefined && entries.length === 0) return;
    const record = encodeBatch(hardState, entries);
    this.checkRecordSize(record);
    const sync = this.options.fsync && options.sync !== false;
    const last = entries.at(-1);
    return this.serialize(async () => {
      await this.append(record, RECORD_TYPE_BATCH, sync);
      if (last !== undefined) this.lastIndexValue = last.index;
      if (hardState !== undefined) this.hardState = hardState;
    });
  }

  /**
   * Records that a snapshot file at (index, term) is durable. Call only after the file is:
   * recovery ignores snapshot files newer than the newest marker.
   */
  async saveSnapshotMarker(marker: SnapshotMarker): Promise<void> {
    if (marker.index < this.newestSnapshot.index) {
      throw new WalInvalidSaveError(
        `snapshot ${marker.index} is older than the recorded ${this.newestSnapshot.index}`,
      );
    }
    const record = encodeSnapshotMarker(marker);
    return this.serialize(async () => {
      await this.append(record, RECORD_TYPE_SNAPSHOT_MARKER, this.options.fsync);
      this.newestSnapshot = { index: marker.index, term: marker.term };
      if (marker.installed) this.lastIndexValue = marker.index;
    });
  }

  /**
   * Deletes the oldest segments whose every entry is at or below `snapshotIndex`, never the
   * last one. Returns how many were deleted. Each segment header carries the hard state and
   * newest snapshot, so nothing else is lost with them.
   */
  releaseTo(snapshotIndex: Index): Promise<number> {
    return this.serialize(async () => {
      let released = 0;
      // A segment's entries all lie below its successor's firstIndex (the last index at the cut).
      while (this.segments.length > 1 && this.segments[1]!.firstIndex - 1 <= snapshotIndex) {
        const oldest = this.segments[0]!;
        await this.options.fs.remove(`${this.dir}/${oldest.name}`);
        // One directory sync per removal, oldest first: a crash can never leave a gap in the sequence.
        await this.options.fs.syncDir(this.dir);
        this.segments.shift();
        released++;
      }
      if (released > 0)
        this.options.logger.info(`wal: released ${released} segment(s) up to index ${snapshotIndex}`);
      return released;
    });
  }

  /** Waits for queued saves, then closes the file. Later calls reject with WalClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.run(async () => {
      try {
        await this.file.close();
      } catch (err) {
        // After a failure the handle may already be closed; the failure was reported then.
        if (this.failure === undefined) throw err;
      }
    });
  }

  private checkRecordSize(record: Uint8Array): void {
    if (record.byteLength > this.options.recordBytesMax) {
      throw new WalInvalidSaveError(
        `a save of ${record.byteLength} bytes exceeds recordBytesMax ${this.options.recordBytesMax}; save smaller batches`,
      );
    }
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WalClosedError(this.dir));
    return this.queue.run(async () => {
      if (this.failure !== undefined) throw new WalFailedError(this.dir, { cause: this.failure });
      try {
        return await op();
      } catch (err) {
        this.failure = err;
        throw new WalFailedError(this.dir, { cause: err });
      }
    });
  }

  private async append(record: Uint8Array, type: RecordType, sync: boolean): Promise<void> {
    if (this.sizeBytes >= this.options.segmentBytesMax) await this.cut();
    sealRecord(record, type, sync ? 0 : RECORD_FLAG_UNSYNCED, this.currentSeq(), this.sizeBytes);
    await this.file.write(record, this.sizeBytes);
    this.sizeBytes += record.byteLength;
    const observer = this.options.observer;
    if (observer?.walWrite) notify(() => observer.walWrite?.(record.byteLength));
    if (sync) await timedDatasync(this.file, observer?.walFsync?.bind(observer));
  }

  private currentSeq(): number {
    return this.segments.at(-1)!.seq;
  }

  /** Closes the full segment (fsynced even with fsync off, so it is whole) and starts the next. */
  private async cut(): Promise<void> {
    const observer = this.options.observer;
    await timedDatasync(this.file, observer?.walFsync?.bind(observer));
    await this.file.close();
    const header = {
      seq: this.currentSeq() + 1,
      firstIndex: this.lastIndexValue + 1,
      hardState: this.hardState,
      newestSnapshot: this.newestSnapshot,
    };
    const created = await createSegment(this.options.fs, this.dir, header);
    this.segments.push({ seq: header.seq, firstIndex: header.firstIndex, name: created.name });
    this.file = created.file;
    this.sizeBytes = created.sizeBytes;
    this.options.logger.info(`wal: cut segment ${created.name}`);
  }
}
