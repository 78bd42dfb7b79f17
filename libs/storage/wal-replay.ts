/**
 * Rebuilds the log from the records of every segment, oldest first, on top of a base
 * snapshot. The rules, in the order records were written:
 *  - an entry replaces whatever the log held at its index and everything after it (the
 *    newest record for an index wins: that is how a new leader's overwrite was written);
 *  - an installed-snapshot marker voids every entry written before it (the log was replaced);
 *  - a local-snapshot marker changes nothing in the log;
 *  - the newest hard state wins; segment headers repeat the hard state as of their cut.
 */
import type { Entry, HardState, Index } from "../raft/index.js";
import { EMPTY_HARD_STATE } from "../raft/index.js";
import { RecoveryError } from "./errors.js";
import type { SnapshotPoint } from "./wal-payload.js";
import type { ScannedSegment } from "./wal-segment.js";

export interface ReplayedLog {
  /** Entries base.index+1, base.index+2, ... in order. */
  readonly entries: Entry[];
  readonly hardState: HardState;
  readonly recordCount: number;
}

/** The newest snapshot the WAL knows to be durable: snapshot files past it are orphans. */
export function newestRecordedSnapshot(scans: readonly ScannedSegment[]): SnapshotPoint {
  let newest: SnapshotPoint = { index: 0, term: 0 };
  for (const scan of scans) {
    for (const r of scan.records) {
      if (r.kind === "segmentHeader") newest = r.header.newestSnapshot;
      else if (r.kind === "snapshotMarker") newest = r.marker;
    }
  }
  return newest;
}

/** The log and hard state the records describe on top of `base`; RecoveryError if they do not fit. */
export function replayWal(scans: readonly ScannedSegment[], base: SnapshotPoint, dir: string): ReplayedLog {
  const entries: Entry[] = [];
  let hardState: HardState = EMPTY_HARD_STATE;
  let recordCount = 0;
  const append = (e: Entry, file: string): void => {
    if (e.index <= base.index) return;
    const at = e.index - base.index - 1;
    if (at > entries.length) {
      throw new RecoveryError(
        dir,
        `${file} holds entry ${e.index} but the log after snapshot ${base.index} ends at ` +
          `${base.index + entries.length}: the entries in between are in no segment`,
      );
    }
    entries.length = at;
    entries.push(e);
  };
  for (const scan of scans) {
    for (const r of scan.records) {
      recordCount++;
      switch (r.kind) {
        case "segmentHeader":
          hardState = r.header.hardState;
          break;
        case "batch":
          if (r.hardState) hardState = r.hardState;
          for (const e of r.entries) append(e, scan.segment.name);
          break;
        case "snapshotMarker":
          if (!r.marker.installed) break;
          if (r.marker.index > base.index) {
            throw new RecoveryError(
              dir,
              `the log was replaced at index ${r.marker.index} by a snapshot from the leader, ` +
                `but no valid snapshot file at or after that index exists`,
            );
          }
          entries.length = 0;
          break;
      }
    }
  }
  checkTerms(entries, base, dir);
  return { entries, hardState, recordCount };
}

/** Terms never decrease along a Raft log; if they do here, replay has a bug or the files lie. */
function checkTerms(entries: readonly Entry[], base: SnapshotPoint, dir: string): void {
  let prev: { index: Index; term: number } = base;
  for (const e of entries) {
    if (e.term < prev.term) {
      throw new RecoveryError(
        dir,
        `entry ${e.index} has term ${e.term}, below term ${prev.term} at ${prev.index}`,
      );
    }
    prev = e;
  }
}
