/**
 * Typed failures of the state machine. Each carries a stable `code` that the gRPC edge maps
 * to etcd's status and message (see `ETCD_ERROR_MESSAGES`), so etcd clients that match on
 * message text (etcdctl, the `etcd3` package, client-go) behave as against real etcd.
 *
 * Rejections are deterministic: every member rejects the same entry the same way, so a
 * rejected entry still counts as applied (the consistent index moves past it).
 */

/** Stable identifiers of every failure the store can report. */
export type MvccErrorCode =
  | "compacted"
  | "futureRevision"
  | "leaseNotFound"
  | "leaseExists"
  | "leaseTtlTooLarge"
  | "duplicateKey"
  | "emptyKey"
  | "keyNotFound"
  | "valueProvided"
  | "leaseProvided"
  | "commandDecode"
  | "snapshotCorrupt";

/**
 * etcd's exact messages (etcd `api/v3rpc/rpctypes/error.go`), keyed by our codes. Codes with
 * no etcd counterpart carry our own wording.
 */
export const ETCD_ERROR_MESSAGES: Readonly<Record<MvccErrorCode, string>> = {
  compacted: "etcdserver: mvcc: required revision has been compacted",
  futureRevision: "etcdserver: mvcc: required revision is a future revision",
  leaseNotFound: "etcdserver: requested lease not found",
  leaseExists: "etcdserver: lease already exists",
  leaseTtlTooLarge: "etcdserver: too large lease TTL",
  duplicateKey: "etcdserver: duplicate key given in txn request",
  emptyKey: "etcdserver: key is not provided",
  keyNotFound: "etcdserver: key not found",
  valueProvided: "etcdserver: value is provided",
  leaseProvided: "etcdserver: lease is provided",
  commandDecode: "flotilla: mvcc: malformed command",
  snapshotCorrupt: "flotilla: mvcc: malformed snapshot",
};

/** gRPC status codes etcd uses for these errors (OUT_OF_RANGE = 11, INVALID_ARGUMENT = 3, NOT_FOUND = 5, FAILED_PRECONDITION = 9). */
export const ETCD_GRPC_STATUS: Readonly<Record<MvccErrorCode, number>> = {
  compacted: 11,
  futureRevision: 11,
  leaseNotFound: 5,
  leaseExists: 9,
  leaseTtlTooLarge: 11,
  duplicateKey: 3,
  emptyKey: 3,
  keyNotFound: 3,
  valueProvided: 3,
  leaseProvided: 3,
  commandDecode: 3,
  snapshotCorrupt: 13,
};

/** Base of every failure of this library; `code` is the discriminant. */
export abstract class MvccError extends Error {
  abstract readonly code: MvccErrorCode;
  /** The message an etcd client expects for this failure. */
  get etcdMessage(): string {
    return ETCD_ERROR_MESSAGES[this.code];
  }
}

/** A read or watch asked for a revision below the compaction point. */
export class CompactedError extends MvccError {
  override readonly name = "CompactedError";
  readonly code = "compacted";
  constructor(
    readonly requestedRevision: number,
    readonly compactRevision: number,
  ) {
    super(`revision ${requestedRevision} has been compacted (compact revision ${compactRevision})`);
  }
}

/** A read or compaction asked for a revision above the current one. */
export class FutureRevisionError extends MvccError {
  override readonly name = "FutureRevisionError";
  readonly code = "futureRevision";
  constructor(
    readonly requestedRevision: number,
    readonly currentRevision: number,
  ) {
    super(`revision ${requestedRevision} is in the future (current revision ${currentRevision})`);
  }
}

export class LeaseNotFoundError extends MvccError {
  override readonly name = "LeaseNotFoundError";
  readonly code = "leaseNotFound";
  constructor(readonly leaseId: number) {
    super(`lease ${leaseId} not found`);
  }
}

export class LeaseExistsError extends MvccError {
  override readonly name = "LeaseExistsError";
  readonly code = "leaseExists";
  constructor(readonly leaseId: number) {
    super(`lease ${leaseId} already exists`);
  }
}

export class LeaseTtlTooLargeError extends MvccError {
  override readonly name = "LeaseTtlTooLargeError";
  readonly code = "leaseTtlTooLarge";
  constructor(
    readonly ttlSec: number,
    readonly maxTtlSec: number,
  ) {
    super(`lease TTL ${ttlSec}s exceeds the maximum ${maxTtlSec}s`);
  }
}

/** Two operations of one txn branch write the same key (or a put falls inside a delete range). */
export class DuplicateKeyError extends MvccError {
  override readonly name = "DuplicateKeyError";
  readonly code = "duplicateKey";
  constructor(readonly keyLatin1: string) {
    super(`key ${JSON.stringify(keyLatin1)} is written twice in one txn`);
  }
}

export class EmptyKeyError extends MvccError {
  override readonly name = "EmptyKeyError";
  readonly code = "emptyKey";
  constructor() {
    super("key is not provided");
  }
}

/** ignore_value or ignore_lease on a key that does not exist. */
export class KeyNotFoundError extends MvccError {
  override readonly name = "KeyNotFoundError";
  readonly code = "keyNotFound";
  constructor(readonly keyLatin1: string) {
    super(`key ${JSON.stringify(keyLatin1)} not found`);
  }
}

/** ignore_value with a non-empty value. */
export class ValueProvidedError extends MvccError {
  override readonly name = "ValueProvidedError";
  readonly code = "valueProvided";
  constructor() {
    super("value is provided together with ignore_value");
  }
}

/** ignore_lease with a non-zero lease. */
export class LeaseProvidedError extends MvccError {
  override readonly name = "LeaseProvidedError";
  readonly code = "leaseProvided";
  constructor() {
    super("lease is provided together with ignore_lease");
  }
}

/** Bytes that are not a command this codec wrote. */
export class CommandDecodeError extends MvccError {
  override readonly name = "CommandDecodeError";
  readonly code = "commandDecode";
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`cannot decode command: ${reason}`, options);
  }
}

/** Snapshot bytes that are truncated, corrupt or of an unknown version. */
export class SnapshotCorruptError extends MvccError {
  override readonly name = "SnapshotCorruptError";
  readonly code = "snapshotCorrupt";
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`cannot restore snapshot: ${reason}`, options);
  }
}
