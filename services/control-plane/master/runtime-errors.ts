/**
 * Runtime failures as the etcd errors clients know. The Raft runtime says what happened
 * (`RaftRuntimeError.code`); the etcd services turn these classes into gRPC statuses and
 * etcd's exact messages at the edge.
 */
import {
  LeaderChangedError,
  LearnerNotReadyError,
  MemberNotEnoughStartedError,
  MemberNotFoundError,
  NoLeaderError,
  StoppedError,
  TimeoutError,
  TooManyRequestsError,
} from "../etcd/index.js";
import { RaftRuntimeError } from "../raft/index.js";

/** The etcd error for a runtime rejection; other errors pass through unchanged. */
export function toEtcdError(err: unknown): unknown {
  if (!(err instanceof RaftRuntimeError)) return err;
  const cause = { cause: err };
  switch (err.code) {
    case "noLeader":
      return new NoLeaderError(cause);
    case "tooManyRequests":
    case "uncommittedLogFull":
    // One membership change at a time: the client should back off and retry.
    case "confChangePending":
      return new TooManyRequestsError(cause);
    case "timeout":
      return new TimeoutError(cause);
    case "overwritten":
    case "leaderChanged":
    case "transferring":
    case "leaderTermUncommitted":
      return new LeaderChangedError(cause);
    case "stopped":
    case "failed":
      return new StoppedError(cause);
    case "notMember":
      return new MemberNotFoundError(cause);
    case "learnerNotReady":
      return new LearnerNotReadyError(cause);
    case "invalidConfChange":
      // The core's only refusals: removing or demoting the last voter.
      return new MemberNotEnoughStartedError(cause);
  }
}

/** Runs `op`, rethrowing runtime errors as etcd errors. */
export async function asEtcd<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw toEtcdError(err);
  }
}
