/**
 * The vocabulary of the linearizability checker: operations, histories and sequential models.
 *
 * Times are logical simulator times (plain numbers), never wall-clock times, so a check is a
 * pure function of its history and one seed reproduces the same verdict.
 */

/** The output of an operation whose outcome the client never learned (it timed out). */
export const UNKNOWN = "unknown";
export type Unknown = typeof UNKNOWN;

/**
 * One client call as the client saw it.
 *
 * Invariants (checked by `checkHistory`, which throws `HistoryError` otherwise):
 * - `callTime` is finite and `returnTime >= callTime`;
 * - `output === UNKNOWN` exactly when `returnTime === Infinity`. A timed-out request may still
 *   be in flight and take effect long after the client gave up, so its interval must stay
 *   open: a finite return time would let the checker wrongly demand that it took effect
 *   before that time.
 */
export interface Operation<I, O> {
  readonly clientId: number;
  readonly input: I;
  readonly output: O | Unknown;
  readonly callTime: number;
  readonly returnTime: number;
}

/** A history: operations in any order; only their times order them. */
export type History<I, O> = readonly Operation<I, O>[];

/**
 * Whether a sequential model accepts one operation in a state. A rejection may say why, and
 * that reason goes verbatim into the report of an illegal history.
 */
export type StepResult<S> =
  | { readonly ok: true; readonly newState: S }
  | { readonly ok: false; readonly reason?: string };

/**
 * A sequential specification. States must be immutable values: the checker keeps old states
 * for backtracking and memoization, so `step` must return a new state rather than mutate.
 *
 * `step` must accept every operation whose output is `UNKNOWN`, in every state (applying its
 * effect, if any): the checker relies on that to let such an operation "never happen" by
 * linearizing it after everything else.
 */
export interface Model<S, I, O> {
  /** The state before any operation. */
  init(): S;
  /** Applies `input` in `state` if the observed `output` is possible there. */
  step(state: S, input: I, output: O | Unknown): StepResult<S>;
  /** Value equality of states; used to detect already-explored search configurations. */
  equal(a: S, b: S): boolean;
  /** A 32-bit hash consistent with `equal` (equal states hash alike). */
  hash(state: S): number;
  /**
   * Splits a history into independent sub-histories (P-compositionality: e.g. one per key for
   * single-key operations); the history is linearizable iff every part is. Absent: one part.
   */
  partition?(history: History<I, O>): readonly History<I, O>[];
  /**
   * True for inputs that can never change the state. Such operations carry no information
   * when their outcome is unknown, so the checker leaves them out instead of searching over
   * them; absent, every unknown-outcome operation is kept.
   */
  isReadOnly?(input: I): boolean;
  /** A one-line rendering of an operation for reports, e.g. `put("a", "1") -> rev 4`. */
  describeOperation?(input: I, output: O | Unknown): string;
  /** A short rendering of a state for reports. */
  describeState?(state: S): string;
}

/** A malformed history: a bug in whoever recorded it, not a linearizability verdict. */
export class HistoryError extends Error {
  override readonly name = "HistoryError";
  /** Position of the offending operation in the history passed in. */
  readonly operationIndex: number;

  constructor(message: string, operationIndex: number) {
    super(message);
    this.operationIndex = operationIndex;
  }
}
