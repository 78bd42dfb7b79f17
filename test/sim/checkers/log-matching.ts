import type { Index } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { ClusterView, NodeView } from "./events.js";

/**
 * Log Matching (Raft §5.3) on durable logs: if two logs hold an entry with the same index and
 * term, they are identical in every entry up to that index. Pairwise over live nodes, every
 * `everySteps` steps and at the end.
 */
export class LogMatching implements Checker {
  readonly name = "log-matching";

  constructor(
    private readonly sink: ViolationSink,
    private readonly everySteps = 16,
  ) {}

  checkView(view: ClusterView): void {
    if (view.step % this.everySteps === 0) this.checkAll(view);
  }

  finish(view: ClusterView): void {
    this.checkAll(view);
  }

  private checkAll(view: ClusterView): void {
    const ns = view.nodes;
    for (let a = 0; a < ns.length; a++) {
      for (let b = a + 1; b < ns.length; b++) {
        const problem = compareLogs(ns[a]!, ns[b]!);
        if (problem !== undefined) {
          this.sink.report(this.name, view.step, problem);
          return;
        }
      }
    }
  }
}

/** Finds the highest common index whose terms agree; everything from the overlap start to it must match. */
export function compareLogs(a: NodeView, b: NodeView): string | undefined {
  const lo = Math.max(a.firstIndex, b.firstIndex);
  const hi = Math.min(a.lastIndex, b.lastIndex);
  let agree: Index = 0;
  for (let i = hi; i >= lo; i--) {
    const ea = a.entryAt(i);
    const eb = b.entryAt(i);
    if (ea !== undefined && eb !== undefined && ea.term === eb.term) {
      agree = i;
      break;
    }
  }
  for (let i = lo; i <= agree; i++) {
    const ea = a.entryAt(i);
    const eb = b.entryAt(i);
    if (ea === undefined || eb === undefined) continue;
    if (ea.term !== eb.term || ea.digest !== eb.digest) {
      return `n${a.id} and n${b.id} agree on the term at ${agree} but differ at ${i}: ${ea.digest} vs ${eb.digest}`;
    }
  }
  return undefined;
}
