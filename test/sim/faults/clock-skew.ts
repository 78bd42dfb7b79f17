import { EpisodicFault, type FaultContext } from "./fault.js";

/** Clock drift: a node's tick period moves within the bounded skew (its timers run fast or slow). */
export class ClockSkew extends EpisodicFault {
  readonly name = "clock-skew";

  protected begin(ctx: FaultContext): number | undefined {
    const ids = [...ctx.cluster.nodes.keys()];
    if (ids.length === 0) return undefined;
    const id = ctx.rng.pick(ids);
    const period =
      ctx.clock.baseStepsPerTick + ctx.rng.range(-ctx.clock.skewMaxSteps, ctx.clock.skewMaxSteps);
    ctx.clock.setPeriod(id, period);
    const lasts = ctx.rng.range(ctx.electionSteps, 10 * ctx.electionSteps);
    ctx.trace(`fault clock-skew n${id} ticks every ${period} steps for ${lasts}`);
    return lasts;
  }

  protected end(ctx: FaultContext): void {
    for (const id of ctx.cluster.nodes.keys()) ctx.clock.resetPeriod(id);
  }
}
