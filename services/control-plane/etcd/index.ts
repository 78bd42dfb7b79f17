/**
 * services/control-plane/etcd — the etcd v3 gRPC API of a master (KV, Watch, Lease,
 * Cluster, Maintenance), coded against `EtcdBackend` so the Raft runtime plugs in; and
 * `FakeBackend`, a single-member backend for tests and the simulator.
 */
export type { EtcdBackend, Member, RaftStatus, SnapshotSource, Uint64Id } from "./backend.js";
export { type Clock, ManualClock, systemClock, type TimerHandle } from "./clock.js";
export {
  BadLeaderTransfereeError,
  ETCD_RPC_ERRORS,
  EtcdRpcError,
  type EtcdRpcErrorKind,
  type GrpcStatus,
  InvalidArgumentError,
  LeaderChangedError,
  LearnerNotReadyError,
  MemberBadUrlsError,
  MemberExistsError,
  MemberNotEnoughStartedError,
  MemberNotFoundError,
  MemberNotLearnerError,
  NoLeaderError,
  NotLeaderError,
  NotSupportedForLearnerError,
  PeerUrlExistsError,
  RequestTooLargeError,
  StoppedError,
  TimeoutDueToConnectionLostError,
  TimeoutDueToLeaderFailError,
  TimeoutError,
  TooManyLearnersError,
  TooManyOpsError,
  TooManyRequestsError,
  toGrpcStatus,
} from "./errors.js";
export { FakeBackend, type FakeBackendOptions, type FakeFailurePoint, idFromText } from "./fake-backend.js";
export { ETCD_COMPAT_VERSION } from "./maintenance-service.js";
export {
  DEFAULT_MAX_REQUEST_BYTES,
  type EtcdServer,
  type EtcdServerOptions,
  type ExtraService,
  GRPC_OVERHEAD_BYTES,
  startEtcdServer,
} from "./server.js";
export { SnapshotFileError, unwrapSnapshotFile } from "./snapshot-envelope.js";
export { StoreSizeCache, snapshotSourceOf } from "./store-snapshot.js";
