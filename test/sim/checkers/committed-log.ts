import type { Index, NodeId, Term } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { ClusterView, NodeView } from "./events.js";

export interface CommittedEntry {
  readonly term: Term;
  readonly digest: string;
  /**
   * An upper bound on the term in which the entry was committed: the term of the first node
   * seen with it committed. A node learns a commit only from a leader of its own term (or
   * is that leader), so the bound is sound; leader completeness relies on it.
   */
  commitTerm: Term;
  readonly firstSeenBy: NodeId;
}

/**
 * Log Matching on committed prefixes: every entry at or below a node's durable commit index,
 * as it sits in that node's durable log, is the one entry committed at that index cluster-wide.
 * Builds the registry of committed entries that leader completeness reads.
 */
export class CommittedLog implements Checker {
  readonly name = "log-matching/committed";
  /** Index → the entry committed there. Bounded by the run's log length. */
  readonly entries = new Map<Index, CommittedEntry>();
  /** Per node, the highest index already compared (a rescan every `rescanEverySteps` catches rewrites). */
  private readonly cursor = new Map<NodeId, Index>();

  constructor(
    private readonly sink: ViolationSink,
    private readonly rescanEverySteps = 64,
  ) {}

  checkView(view: ClusterView): void {
    const rescan = view.step % this.rescanEverySteps === 0;
    for (const n of view.nodes) this.scan(view.step, n, rescan);
  }

  finish(view: ClusterView): void {
    for (const n of view.nodes) this.scan(view.step, n, true);
  }

  private scan(step: number, n: NodeView, full: boolean): void {
    const hi = Math.min(n.durableCommit, n.lastIndex);
    const from = full ? 0 : (this.cursor.get(n.id) ?? 0);
    for (let i = Math.max(from + 1, n.firstIndex); i <= hi; i++) {
      const e = n.entryAt(i);
      if (e === undefined) continue;
      const known = this.entries.get(i);
      if (known === undefined) {
        this.entries.set(i, { term: e.term, digest: e.digest, commitTerm: n.term, firstSeenBy: n.id });
      } else if (known.term !== e.term || known.digest !== e.digest) {
        this.sink.report(
          this.name,
          step,
          `n${n.id} has ${e.digest} committed at ${i}, but n${known.firstSeenBy} had ${known.digest} committed there`,
        );
        return;
      } else if (n.term < known.commitTerm) {
        known.commitTerm = n.term;
      }
    }
    if (hi > (this.cursor.get(n.id) ?? 0)) this.cursor.set(n.id, hi);
  }
}
