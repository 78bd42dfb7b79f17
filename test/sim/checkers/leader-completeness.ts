import type { NodeId, Term } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { CommittedLog } from "./committed-log.js";
import type { ClusterView, NodeView } from "./events.js";

/**
 * Leader Completeness (Raft §5.4): an entry committed in term T is in the log of every leader
 * of a term after T. Checked when a leader is first seen (its log only grows while it leads)
 * and once more at the end. Entries compacted into the leader's snapshot count as present.
 */
export class LeaderCompleteness implements Checker {
  readonly name = "leader-completeness";
  /** (term, leader) pairs already checked: bounded by the elections of the run. */
  private readonly checked = new Set<string>();

  constructor(
    private readonly sink: ViolationSink,
    private readonly committed: CommittedLog,
  ) {}

  checkView(view: ClusterView): void {
    for (const n of view.nodes) {
      if (n.role !== "leader") continue;
      const key = `${n.term}/${n.id}`;
      if (this.checked.has(key)) continue;
      this.checked.add(key);
      this.check(view.step, n);
    }
  }

  finish(view: ClusterView): void {
    for (const n of view.nodes) if (n.role === "leader") this.check(view.step, n);
  }

  private check(step: number, leader: NodeView): void {
    for (const [i, c] of this.committed.entries) {
      if (c.commitTerm >= leader.term) continue;
      if (i > leader.lastIndex) {
        this.fail(step, leader.id, leader.term, `lacks entry ${i} committed by term ${c.commitTerm}`);
        return;
      }
      if (i < leader.firstIndex) continue;
      const e = leader.entryAt(i);
      if (e === undefined || e.term !== c.term || e.digest !== c.digest) {
        this.fail(
          step,
          leader.id,
          leader.term,
          `has ${e?.digest ?? "nothing"} at ${i}, committed ${c.digest}`,
        );
        return;
      }
    }
  }

  private fail(step: number, id: NodeId, term: Term, what: string): void {
    this.sink.report(this.name, step, `leader n${id} of term ${term} ${what}`);
  }
}
