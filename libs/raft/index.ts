/**
 * libs/raft: the pure Raft consensus core. No I/O, no timers, no clock, no global randomness;
 * see API.md for the application loop and raft.ts for the design notes.
 */
export { bootstrap } from "./bootstrap.js";
export { applyConfChange, decodeConfChange, encodeConfChange } from "./conf-change.js";
export type { ProgressState } from "./progress.js";
export { committedIndex, hasQuorum, voteResult } from "./quorum.js";
export type { RaftConfig, RaftLogger } from "./raft.js";
export { type BasicStatus, type RaftStatus, RawNode } from "./raw-node.js";
export { seededRng } from "./rng.js";
export {
  EMPTY_SNAPSHOT,
  entrySize,
  isStorageError,
  type LogStorage,
  limitSize,
  MemoryStorage,
  type StorageError,
} from "./storage.js";
export * from "./types.js";
