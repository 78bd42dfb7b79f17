import type { NodeId } from "../../../libs/raft/index.js";
import { EpisodicFault, type FaultContext } from "./fault.js";

type Direction = "both" | "inbound" | "outbound";

/**
 * Cuts the current leader off: entirely, or only what it hears (it keeps sending heartbeats
 * nobody can answer), or only what it says (followers time out while it hears them).
 */
export class IsolateLeader extends EpisodicFault {
  readonly name = "isolate-leader";
  private cut: Array<[NodeId, NodeId]> = [];

  protected begin(ctx: FaultContext): number | undefined {
    const leader = ctx.cluster.leader();
    if (leader === undefined) return undefined;
    const dir = ctx.rng.pick<Direction>(["both", "both", "inbound", "outbound"]);
    for (const other of ctx.cluster.nodes.keys()) {
      if (other === leader.id) continue;
      if (dir !== "inbound") this.cutOne(ctx, leader.id, other);
      if (dir !== "outbound") this.cutOne(ctx, other, leader.id);
    }
    const lasts = ctx.rng.range(ctx.electionSteps, 6 * ctx.electionSteps);
    ctx.trace(`fault isolate-leader n${leader.id} (${dir}) for ${lasts}`);
    return lasts;
  }

  private cutOne(ctx: FaultContext, from: NodeId, to: NodeId): void {
    ctx.network.cutLink(from, to);
    this.cut.push([from, to]);
  }

  protected end(ctx: FaultContext): void {
    for (const [f, t] of this.cut) ctx.network.restoreLink(f, t);
    this.cut = [];
    ctx.trace("fault isolate-leader healed");
  }
}
