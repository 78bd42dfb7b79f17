import {
  checkHistory,
  type HistoryRecorder,
  type KvInput,
  type KvOutput,
  kvModel,
  UNKNOWN,
} from "../../linearizability/index.js";
import type { Checker, ViolationSink } from "../checkers/checker.js";
import type { ClusterView } from "../checkers/events.js";

export interface LinearizabilityFigures {
  /** Operations recorded (completed and unknown; definite failures are left out). */
  operations: number;
  /** Operations whose outcome the client never learned. */
  unknown: number;
  /** Partitions (keys) whose search ran out of budget: inconclusive, not failures. */
  inconclusive: number;
  searchSteps: number;
}

/**
 * The client history is linearizable (per key, kvModel). Run once, at the end, over every
 * operation including the final reads. A budget-exhausted search is inconclusive and counted;
 * only "illegal" fails the run, with the checker's report as the message.
 */
export class KvLinearizability implements Checker {
  readonly name = "linearizability";
  readonly figures: LinearizabilityFigures = { operations: 0, unknown: 0, inconclusive: 0, searchSteps: 0 };

  constructor(
    private readonly sink: ViolationSink,
    private readonly recorder: HistoryRecorder<KvInput, KvOutput>,
    private readonly maxStepsPerPartition: number,
  ) {}

  finish(view: ClusterView): void {
    const history = this.recorder.history();
    this.figures.operations = history.length;
    this.figures.unknown = history.filter((op) => op.output === UNKNOWN).length;
    const r = checkHistory(kvModel, history, {
      maxStepsPerPartition: this.maxStepsPerPartition,
      reportPrefixOpsMax: 30,
    });
    this.figures.searchSteps = r.stats.steps;
    if (r.outcome === "unknown") this.figures.inconclusive = r.exhaustedPartitions.length;
    if (r.outcome === "illegal")
      this.sink.report(this.name, view.step, `history is not linearizable:\n${r.report}`);
  }
}
