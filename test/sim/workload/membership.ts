import type { ConfChange, NodeId } from "../../../libs/raft/index.js";
import type { SimNode } from "../node.js";
import { countRejection, type Workload, type WorkloadContext } from "./workload.js";

export interface MembershipLimits {
  readonly minVoters: number;
  readonly maxVoters: number;
  /** Bound on voters + learners + nodes still joining. */
  readonly maxMembers: number;
}

type Op = "addLearner" | "promote" | "removeVoter" | "removeLeader" | "removeLearner";

/**
 * Membership changes driven by the seed, one at a time as the core requires: add an empty
 * node as a learner (it catches up from the leader, by snapshot if the log is compacted),
 * promote a learner, remove a voter, remove the leader itself, remove a learner. Proposals
 * go through any live node; a refused or lost change is simply tried again later.
 */
export class Membership implements Workload {
  constructor(
    private readonly rate: number,
    private readonly limits: MembershipLimits,
  ) {}

  step(ctx: WorkloadContext): void {
    if (!ctx.rng.chance(this.rate)) return;
    const cs = ctx.cluster.latestConfig();
    const joining = ctx.cluster.joining();
    const leader = ctx.cluster.leader();
    const ops: Op[] = [];
    const members = cs.voters.length + cs.learners.length + joining.length;
    if (members < this.limits.maxMembers || joining.length > 0) ops.push("addLearner");
    if (cs.learners.length > 0 && cs.voters.length < this.limits.maxVoters) ops.push("promote");
    if (cs.voters.length > this.limits.minVoters) ops.push("removeVoter");
    if (cs.voters.length > this.limits.minVoters && leader !== undefined) ops.push("removeLeader");
    if (cs.learners.length > 0) ops.push("removeLearner");
    if (ops.length === 0) return;
    const op = ctx.rng.pick(ops);
    const cc = this.change(ctx, op, joining, leader);
    if (cc === undefined) return;
    const nodes = ctx.cluster.active();
    if (nodes.length === 0) return;
    const via = leader !== undefined && ctx.rng.chance(0.6) ? leader : ctx.rng.pick(nodes);
    const raw = via.raw;
    if (raw === undefined) return;
    ctx.counters.confChanges++;
    const ok = countRejection(ctx, via, "proposeConfChange", () => raw.proposeConfChange(cc));
    ctx.trace(`client conf change ${cc.type} n${cc.nodeId} via n${via.id}: ${ok ? "accepted" : "refused"}`);
  }

  private change(
    ctx: WorkloadContext,
    op: Op,
    joining: SimNode[],
    leader: SimNode | undefined,
  ): ConfChange | undefined {
    const cs = ctx.cluster.latestConfig();
    const empty = new Uint8Array(0);
    const mk = (type: ConfChange["type"], nodeId: NodeId): ConfChange => ({ type, nodeId, context: empty });
    switch (op) {
      case "addLearner": {
        const existing = joining[0];
        if (existing !== undefined) return mk("addLearner", existing.id);
        const fresh = ctx.cluster.join();
        if (fresh === undefined) return undefined;
        ctx.trace(`client new node n${fresh.id} (empty storage) to join as learner`);
        return mk("addLearner", fresh.id);
      }
      case "promote":
        return mk("addVoter", ctx.rng.pick(cs.learners));
      case "removeVoter":
        return mk("removeNode", ctx.rng.pick(cs.voters));
      case "removeLeader":
        return leader === undefined ? undefined : mk("removeNode", leader.id);
      case "removeLearner":
        return mk("removeNode", ctx.rng.pick(cs.learners));
    }
  }
}
