/**
 * Crash recovery: from a data directory to a MemoryStorage holding exactly what was durable.
 *
 *   <dir>/wal/<seq>-<firstIndex>.wal   segments (wal-segment.ts)
 *   <dir>/snap/<index>-<term>.snap     snapshot files (snapshot-file.ts)
 *
 * Everything is read and judged before anything is changed: a refusal leaves the directory
 * as it was found, for the operator to inspect.
 */
import { dirname } from "node:path";
import type { HardState, Index } from "../raft/index.js";
import { MemoryStorage } from "../raft/index.js";
import { RecoveryError } from "./errors.js";
import type { SkippedSnapshot } from "./snapshot-store.js";
import { SnapshotStore } from "./snapshot-store.js";
import {
  RECORD_BYTES_LIMIT,
  type ResolvedWalOptions,
  resolveWalOptions,
  Wal,
  type WalOptions,
} from "./wal.js";
import type { SnapshotPoint } from "./wal-payload.js";
import { newestRecordedSnapshot, replayWal } from "./wal-replay.js";
import {
  listSegments,
  type ScannedSegment,
  type SegmentName,
  scanSegment,
  type TornTail,
} from "./wal-segment.js";

export interface OpenStorageOptions extends WalOptions {
  /** Snapshot files kept; WAL segments are kept back to the oldest of them. @default 3 */
  readonly keepSnapshots?: number;
}

/** What recovery found and did; the master logs it and shows it in `status`. */
export interface RecoveryReport {
  readonly dir: string;
  /** True when the directory held no WAL yet and a new one was created. */
  readonly created: boolean;
  readonly fsyncEnabled: boolean;
  /** The snapshot the log starts from, or undefined. */
  readonly snapshot: SnapshotPoint | undefined;
  /** Snapshot files not used: corrupt (renamed *.broken) or written but never recorded (deleted). */
  readonly skippedSnapshots: readonly SkippedSnapshot[];
  readonly segmentCount: number;
  readonly recordCount: number;
  readonly firstIndex: Index;
  readonly lastIndex: Index;
  readonly hardState: HardState;
  /** The damaged end of the last segment, already cut off; undefined after a clean stop. */
  readonly tornTail: TornTail | undefined;
  readonly durationMs: number;
}

export interface OpenedStorage {
  /** What the Raft core reads: recovered snapshot, entries and hard state. */
  readonly storage: MemoryStorage;
  readonly wal: Wal;
  readonly snapshots: SnapshotStore;
  readonly report: RecoveryReport;
}

/**
 * Opens (creating if empty) the data directory `dir`: recovers the newest valid snapshot and
 * the WAL after it, cuts off a torn tail, and returns a writer positioned after it. Throws
 * WalCorruptError or RecoveryError instead of starting with acknowledged writes missing.
 */
