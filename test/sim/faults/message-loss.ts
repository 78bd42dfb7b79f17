import { EpisodicFault, type FaultContext } from "./fault.js";

/** Bursts of message loss: for a while, each message is dropped with a probability up to 60%. */
export class MessageLoss extends EpisodicFault {
  readonly name = "message-loss";

  protected begin(ctx: FaultContext): number {
    const rate = ctx.rng.range(5, 60) / 100;
    ctx.network.policy.dropRate = rate;
    const lasts = ctx.rng.range(ctx.electionSteps / 2, 4 * ctx.electionSteps);
    ctx.trace(`fault message-loss ${Math.round(rate * 100)}% for ${lasts} steps`);
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    ctx.network.policy.dropRate = 0;
    ctx.trace("fault message-loss over");
  }
}
