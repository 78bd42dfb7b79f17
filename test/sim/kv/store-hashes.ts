import type { NodeId } from "../../../libs/raft/index.js";
import type { Checker, ViolationSink } from "../checkers/checker.js";
import type { ClusterView } from "../checkers/events.js";
import type { MvccStateMachine } from "./mvcc-state-machine.js";

/** Revisions compared per compaction group at the end of a run, at most. */
const FINAL_REVISIONS_MAX = 8;

/**
 * Every master's store agrees with every other at the same revision: after each step, each
 * live node's HashKV at its current revision is compared with the first one seen at that
 * (revision, compact revision) — compaction changes what HashKV covers, so only equal pairs
 * compare. (State machine safety separately compares the full hash at equal applied index.)
 * The store's consistent index must equal the node's applied index. At the end, members with
 * the same compact revision also compare HashKV at past revisions: their histories agree,
 * not only their latest states.
 */
export class StoreHashes implements Checker {
  readonly name = "store-hash";
  /** "revision/compact" → the first hash seen there and who had it. Bounded by the run's revisions. */
  private readonly seen = new Map<string, { hash: number; node: NodeId }>();
  comparisons = 0;

  constructor(
    private readonly sink: ViolationSink,
    private readonly sm: (id: NodeId) => MvccStateMachine | undefined,
  ) {}

  checkView(view: ClusterView): void {
    for (const n of view.nodes) {
      const sm = this.sm(n.id);
      if (sm === undefined) continue;
      const store = sm.store;
      if (store.consistentIndex !== n.applied) {
        this.sink.report(
          this.name,
          view.step,
          `n${n.id}: store consistent index ${store.consistentIndex} != applied index ${n.applied}`,
        );
        return;
      }
      const key = `${store.currentRevision}/${store.compactRevision}`;
      const hash = sm.kvHash();
      const known = this.seen.get(key);
      if (known === undefined) this.seen.set(key, { hash, node: n.id });
      else {
        this.comparisons++;
        if (known.hash !== hash) {
          this.sink.report(
            this.name,
            view.step,
            `n${n.id} hashKv@${key} (revision/compact) = ${hash.toString(16)}, but n${known.node} had ${known.hash.toString(16)}`,
          );
          return;
        }
      }
    }
  }

  finish(view: ClusterView): void {
    const groups = new Map<number, { id: NodeId; sm: MvccStateMachine }[]>();
    for (const n of view.nodes) {
      const sm = this.sm(n.id);
      if (!n.isMember || sm === undefined) continue;
      const c = sm.store.compactRevision;
      const g = groups.get(c);
      if (g === undefined) groups.set(c, [{ id: n.id, sm }]);
      else g.push({ id: n.id, sm });
    }
    for (const [compact, members] of groups) {
      if (members.length < 2) continue;
      const top = Math.min(...members.map((m) => m.sm.store.currentRevision));
      const from = Math.max(1, compact);
      const stride = Math.max(1, Math.ceil((top - from + 1) / FINAL_REVISIONS_MAX));
      for (let rev = top; rev >= from; rev -= stride) {
        let first: { id: NodeId; hash: number } | undefined;
        for (const m of members) {
          const h = m.sm.store.hashKv(rev);
          if (!h.ok) {
            this.sink.report(this.name, view.step, `n${m.id} hashKv@${rev} failed: ${h.error.message}`);
            return;
          }
          this.comparisons++;
          if (first === undefined) first = { id: m.id, hash: h.value.hash };
          else if (first.hash !== h.value.hash) {
            this.sink.report(
              this.name,
              view.step,
              `at the end, n${m.id} hashKv@${rev} = ${h.value.hash.toString(16)} but n${first.id} has ${first.hash.toString(16)} (compact ${compact})`,
            );
            return;
          }
        }
      }
    }
  }
}
