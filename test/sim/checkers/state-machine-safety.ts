import type { Index, NodeId } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "./checker.js";
import type { SimEvent } from "./events.js";

/**
 * State Machine Safety (Raft §5.4.3): no two nodes apply different entries at one index, and
 * a replica's state at index i is the same everywhere (also after a snapshot install or a
 * restart from disk). Each node applies in index order without gaps.
 */
export class StateMachineSafety implements Checker {
  readonly name = "state-machine-safety";
  /** Index → digest of the entry applied there; index → state hash after it. Bounded by the log. */
  private readonly digestAt = new Map<Index, string>();
  private readonly hashAt = new Map<Index, string>();
  private readonly lastApplied = new Map<NodeId, Index>();

  constructor(private readonly sink: ViolationSink) {}

  observe(e: SimEvent): void {
    switch (e.kind) {
      case "apply": {
        const last = this.lastApplied.get(e.node);
        if (last !== undefined && e.index !== last + 1) {
          this.sink.report(this.name, e.step, `n${e.node} applied ${e.index} right after ${last}`);
        }
        this.lastApplied.set(e.node, e.index);
        this.expect(this.digestAt, e.index, e.digest, e.step, `n${e.node} applied entry`);
        this.expect(this.hashAt, e.index, e.hash, e.step, `n${e.node} reached state`);
        return;
      }
      case "restore":
        this.lastApplied.set(e.node, e.index);
        this.expect(this.hashAt, e.index, e.hash, e.step, `n${e.node} restored state`);
        return;
      default:
        return;
    }
  }

  /** Highest index any node applied. */
  get maxApplied(): Index {
    let m = 0;
    for (const i of this.lastApplied.values()) m = Math.max(m, i);
    return m;
  }

  private expect(map: Map<Index, string>, i: Index, value: string, step: number, what: string): void {
    const known = map.get(i);
    if (known === undefined) map.set(i, value);
    else if (known !== value)
      this.sink.report(this.name, step, `${what} ${value} at ${i}, but another node had ${known}`);
  }
}
