import type { NodeId } from "../../../libs/raft/index.js";
import { EpisodicFault, type FaultContext } from "./fault.js";

/** One-way link cuts: A can reach B but B cannot reach A, on a few random directed links. */
export class AsymmetricPartition extends EpisodicFault {
  readonly name = "asymmetric-partition";
  private links: Array<[NodeId, NodeId]> = [];

  protected begin(ctx: FaultContext): number | undefined {
    const ids = [...ctx.cluster.nodes.keys()];
    if (ids.length < 2) return undefined;
    const count = ctx.rng.range(1, ids.length);
    for (let i = 0; i < count; i++) {
      const from = ctx.rng.pick(ids);
      const to = ctx.rng.pick(ids.filter((x) => x !== from));
      ctx.network.cutLink(from, to);
      this.links.push([from, to]);
    }
    const lasts = ctx.rng.range(ctx.electionSteps, 8 * ctx.electionSteps);
    ctx.trace(
      `fault asymmetric-partition cut ${this.links.map(([f, t]) => `${f}>${t}`).join(" ")} for ${lasts}`,
    );
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    for (const [f, t] of this.links) ctx.network.restoreLink(f, t);
    this.links = [];
    ctx.trace("fault asymmetric-partition healed");
  }
}
