import type { Operation } from "./types.js";

/**
 * What a check concludes. Every verdict carries a human-readable `report`, so a failing
 * simulator seed can print it as is.
 */

/** An operation together with its position in the history given to `checkHistory`. */
export interface IndexedOperation<I, O> {
  readonly index: number;
  readonly operation: Operation<I, O>;
}

/**
 * An operation that could have been linearized right after the longest prefix.
 * `rejected`: the model refuses it in that state. `dead-end`: the model accepts it, but every
 * continuation from there failed (or had already been explored and failed).
 */
export interface Candidate<I, O> extends IndexedOperation<I, O> {
  readonly verdict: "rejected" | "dead-end";
  readonly reason?: string;
}

/**
 * Why a history is illegal, as far as one failed search can tell: the longest linearizable
 * prefix it found, and the operation that had to come next but could not. The prefix is one
 * of possibly several of that length; it is a lead for a human, not a proof of blame.
 */
export interface IllegalExplanation<I, O> {
  /** Index of the failing part among those `Model.partition` produced (0 without one). */
  readonly partition: number;
  /** Number of operations checked in that part. */
  readonly partitionSize: number;
  /** The longest linearizable prefix found, in linearization order. */
  readonly prefix: readonly IndexedOperation<I, O>[];
  /** The model state after the prefix, rendered by `Model.describeState`. */
  readonly stateAfterPrefix: string;
  /**
   * The unlinearized operation that returned first: real-time order forces it (or something
   * called before it returned) next, and none of those could go next.
   */
  readonly blocked: IndexedOperation<I, O>;
  /** Every operation that real-time order allowed next, with why each failed. */
  readonly candidates: readonly Candidate<I, O>[];
}

/** Counters common to every verdict. */
export interface CheckStats {
  /** Operations checked (after dropping unknown-outcome read-only ones). */
  readonly operations: number;
  readonly partitions: number;
  /** Search steps used over all partitions; deterministic for a given history. */
  readonly steps: number;
}

export type CheckResult<I, O> =
  | { readonly outcome: "ok"; readonly stats: CheckStats; readonly report: string }
  | {
      readonly outcome: "illegal";
      readonly stats: CheckStats;
      readonly explanation: IllegalExplanation<I, O>;
      readonly report: string;
    }
  | {
      readonly outcome: "unknown";
      readonly reason: "budget-exhausted";
      readonly stats: CheckStats;
      /** Partitions whose search ran out of steps; all others were linearizable. */
      readonly exhaustedPartitions: readonly number[];
      readonly report: string;
    };
