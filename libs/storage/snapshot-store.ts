/**
 * Snapshot files in one directory: written whole (temporary name, fdatasync, rename,
 * directory fsync), read back newest first skipping corrupt ones, the newest N kept.
 */
import type { Snapshot } from "../raft/index.js";
import { SnapshotCorruptError } from "./errors.js";
import { nodeFs, type StorageFs, type StorageLogger, silentLogger } from "./fs.js";
import {
  decodeSnapshotFile,
  encodeSnapshotFilePieces,
  parseSnapshotFileName,
  SNAPSHOT_SUFFIX,
  type SnapshotFileName,
  snapshotFileName,
} from "./snapshot-file.js";
import { type StorageObserver, timedDatasync } from "./storage-observer.js";

const TEMP_SUFFIX = ".tmp";
/** Corrupt files are renamed with this suffix: kept as evidence, never read again. */
export const BROKEN_SUFFIX = ".broken";

export interface SnapshotStoreOptions {
  /** How many snapshot files to keep; older ones are deleted after each save. @default 3 */
  readonly keepSnapshots?: number;
  /** @default nodeFs */
  readonly fs?: StorageFs;
  /** @default silent */
  readonly logger?: StorageLogger;
  /** Metrics hooks (snapshot fsync durations). @default none */
  readonly observer?: StorageObserver;
}

/** A snapshot file that was not used, and why. */
export interface SkippedSnapshot {
  readonly file: string;
  readonly reason: string;
}

export interface LoadedSnapshot {
  /** The newest valid snapshot, or undefined when there is none. */
  readonly snapshot: Snapshot | undefined;
  readonly file: string | undefined;
  /** Newer files that failed verification (already renamed to *.broken when `quarantine`). */
  readonly skipped: readonly SkippedSnapshot[];
}

/** The snapshot files of one member, in `<dir>/snap`. */
export class SnapshotStore {
  private readonly fs: StorageFs;
  private readonly logger: StorageLogger;
  private readonly observer: StorageObserver | undefined;
  readonly keepSnapshots: number;
  /** Numbers the temporary files of this store's saves. */
  private saves = 0;

  constructor(
    readonly dir: string,
    options: SnapshotStoreOptions = {},
  ) {
    this.fs = options.fs ?? nodeFs;
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer;
    this.keepSnapshots = options.keepSnapshots ?? 3;
    if (!Number.isSafeInteger(this.keepSnapshots) || this.keepSnapshots < 1 || this.keepSnapshots > 1000) {
      throw new RangeError(`keepSnapshots must be in [1, 1000], got ${this.keepSnapshots}`);
    }
  }

  /** Snapshot files by descending index (then term). */
  async list(): Promise<SnapshotFileName[]> {
    const names = await this.fs.list(this.dir);
    return names
      .flatMap((n) => parseSnapshotFileName(n) ?? [])
      .sort((a, b) => b.index - a.index || b.term - a.term);
  }

  /**
   * Writes `snapshot` durably and returns its path. Replaces a file of the same index and term.
   * Two saves may run at once (a local snapshot is written outside the persist queue while a
   * leader's is installed), so each writes its own temporary file.
   */
  async saveSnapshot(snapshot: Snapshot): Promise<string> {
    const name = snapshotFileName(snapshot.metadata.index, snapshot.metadata.term);
    const path = `${this.dir}/${name}`;
    const temp = `${path}.${++this.saves}${TEMP_SUFFIX}`;
    const file = await this.fs.open(temp, "create");
    try {
      let at = 0;
      for (const piece of encodeSnapshotFilePieces(snapshot)) {
        await file.write(piece, at);
        at += piece.byteLength;
      }
      await timedDatasync(file, this.observer?.snapshotFsync?.bind(this.observer));
    } finally {
      await file.close();
    }
    await this.fs.rename(temp, path);
    await this.fs.syncDir(this.dir);
    return path;
  }

  /**
   * The newest snapshot that verifies. Corrupt newer files are skipped, reported to the
   * logger and returned in `skipped`; with `quarantine` they are renamed to *.broken. Files
   * rejected by `accept` are ignored silently (the caller decides about those).
   */
  async loadNewestValidSnapshot(
    options: { accept?: (f: SnapshotFileName) => boolean; quarantine?: boolean } = {},
  ): Promise<LoadedSnapshot> {
    const skipped: SkippedSnapshot[] = [];
    for (const f of await this.list()) {
      if (options.accept && !options.accept(f)) continue;
      const path = `${this.dir}/${f.name}`;
      try {
        const snapshot = decodeSnapshotFile(await this.fs.readFile(path), path, f);
        return { snapshot, file: path, skipped };
      } catch (err) {
        if (!(err instanceof SnapshotCorruptError)) throw err;
        skipped.push({ file: path, reason: err.message });
        this.logger.warn(`snapshot: skipping ${err.message}; falling back to an older snapshot`);
        if (options.quarantine) await this.quarantine(f.name);
      }
    }
    return { snapshot: undefined, file: undefined, skipped };
  }

  /** Deletes all but the newest `keepSnapshots` files; returns the deleted names. */
  async prune(): Promise<string[]> {
    const doomed = (await this.list()).slice(this.keepSnapshots).map((f) => f.name);
    for (const name of doomed) await this.fs.remove(`${this.dir}/${name}`);
    if (doomed.length > 0) await this.fs.syncDir(this.dir);
    return doomed;
  }

  /** Deletes one snapshot file (an orphan written just before a crash). */
  async remove(name: string): Promise<void> {
    await this.fs.remove(`${this.dir}/${name}`);
    await this.fs.syncDir(this.dir);
  }

  /** Deletes temporary files of saves interrupted by a crash; returns their names. */
  async removeTemporaries(): Promise<string[]> {
    const temps = (await this.fs.list(this.dir)).filter(
      (n) => n.endsWith(TEMP_SUFFIX) && n.includes(SNAPSHOT_SUFFIX),
    );
    for (const name of temps) await this.fs.remove(`${this.dir}/${name}`);
    if (temps.length > 0) await this.fs.syncDir(this.dir);
    return temps;
  }

  private async quarantine(name: string): Promise<void> {
    await this.fs.rename(`${this.dir}/${name}`, `${this.dir}/${name}${BROKEN_SUFFIX}`);
    await this.fs.syncDir(this.dir);
  }
}
