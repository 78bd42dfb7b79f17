import { EpisodicFault, type FaultContext } from "./fault.js";

/**
 * A process pause (GC, swapped out, SIGSTOP): the node neither ticks nor handles messages
 * (they wait for it) for up to three election timeouts, then resumes as if nothing happened.
 */
export class Pause extends EpisodicFault {
  readonly name = "pause";

  protected begin(ctx: FaultContext): number | undefined {
    const up = ctx.cluster.up();
    if (up.length === 0) return undefined;
    const leader = ctx.cluster.leader();
    const victim = leader !== undefined && ctx.rng.chance(0.4) ? leader : ctx.rng.pick(up);
    const lasts = ctx.rng.range(2, 3 * ctx.electionSteps);
    victim.pausedUntil = ctx.step + lasts;
    ctx.trace(`fault pause n${victim.id} for ${lasts}`);
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    for (const n of ctx.cluster.nodes.values()) n.pausedUntil = -1;
  }
}
