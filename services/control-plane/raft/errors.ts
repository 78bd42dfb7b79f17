/**
 * Errors of the Raft runtime. Each carries a `code` that says what happened and whether the
 * caller may retry; gRPC status codes are derived from it only at the edge (grpcStatusOf).
 */
import { status } from "@grpc/grpc-js";
import type { ProposalRejection } from "../../../libs/raft/index.js";

/** Why a proposal, read or membership change did not succeed. */
export type RaftErrorCode =
  | ProposalRejection
  /** maxInflightProposals (or maxPendingReads) reached: back off. */
  | "tooManyRequests"
  /** A new leader overwrote the entry at the proposal's index: it was not applied; safe to retry. */
  | "overwritten"
  /** The proposal's index was covered by a snapshot this member installed: outcome unknown. */
  | "leaderChanged"
  /** No answer within the timeout: the outcome is unknown (it may still be applied). */
  | "timeout"
  /** The runtime is stopping or stopped. */
  | "stopped"
  /** The runtime hit a fatal error (e.g. the disk failed) and stopped. */
  | "failed";

/**
 * Whether the caller knows the operation was not applied. "unknown" means a retry may apply
 * it twice: the caller must make the command idempotent (e.g. a compare on mod_revision).
 */
export type RaftOutcome = "notApplied" | "unknown";

const UNKNOWN_OUTCOME: ReadonlySet<RaftErrorCode> = new Set<RaftErrorCode>([
  "leaderChanged",
  "timeout",
  "stopped",
  "failed",
]);

const RETRYABLE: ReadonlySet<RaftErrorCode> = new Set<RaftErrorCode>([
  "noLeader",
  "transferring",
  "uncommittedLogFull",
  "confChangePending",
  "leaderTermUncommitted",
  "tooManyRequests",
  "overwritten",
]);

/** A runtime operation failed; `code` says why, `outcome` whether it may still take effect. */
export class RaftRuntimeError extends Error {
  override readonly name = "RaftRuntimeError";
  readonly outcome: RaftOutcome;
  /** True when retrying (on this or another member) is the expected reaction. */
  readonly retryable: boolean;

  constructor(
    readonly code: RaftErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.outcome = UNKNOWN_OUTCOME.has(code) ? "unknown" : "notApplied";
    this.retryable = RETRYABLE.has(code);
  }
}

/** The gRPC status an edge service should answer with for a runtime error code. */
export function grpcStatusOf(code: RaftErrorCode): status {
  switch (code) {
    case "tooManyRequests":
    case "uncommittedLogFull":
      return status.RESOURCE_EXHAUSTED;
    case "noLeader":
    case "transferring":
    case "leaderTermUncommitted":
    case "overwritten":
    case "leaderChanged":
    case "stopped":
      return status.UNAVAILABLE;
    case "timeout":
      return status.DEADLINE_EXCEEDED;
    case "notMember":
    case "confChangePending":
    case "learnerNotReady":
      return status.FAILED_PRECONDITION;
    case "invalidConfChange":
      return status.INVALID_ARGUMENT;
    case "failed":
      return status.INTERNAL;
  }
}

/** The error for a proposal the core refused outright. */
export function rejectionError(reason: ProposalRejection): RaftRuntimeError {
  return new RaftRuntimeError(reason, `raft refused the proposal: ${reason}`);
}
