/**
 * Linearizability checking for the deterministic simulator: a Porcupine-style checker
 * (Wing & Gong search with Lowe's memoization, P-compositional partitioning) and models of
 * the etcd-like key-value store.
 */

export { type CheckOptions, checkHistory } from "./checker.js";
export { type CallHandle, HistoryRecorder, type HistoryRecorderOptions } from "./history-recorder.js";
export type { KeyEntry } from "./kv-key.js";
export { type KvKeyState, kvModel, partitionByKey } from "./kv-model.js";
export { type KvStoreState, kvStoreModel } from "./kv-store-model.js";
export { type KvInput, type KvOutput, kv, kvOut } from "./kv-types.js";
export type {
  Candidate,
  CheckResult,
  CheckStats,
  IllegalExplanation,
  IndexedOperation,
} from "./result.js";
export {
  type History,
  HistoryError,
  type Model,
  type Operation,
  type StepResult,
  UNKNOWN,
  type Unknown,
} from "./types.js";
