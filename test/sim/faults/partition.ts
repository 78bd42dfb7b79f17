import type { NodeId } from "../../../libs/raft/index.js";
import { EpisodicFault, type FaultContext } from "./fault.js";

/** A symmetric partition: the nodes split into two random sides that cannot talk at all. */
export class Partition extends EpisodicFault {
  readonly name = "partition";
  private sides: [NodeId[], NodeId[]] | undefined;

  protected begin(ctx: FaultContext): number | undefined {
    const ids = ctx.rng.shuffle([...ctx.cluster.nodes.keys()]);
    if (ids.length < 2) return undefined;
    const cut = ctx.rng.range(1, ids.length - 1);
    const a = ids.slice(0, cut);
    const b = ids.slice(cut);
    ctx.network.partition(a, b, true);
    this.sides = [a, b];
    const lasts = ctx.rng.range(ctx.electionSteps, 8 * ctx.electionSteps);
    ctx.trace(`fault partition {${a.join(",")}} | {${b.join(",")}} for ${lasts}`);
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    if (this.sides === undefined) return;
    const [a, b] = this.sides;
    for (const x of a)
      for (const y of b) {
        ctx.network.restoreLink(x, y);
        ctx.network.restoreLink(y, x);
      }
    this.sides = undefined;
    ctx.trace("fault partition healed");
  }
}
