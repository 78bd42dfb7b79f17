import type { NodeId } from "../../../libs/raft/index.js";
import { type HistoryRecorder, type KvInput, type KvOutput, kv } from "../../linearizability/index.js";
import type { Cluster } from "../cluster.js";
import type { SimNode } from "../node.js";
import { type ReadRevisionHook, readAt } from "./clients.js";
import { getOutput } from "./kv-commands.js";
import type { KvTime, Requests } from "./requests.js";

/** Client ids of the final reads: one per node, clear of the workload's clients. */
export const FINAL_READ_CLIENT_BASE = 1000;

/**
 * After the heal: a linearizable read (ReadIndex) of every key on every live member, recorded
 * in the history. Every write acknowledged during the run must be there or superseded by a
 * later one in the linearization: the check of that is the linearizability check itself.
 * A read that is lost is asked again (the lost one stays an unknown-outcome read).
 */
export class FinalReads {
  private readonly answered = new Set<NodeId>();
  private readonly asking = new Set<NodeId>();
  private started = false;
  reads = 0;

  constructor(
    private readonly cluster: () => Cluster,
    private readonly requests: Requests,
    private readonly recorder: HistoryRecorder<KvInput, KvOutput>,
    private readonly time: KvTime,
    private readonly keys: readonly string[],
    private readonly readRevision: ReadRevisionHook | undefined,
  ) {}

  /** Asks every live member that has not answered and is not being asked; true once all answered. */
  step(): boolean {
    this.started = true;
    let done = true;
    for (const n of this.members()) {
      if (this.answered.has(n.id)) continue;
      done = false;
      if (!this.asking.has(n.id) && !n.isPaused(this.cluster().step)) this.ask(n);
    }
    return done;
  }

  /** Live members that never answered (for the report when the final phase runs out). */
  unanswered(): NodeId[] {
    if (!this.started) return [];
    return this.members()
      .filter((n) => !this.answered.has(n.id))
      .map((n) => n.id);
  }

  private members(): SimNode[] {
    const c = this.cluster();
    return c.up().filter((n) => c.isMember(n.id));
  }

  private ask(n: SimNode): void {
    const t = this.time.now();
    const keys = [...this.keys];
    const handles = keys.map((k) => this.recorder.call(FINAL_READ_CLIENT_BASE + n.id, kv.get(k), t));
    this.asking.add(n.id);
    this.requests.readIndex(n, {
      answered: (store, id) => {
        this.asking.delete(id);
        this.answered.add(id);
        const rev = this.readRevision?.(id, store);
        const at = this.time.now();
        keys.forEach((k, i) => {
          this.recorder.complete(handles[i]!, getOutput(readAt(store, k, rev)), at);
          this.reads++;
        });
      },
      lost: () => {
        this.asking.delete(n.id);
      },
    });
  }
}
