/**
 * Failures of the etcd API and their gRPC statuses. Clients act on the exact text (the Go
 * client maps messages back to typed errors in rpctypes, `etcd3` matches on them, etcdctl
 * prints them), so every message here is etcd's own, from etcd's
 * `api/v3rpc/rpctypes/error.go`; only `InvalidArgumentError` carries our wording.
 *
 * Backends reject with these classes; the store's `MvccError`s come back inside
 * `ApplyResult`s or `Outcome`s. Both map to a status only at the edge (`toGrpcStatus`).
 */
import { status } from "@grpc/grpc-js";
import { ETCD_GRPC_STATUS, MvccError } from "../../../libs/mvcc/index.js";

/** Every etcd server error a backend or the edge may report (besides the store's own). */
export const ETCD_RPC_ERRORS = {
  noLeader: { code: status.UNAVAILABLE, message: "etcdserver: no leader" },
  notLeader: { code: status.FAILED_PRECONDITION, message: "etcdserver: not leader" },
  leaderChanged: { code: status.UNAVAILABLE, message: "etcdserver: leader changed" },
  stopped: { code: status.UNAVAILABLE, message: "etcdserver: server stopped" },
  timeout: { code: status.UNAVAILABLE, message: "etcdserver: request timed out" },
  timeoutDueToLeaderFail: {
    code: status.UNAVAILABLE,
    message: "etcdserver: request timed out, possibly due to previous leader failure",
  },
  timeoutDueToConnectionLost: {
    code: status.UNAVAILABLE,
    message: "etcdserver: request timed out, possibly due to connection lost",
  },
  notSupportedForLearner: { code: status.UNAVAILABLE, message: "etcdserver: rpc not supported for learner" },
  badLeaderTransferee: { code: status.FAILED_PRECONDITION, message: "etcdserver: bad leader transferee" },
  requestTooLarge: { code: status.INVALID_ARGUMENT, message: "etcdserver: request is too large" },
  tooManyRequests: { code: status.RESOURCE_EXHAUSTED, message: "etcdserver: too many requests" },
  tooManyOps: { code: status.INVALID_ARGUMENT, message: "etcdserver: too many operations in txn request" },
  memberExists: { code: status.FAILED_PRECONDITION, message: "etcdserver: member ID already exist" },
  peerUrlExists: { code: status.FAILED_PRECONDITION, message: "etcdserver: Peer URLs already exists" },
  memberNotEnoughStarted: {
    code: status.FAILED_PRECONDITION,
    message: "etcdserver: re-configuration failed due to not enough started members",
  },
  memberBadUrls: { code: status.INVALID_ARGUMENT, message: "etcdserver: given member URLs are invalid" },
  memberNotFound: { code: status.NOT_FOUND, message: "etcdserver: member not found" },
  memberNotLearner: {
    code: status.FAILED_PRECONDITION,
    message: "etcdserver: can only promote a learner member",
  },
  learnerNotReady: {
    code: status.FAILED_PRECONDITION,
    message: "etcdserver: can only promote a learner member which is in sync with leader",
  },
  tooManyLearners: {
    code: status.FAILED_PRECONDITION,
    message: "etcdserver: too many learner members in cluster",
  },
} as const satisfies Record<string, { code: status; message: string }>;

export type EtcdRpcErrorKind = keyof typeof ETCD_RPC_ERRORS;

/** Base of the etcd server errors; the message is etcd's, `kind` picks it and its status. */
export abstract class EtcdRpcError extends Error {
  constructor(
    readonly kind: EtcdRpcErrorKind,
    options?: ErrorOptions,
  ) {
    super(ETCD_RPC_ERRORS[kind].message, options);
  }
}

