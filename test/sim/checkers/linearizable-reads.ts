import type { Index, NodeId } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { SimEvent } from "./events.js";

/**
 * ReadIndex reads are linearizable: a ReadState answers the node that asked, and its index is
 * at least every index known committed when the read was requested, so a read served once
 * applied >= index sees every write acknowledged before the read began.
 */
export class LinearizableReads implements Checker {
  readonly name = "linearizable-reads";
  /** Context → request. Bounded by the reads of the run. */
  private readonly requests = new Map<string, { node: NodeId; minIndex: Index }>();
  private answeredCount = 0;
  private misroutedCount = 0;

  constructor(
    private readonly sink: ViolationSink,
    /**
     * Whether an answer delivered to a node other than the one that asked is a violation.
     * It is not a safety problem (the application there ignores a context it did not issue;
     * the asker retries), only lost liveness for that read; kept strict by default.
     */
    private readonly misroutedIsViolation = true,
  ) {}

  observe(e: SimEvent): void {
    if (e.kind === "readRequest") {
      this.requests.set(e.context, { node: e.node, minIndex: e.minIndex });
      return;
    }
    if (e.kind !== "readState") return;
    const req = this.requests.get(e.context);
    if (req === undefined) {
      this.sink.report(this.name, e.step, `n${e.node} got a read state for unknown context ${e.context}`);
    } else if (req.node !== e.node && this.misroutedIsViolation) {
      this.sink.report(
        this.name,
        e.step,
        `read ${e.context} asked at n${req.node} was answered at n${e.node}`,
      );
    } else if (e.index < req.minIndex) {
      this.sink.report(
        this.name,
        e.step,
        `read ${e.context} got index ${e.index} < ${req.minIndex} committed before it`,
      );
    } else if (req.node !== e.node) {
      this.misroutedCount++;
    } else {
      this.answeredCount++;
    }
  }

  get answered(): number {
    return this.answeredCount;
  }

  /** Answers that reached a node other than the asker (tolerated only when so configured). */
  get misrouted(): number {
    return this.misroutedCount;
  }
}
