/**
 * Store and Raft failures as API errors. The storage layer is the only caller of the
 * backend, so this is the one place where etcd's vocabulary (no leader, request timed out,
 * too many requests, compacted) becomes Kubernetes' (ServiceUnavailable, Timeout,
 * TooManyRequests, Expired): clients then act on the reason alone (retry elsewhere, back
 * off, relist).
 */
import { CompactedError, FutureRevisionError, MvccError } from "../../../libs/mvcc/index.js";
import {
  EtcdRpcError,
  LeaderChangedError,
  NoLeaderError,
  NotSupportedForLearnerError,
  RequestTooLargeError,
  StoppedError,
  TimeoutDueToConnectionLostError,
  TimeoutDueToLeaderFailError,
  TimeoutError,
  TooManyRequestsError,
} from "../etcd/index.js";
import { ApiError } from "./api-error.js";

/** The API error for any rejection of `backend.propose`, `backend.readIndex` or a store read. */
export function apiErrorOfBackend(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (
    err instanceof NoLeaderError ||
    err instanceof StoppedError ||
    err instanceof NotSupportedForLearnerError
  )
    return new ApiError("ServiceUnavailable", `${err.message}; retry on another master`, [], { cause: err });
  if (err instanceof LeaderChangedError)
    return new ApiError(
      "ServiceUnavailable",
      `${err.message}; the write may or may not have been applied`,
      [],
      {
        cause: err,
      },
    );
  if (
    err instanceof TimeoutError ||
    err instanceof TimeoutDueToLeaderFailError ||
    err instanceof TimeoutDueToConnectionLostError
  )
    return new ApiError("Timeout", `${err.message}; the write may or may not have been applied`, [], {
      cause: err,
    });
  if (err instanceof TooManyRequestsError)
    return new ApiError("TooManyRequests", `${err.message}; retry after a short backoff`, [], { cause: err });
  if (err instanceof RequestTooLargeError)
    return new ApiError("RequestEntityTooLarge", err.message, [], { cause: err });
  if (err instanceof CompactedError)
    return new ApiError(
      "Expired",
      `too old resource version: ${err.requestedRevision} (${err.compactRevision})`,
      [],
      { cause: err },
    );
  if (err instanceof FutureRevisionError)
    return new ApiError(
      "Timeout",
      `Too large resource version: ${err.requestedRevision}, current: ${err.currentRevision}`,
      [],
      { cause: err },
    );
  if (err instanceof MvccError) return new ApiError("InternalError", err.etcdMessage, [], { cause: err });
  if (err instanceof EtcdRpcError) return new ApiError("ServiceUnavailable", err.message, [], { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError("InternalError", `internal error: ${message}`, [], { cause: err });
}
