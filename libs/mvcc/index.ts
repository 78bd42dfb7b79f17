/**
 * libs/mvcc — the replicated state machine under Raft: a revisioned key space with etcd's
 * semantics (range, put, delete, txn, compact), leases, watches, hash, snapshot and restore,
 * and the binary command format of Raft entries. Pure: no I/O, no clock, no randomness.
 */
export { bytesToLatin1, compareBytes, latin1ToBytes, prefixEnd, utf8 } from "./bytes.js";
export {
  COMPARE_RESULTS,
  COMPARE_TARGETS,
  decodeCommand,
  encodeCommand,
  SORT_ORDERS,
  SORT_TARGETS,
  TXN_DEPTH_MAX,
} from "./command-codec.js";
export { crc32 } from "./crc32.js";
export {
  CommandDecodeError,
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  ETCD_ERROR_MESSAGES,
  ETCD_GRPC_STATUS,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LeaseProvidedError,
  LeaseTtlTooLargeError,
  MvccError,
  type MvccErrorCode,
  SnapshotCorruptError,
  ValueProvidedError,
} from "./errors.js";
export type { KvHash } from "./hash.js";
export { MvccStore, type MvccStoreOptions } from "./kv-store.js";
export { LEASE_TTL_SEC_MAX } from "./lease-table.js";
export { type LeaseTimeToLive, Lessor, type LessorOptions, type RenewOutcome } from "./lessor.js";
export type {
  ApplyResult,
  Command,
  CommandResponse,
  CommandType,
  CompactRequest,
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  DeleteRangeResult,
  KeyValue,
  LeaseGrantRequest,
  LeaseGrantResult,
  LeaseRevokeRequest,
  Outcome,
  PutRequest,
  PutResult,
  RangeRequest,
  RangeResult,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  SortOrder,
  SortTarget,
  TxnRequest,
  TxnResult,
} from "./types.js";
export { type LeaseId, leaseId, NO_LEASE } from "./types.js";
export type { WatchHub, WatchHubOptions } from "./watch-hub.js";
export type { WatchEvent, Watcher, WatcherState, WatchId, WatchRequest, WatchResponse } from "./watcher.js";
