import { EpisodicFault, type FaultContext } from "./fault.js";

/** Duplicated messages: each message may arrive twice, each copy with its own delay. */
export class MessageDuplicate extends EpisodicFault {
  readonly name = "message-duplicate";

  protected begin(ctx: FaultContext): number {
    const rate = ctx.rng.range(2, 30) / 100;
    ctx.network.policy.duplicateRate = rate;
    const lasts = ctx.rng.range(ctx.electionSteps, 5 * ctx.electionSteps);
    ctx.trace(`fault message-duplicate ${Math.round(rate * 100)}% for ${lasts}`);
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    ctx.network.policy.duplicateRate = 0;
    ctx.trace("fault message-duplicate over");
  }
}
