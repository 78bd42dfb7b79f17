import type { NodeId, Term } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { ClusterView, SimEvent } from "./events.js";

/** Election Safety (Raft §5.2): at most one leader is ever elected in a term. */
export class ElectionSafety implements Checker {
  readonly name = "election-safety";
  /** One entry per term that had a leader: bounded by the terms of the run. */
  private readonly leaders = new Map<Term, NodeId>();

  constructor(private readonly sink: ViolationSink) {}

  observe(e: SimEvent): void {
    if (e.kind === "leader") this.record(e.step, e.node, e.term);
  }

  checkView(view: ClusterView): void {
    for (const n of view.nodes) if (n.role === "leader") this.record(view.step, n.id, n.term);
  }

  /** Distinct (term, leader) pairs seen: the number of elections won. */
  get elections(): number {
    return this.leaders.size;
  }

  private record(step: number, node: NodeId, term: Term): void {
    const known = this.leaders.get(term);
    if (known === undefined) this.leaders.set(term, node);
    else if (known !== node)
      this.sink.report(this.name, step, `two leaders in term ${term}: n${known} and n${node}`);
  }
}
