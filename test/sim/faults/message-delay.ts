import { HEALTHY_POLICY } from "../network.js";
import { EpisodicFault, type FaultContext } from "./fault.js";

/**
 * Slow, jittery links: delays spread over several steps (so messages reorder), and a few
 * messages take a long detour of up to two election timeouts (so they arrive stale).
 */
export class MessageDelay extends EpisodicFault {
  readonly name = "message-delay";

  protected begin(ctx: FaultContext): number {
    const p = ctx.network.policy;
    p.delayMaxSteps = ctx.rng.range(2, 8);
    p.longDelayRate = ctx.rng.range(0, 5) / 100;
    p.longDelayMaxSteps = ctx.rng.range(ctx.electionSteps / 2, 2 * ctx.electionSteps);
    const lasts = ctx.rng.range(ctx.electionSteps, 6 * ctx.electionSteps);
    ctx.trace(
      `fault message-delay max=${p.delayMaxSteps} long=${p.longDelayRate}/${p.longDelayMaxSteps} for ${lasts}`,
    );
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    const p = ctx.network.policy;
    p.delayMaxSteps = HEALTHY_POLICY.delayMaxSteps;
    p.longDelayRate = 0;
    ctx.trace("fault message-delay over");
  }
}
