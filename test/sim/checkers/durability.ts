import type { Index } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { ClusterView, SimEvent } from "./events.js";

/**
 * Nothing acknowledged is lost: once a client proposal has been applied (the point where a
 * server would answer the client), no node ever applies anything else at its index, and at the
 * end of the run every member of the final configuration has applied past it.
 */
export class Durability implements Checker {
  readonly name = "durability";
  /** Index → digest of the acknowledged entry. Bounded by the proposals of the run. */
  private readonly acked = new Map<Index, string>();
  private maxAcked: Index = 0;

  constructor(private readonly sink: ViolationSink) {}

  observe(e: SimEvent): void {
    if (e.kind === "ack") {
      this.acked.set(e.index, e.digest);
      this.maxAcked = Math.max(this.maxAcked, e.index);
    } else if (e.kind === "apply") {
      const want = this.acked.get(e.index);
      if (want !== undefined && want !== e.digest) {
        this.sink.report(
          this.name,
          e.step,
          `n${e.node} applied ${e.digest} at ${e.index}, where ${want} was acknowledged`,
        );
      }
    }
  }

  finish(view: ClusterView): void {
    for (const n of view.nodes) {
      if (n.isMember && n.applied < this.maxAcked) {
        this.sink.report(
          this.name,
          view.step,
          `member n${n.id} ends at applied ${n.applied} < acknowledged ${this.maxAcked}`,
        );
      }
    }
  }

  get acknowledged(): number {
    return this.acked.size;
  }
}