export async function openStorage(dir: string, options: OpenStorageOptions = {}): Promise<OpenedStorage> {
  const startedMs = performance.now();
  const o = resolveWalOptions(options);
  const walDir = `${dir}/wal`;
  await o.fs.mkdirp(walDir);
  await o.fs.mkdirp(`${dir}/snap`);
  // The new names must survive a power failure, including `dir` itself in its parent.
  await o.fs.syncDir(dir);
  await o.fs.syncDir(dirname(dir));
  const snapshots = new SnapshotStore(`${dir}/snap`, {
    keepSnapshots: options.keepSnapshots,
    fs: o.fs,
    logger: o.logger,
    observer: o.observer,
  });

  const { segments, temporaries } = await listSegments(o.fs, walDir);
  const scans = await scanAll(o, walDir, dir, segments);
  const snapshotFiles = await snapshots.list();
  if (segments.length === 0 && snapshotFiles.length > 0) {
    throw new RecoveryError(dir, `${snapshotFiles.length} snapshot file(s) but no WAL segment in ${walDir}`);
  }

  // A snapshot file newer than the newest marker was written just before a crash, before
  // its marker: it was never acknowledged, and the log on disk does not fit it.
  const recorded = newestRecordedSnapshot(scans);
  const isOrphan = (f: { index: number; term: number }): boolean =>
    f.index > recorded.index || (f.index === recorded.index && f.term !== recorded.term);
  const orphans = snapshotFiles.filter(isOrphan);
  const loaded = await snapshots.loadNewestValidSnapshot({ accept: (f) => !isOrphan(f), quarantine: true });
  const base = loaded.snapshot?.metadata ?? { index: 0, term: 0 };
  const log = replayWal(scans, base, dir);
  const lastIndex = base.index + log.entries.length;
  if (log.hardState.commit > lastIndex) {
    throw new RecoveryError(
      dir,
      `the hard state commits index ${log.hardState.commit} but the log ends at ${lastIndex}`,
    );
  }
  // A snapshot holds only committed state, so its index is committed even if no record says so.
  const hardState = { ...log.hardState, commit: Math.max(log.hardState.commit, base.index) };

  // Decided to start: now repair.
  for (const f of orphans) {
    o.logger.warn(`snapshot: removing ${f.name}, written but never recorded in the WAL before a crash`);
    await snapshots.remove(f.name);
  }
  await snapshots.removeTemporaries();
  for (const name of temporaries) await o.fs.remove(`${walDir}/${name}`);
  if (temporaries.length > 0) await o.fs.syncDir(walDir);
  const tornTail = scans.at(-1)?.tornTail;
  if (tornTail) await truncateTornTail(o, tornTail);

  const storage = new MemoryStorage();
  if (loaded.snapshot) storage.applySnapshot(loaded.snapshot);
  storage.append(log.entries);
  storage.setHardState(hardState);
  const wal = await Wal.resume(walDir, o, {
    segments,
    lastSegmentEndBytes: scans.at(-1)?.endBytes ?? 0,
    lastIndex,
    hardState,
    newestSnapshot: recorded,
  });
  const report: RecoveryReport = {
    dir,
    created: segments.length === 0,
    fsyncEnabled: o.fsync,
    snapshot: loaded.snapshot ? { index: base.index, term: base.term } : undefined,
    skippedSnapshots: [
      ...loaded.skipped,
      ...orphans.map((f) => ({
        file: `${dir}/snap/${f.name}`,
        reason: "newer than the newest WAL snapshot marker",
      })),
    ],
    segmentCount: wal.segmentCount,
    recordCount: log.recordCount,
    firstIndex: storage.firstIndex(),
    lastIndex,
    hardState,
    tornTail,
    durationMs: performance.now() - startedMs,
  };
  o.logger.info(
    `storage: recovered ${dir}: snapshot ${report.snapshot?.index ?? "none"}, entries ` +
      `${report.firstIndex}..${lastIndex}, ${report.segmentCount} segment(s), fsync ${o.fsync ? "on" : "OFF"}`,
  );
  return { storage, wal, snapshots, report };
}

async function scanAll(
  o: ResolvedWalOptions,
  walDir: string,
  dir: string,
  segments: readonly SegmentName[],
): Promise<ScannedSegment[]> {
  const scans: ScannedSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const prev = segments[i - 1];
    if (prev !== undefined && seg.seq !== prev.seq + 1) {
      throw new RecoveryError(
        dir,
        `WAL segment ${prev.seq + 1} is missing between ${prev.name} and ${seg.name}`,
      );
    }
    const path = `${walDir}/${seg.name}`;
    const bytes = await o.fs.readFile(path);
    scans.push(scanSegment(bytes, seg, path, i === segments.length - 1, RECORD_BYTES_LIMIT));
  }
  return scans;
}

async function truncateTornTail(o: ResolvedWalOptions, t: TornTail): Promise<void> {
  o.logger.warn(
    `wal: torn tail in ${t.file} at byte offset ${t.offsetBytes}: ${t.reason}; ` +
      `cutting ${t.droppedBytes} byte(s) never acknowledged as durable`,
  );
  const file = await o.fs.open(t.file, "existing");
  try {
    await file.truncate(t.offsetBytes);
    await file.datasync();
  } finally {
    await file.close();
  }
}