/** No leader is known: the member cannot commit or serve linearizable reads now. */
export class NoLeaderError extends EtcdRpcError {
  override readonly name = "NoLeaderError";
  constructor(options?: ErrorOptions) {
    super("noLeader", options);
  }
}
/** A leader-only operation (MoveLeader) reached a follower. */
export class NotLeaderError extends EtcdRpcError {
  override readonly name = "NotLeaderError";
  constructor(options?: ErrorOptions) {
    super("notLeader", options);
  }
}
/** Leadership changed while a proposal or read barrier was pending; its outcome is unknown. */
export class LeaderChangedError extends EtcdRpcError {
  override readonly name = "LeaderChangedError";
  constructor(options?: ErrorOptions) {
    super("leaderChanged", options);
  }
}
/** The member is shutting down. */
export class StoppedError extends EtcdRpcError {
  override readonly name = "StoppedError";
  constructor(options?: ErrorOptions) {
    super("stopped", options);
  }
}
/** A proposal or read barrier did not complete within the backend's request timeout. */
export class TimeoutError extends EtcdRpcError {
  override readonly name = "TimeoutError";
  constructor(options?: ErrorOptions) {
    super("timeout", options);
  }
}
export class TimeoutDueToLeaderFailError extends EtcdRpcError {
  override readonly name = "TimeoutDueToLeaderFailError";
  constructor(options?: ErrorOptions) {
    super("timeoutDueToLeaderFail", options);
  }
}
export class TimeoutDueToConnectionLostError extends EtcdRpcError {
  override readonly name = "TimeoutDueToConnectionLostError";
  constructor(options?: ErrorOptions) {
    super("timeoutDueToConnectionLost", options);
  }
}
/** A learner was asked for something only voting members serve. */
export class NotSupportedForLearnerError extends EtcdRpcError {
  override readonly name = "NotSupportedForLearnerError";
  constructor(options?: ErrorOptions) {
    super("notSupportedForLearner", options);
  }
}
/** MoveLeader to a member that is not a voter of this cluster. */
export class BadLeaderTransfereeError extends EtcdRpcError {
  override readonly name = "BadLeaderTransfereeError";
  constructor(options?: ErrorOptions) {
    super("badLeaderTransferee", options);
  }
}
/** A write whose encoded size exceeds the server's maxRequestBytes. */
export class RequestTooLargeError extends EtcdRpcError {
  override readonly name = "RequestTooLargeError";
  constructor(options?: ErrorOptions) {
    super("requestTooLarge", options);
  }
}
/** Too many proposals in flight (etcd: committed index too far ahead of applied). */
export class TooManyRequestsError extends EtcdRpcError {
  override readonly name = "TooManyRequestsError";
  constructor(options?: ErrorOptions) {
    super("tooManyRequests", options);
  }
}
/** A txn with more compares or ops in one branch than maxTxnOps. */
export class TooManyOpsError extends EtcdRpcError {
  override readonly name = "TooManyOpsError";
  constructor(options?: ErrorOptions) {
    super("tooManyOps", options);
  }
}
export class MemberExistsError extends EtcdRpcError {
  override readonly name = "MemberExistsError";
  constructor(options?: ErrorOptions) {
    super("memberExists", options);
  }
}
export class PeerUrlExistsError extends EtcdRpcError {
  override readonly name = "PeerUrlExistsError";
  constructor(options?: ErrorOptions) {
    super("peerUrlExists", options);
  }
}
/** A membership change would leave fewer started members than a quorum. */
export class MemberNotEnoughStartedError extends EtcdRpcError {
  override readonly name = "MemberNotEnoughStartedError";
  constructor(options?: ErrorOptions) {
    super("memberNotEnoughStarted", options);
  }
}
export class MemberBadUrlsError extends EtcdRpcError {
  override readonly name = "MemberBadUrlsError";
  constructor(options?: ErrorOptions) {
    super("memberBadUrls", options);
  }
}
export class MemberNotFoundError extends EtcdRpcError {
  override readonly name = "MemberNotFoundError";
  constructor(options?: ErrorOptions) {
    super("memberNotFound", options);
  }
}
export class MemberNotLearnerError extends EtcdRpcError {
  override readonly name = "MemberNotLearnerError";
  constructor(options?: ErrorOptions) {
    super("memberNotLearner", options);
  }
}
export class LearnerNotReadyError extends EtcdRpcError {
  override readonly name = "LearnerNotReadyError";
  constructor(options?: ErrorOptions) {
    super("learnerNotReady", options);
  }
}
export class TooManyLearnersError extends EtcdRpcError {
  override readonly name = "TooManyLearnersError";
  constructor(options?: ErrorOptions) {
    super("tooManyLearners", options);
  }
}

/**
 * A request field the edge cannot represent or accept (an int64 beyond what the store holds,
 * an unknown enum value). Our wording, prefixed "flotilla:", since etcd has no such error.
 */
export class InvalidArgumentError extends Error {
  override readonly name = "InvalidArgumentError";
  constructor(message: string, options?: ErrorOptions) {
    super(`flotilla: ${message}`, options);
  }
}

/** What a handler passes to grpc-js: a status code and its message. */
export interface GrpcStatus {
  readonly code: status;
  readonly details: string;
}

/**
 * The status an error maps to. Store and backend errors get etcd's code and text; anything
 * else is a bug or an unexpected failure and becomes INTERNAL, with its message for the logs
 * of whoever called (the process keeps serving).
 */
export function toGrpcStatus(err: unknown): GrpcStatus {
  if (err instanceof MvccError)
    return { code: ETCD_GRPC_STATUS[err.code] as status, details: err.etcdMessage };
  if (err instanceof EtcdRpcError) return { code: ETCD_RPC_ERRORS[err.kind].code, details: err.message };
  if (err instanceof InvalidArgumentError) return { code: status.INVALID_ARGUMENT, details: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: status.INTERNAL, details: `flotilla: internal error: ${message}` };
}

/** A status as an Error object: `call.emit("error", it)` ends a server stream with that status. */
export function toServiceError(err: unknown): Error & GrpcStatus {
  const s = toGrpcStatus(err);
  return Object.assign(new Error(s.details), s);
}
