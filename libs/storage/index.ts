/**
 * Durable Raft storage: a write-ahead log in CRC-checked segments with one fsync per batch,
 * snapshot files, and crash recovery that truncates a torn tail and refuses a corrupt middle.
 */
export { crc32c } from "./crc32c.js";
export { DurableStorage, type PersistInput } from "./durable-storage.js";
export {
  RecoveryError,
  SnapshotCorruptError,
  WalClosedError,
  WalCorruptError,
  WalFailedError,
  WalInvalidSaveError,
  WalQueueFullError,
} from "./errors.js";
export { nodeFs, type StorageFile, type StorageFs, type StorageLogger, silentLogger } from "./fs.js";
export { type OpenedStorage, type OpenStorageOptions, openStorage, type RecoveryReport } from "./recovery.js";
export {
  BROKEN_SUFFIX,
  type LoadedSnapshot,
  type SkippedSnapshot,
  SnapshotStore,
  type SnapshotStoreOptions,
} from "./snapshot-store.js";
export type { StorageObserver } from "./storage-observer.js";
export { type SaveOptions, Wal, type WalOptions } from "./wal.js";
export type { SnapshotMarker, SnapshotPoint } from "./wal-payload.js";
export type { TornTail } from "./wal-segment.js";
