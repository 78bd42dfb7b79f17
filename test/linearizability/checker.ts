import { explainIllegal } from "./explain.js";
import { reportIllegal, reportOk, reportUnknown } from "./report.js";
import type { CheckResult, CheckStats, IndexedOperation } from "./result.js";
import { searchLinearization } from "./search.js";
import type { History, Model, Operation } from "./types.js";
import { HistoryError, UNKNOWN } from "./types.js";

/** Bounds on one check. Steps, not time: a verdict must not depend on the machine. */
export interface CheckOptions {
  /**
   * Search steps allowed in each partition before giving up with "unknown": one per event
   * visited plus one per extra memo entry compared. A step costs about a microsecond.
   * @default 1_000_000
   */
  readonly maxStepsPerPartition?: number;
  /**
   * Operations of the longest prefix listed in an illegal report (the last ones; the
   * structured explanation always holds all of them).
   * @default 20
   */
  readonly reportPrefixOpsMax?: number;
}

const DEFAULT_MAX_STEPS_PER_PARTITION = 1_000_000;
const DEFAULT_REPORT_PREFIX_OPS_MAX = 20;

/**
 * Decides whether `history` is linearizable with respect to `model`.
 *
 * Unknown-outcome operations (output `UNKNOWN`, return time Infinity) may take effect at any
 * point after their call, or never: their open interval lets the search linearize them
 * anywhere after the call, and once every known-outcome operation is placed the rest count
 * as placed last, which is indistinguishable from never taking effect. Each is applied at
 * most once, since the search places an operation at most once. Read-only ones are dropped
 * up front (see `Model.isReadOnly`).
 *
 * Partitions are checked in order; the first illegal one ends the check. A partition that
 * exhausts its budget makes the verdict "unknown" unless a later one is illegal.
 *
 * @throws HistoryError if an operation breaks the invariants documented on `Operation`.
 */
export function checkHistory<S, I, O>(
  model: Model<S, I, O>,
  history: History<I, O>,
  options: CheckOptions = {},
): CheckResult<I, O> {
  const maxSteps = options.maxStepsPerPartition ?? DEFAULT_MAX_STEPS_PER_PARTITION;
  const prefixOpsMax = options.reportPrefixOpsMax ?? DEFAULT_REPORT_PREFIX_OPS_MAX;
  history.forEach(validateOperation);

  // Unknown-outcome reads say nothing, so they are left out. Partitions hold the same objects
  // as `kept`, so identity leads back to the caller's index.
  const kept: Operation<I, O>[] = [];
  const indexOf = new Map<Operation<I, O>, number>();
  history.forEach((op, i) => {
    if (op.output === UNKNOWN && model.isReadOnly?.(op.input) === true) return;
    kept.push(op);
    if (!indexOf.has(op)) indexOf.set(op, i);
  });
  const parts = model.partition !== undefined ? model.partition(kept) : [kept];

  let steps = 0;
  const exhausted: number[] = [];
  const stats = (): CheckStats => ({ operations: kept.length, partitions: parts.length, steps });
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const outcome = searchLinearization(model, part, maxSteps);
    steps += outcome.steps;
    switch (outcome.kind) {
      case "ok":
        break;
      case "budget-exhausted":
        exhausted.push(p);
        break;
      case "illegal": {
        const original = (position: number): IndexedOperation<I, O> => ({
          index: indexOf.get(part[position]!) ?? -1,
          operation: part[position]!,
        });
        const explanation = explainIllegal(
          model,
          part,
          original,
          p,
          outcome.longestPrefix,
          outcome.stateAfterPrefix,
        );
        return {
          outcome: "illegal",
          stats: stats(),
          explanation,
          report: reportIllegal(model, explanation, prefixOpsMax),
        };
      }
      default: {
        const never: never = outcome;
        throw new Error(`unhandled search outcome ${String(never)}`);
      }
    }
  }
  if (exhausted.length > 0) {
    return {
      outcome: "unknown",
      reason: "budget-exhausted",
      stats: stats(),
      exhaustedPartitions: exhausted,
      report: reportUnknown(stats(), exhausted, maxSteps),
    };
  }
  return { outcome: "ok", stats: stats(), report: reportOk(stats()) };
}

function validateOperation(op: Operation<unknown, unknown>, i: number): void {
  if (!Number.isFinite(op.callTime)) {
    throw new HistoryError(`operation #${i}: call time must be finite, got ${op.callTime}`, i);
  }
  if (Number.isNaN(op.returnTime) || op.returnTime < op.callTime) {
    throw new HistoryError(
      `operation #${i}: return time ${op.returnTime} before call time ${op.callTime}`,
      i,
    );
  }
  const open = op.returnTime === Number.POSITIVE_INFINITY;
  if (open !== (op.output === UNKNOWN)) {
    throw new HistoryError(
      `operation #${i}: an unknown outcome needs return time Infinity and vice versa ` +
        `(output ${JSON.stringify(op.output)}, return time ${op.returnTime})`,
      i,
    );
  }
}
