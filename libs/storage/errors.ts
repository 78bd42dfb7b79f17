/**
 * Typed failures of durable storage. Each says what happened, where (file and byte offset
 * when there is one) and what the operator should do next; `cause` carries the I/O error.
 */

/** What an operator can do when a member's data directory is damaged. */
const REBUILD_ADVICE =
  "Refusing to start so that no acknowledged write is silently dropped. Restore this member's data " +
  "directory from a backup, or move it aside and re-add the member so it catches up from the leader.";

/**
 * A WAL record is damaged where a crash cannot explain it: in the middle of the log, or in a
 * segment that was complete before the next one was created. Starting would lose writes
 * that may have been acknowledged.
 */
export class WalCorruptError extends Error {
  override readonly name = "WalCorruptError";

  constructor(
    readonly file: string,
    readonly offsetBytes: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `corrupt WAL record in ${file} at byte offset ${offsetBytes}: ${reason}. ${REBUILD_ADVICE}`,
      options,
    );
  }
}

/**
 * The WAL and snapshots are each readable but do not fit together (a missing segment, a gap
 * between the snapshot and the log, a commit index past the log).
 */
export class RecoveryError extends Error {
  override readonly name = "RecoveryError";

  constructor(
    readonly dir: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot recover Raft storage in ${dir}: ${reason}. ${REBUILD_ADVICE}`, options);
  }
}

/** A snapshot file fails its checksum or its format; recovery skips it and reports this. */
export class SnapshotCorruptError extends Error {
  override readonly name = "SnapshotCorruptError";

  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`corrupt snapshot file ${file}: ${reason}`, options);
  }
}

/**
 * An earlier write or fsync failed. After a failed fsync the page cache can no longer be
 * trusted to reach the disk (the 2018 "fsyncgate" lesson), so the WAL accepts nothing more:
 * restart the process and let recovery decide what is durable.
 */
export class WalFailedError extends Error {
  override readonly name = "WalFailedError";

  constructor(dir: string, options: { cause: unknown }) {
    super(
      `the WAL in ${dir} failed earlier and accepts no more writes; restart the member to recover`,
      options,
    );
  }
}

/** The WAL was closed; nothing more can be written. */
export class WalClosedError extends Error {
  override readonly name = "WalClosedError";

  constructor(dir: string) {
    super(`the WAL in ${dir} is closed`);
  }
}

/** A save was refused before touching the disk: the caller broke a precondition. */
export class WalInvalidSaveError extends Error {
  override readonly name = "WalInvalidSaveError";
}

/** More saves are queued than `queueDepthMax`: the caller is not waiting for its saves. */
export class WalQueueFullError extends Error {
  override readonly name = "WalQueueFullError";

  constructor(queueDepthMax: number) {
    super(`the WAL save queue is full (${queueDepthMax} pending); await each save before issuing more`);
  }
}
