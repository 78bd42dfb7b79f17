/**
 * The Raft node runtime of a master process and its gRPC peer transport. The etcd services
 * and the MVCC store plug in through StateMachine and RaftRuntime.propose/readIndex.
 */

export { grpcStatusOf, type RaftErrorCode, type RaftOutcome, RaftRuntimeError } from "./errors.js";
export { DELAY_MS_MAX, type PartitionDirection, type PartitionState, PartitionTable } from "./partition.js";
export { RaftRuntime } from "./runtime.js";
export type {
  AppliedEntry,
  AppliedResult,
  BasicRuntimeStatus,
  InitialMember,
  ProposalOutcome,
  RaftRuntimeOptions,
  ReadyCycleReport,
  RuntimeEvents,
  RuntimeLogger,
  RuntimeObserver,
  RuntimeStatus,
  StateMachine,
} from "./runtime-types.js";
export { decodeSnapshotData, encodeSnapshotData, type MemberUrl } from "./snapshot-data.js";
export { GrpcTransport, type GrpcTransportOptions } from "./transport.js";
export { DEFAULT_TRANSPORT_LIMITS, type TransportHandler, type TransportLimits } from "./transport-types.js";
