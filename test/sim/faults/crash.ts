import type { Fault, FaultContext } from "./fault.js";

/**
 * Crash and restart between steps: the process dies, its RawNode and volatile state are gone,
 * its disk stays; it restarts over that disk after a random downtime. Sometimes it is the
 * leader that dies; sometimes a second node dies while the first is still down.
 */
export class Crash implements Fault {
  readonly name = "crash";
  injected = 0;

  constructor(private readonly rate: number) {}

  step(ctx: FaultContext): void {
    if (!ctx.rng.chance(this.rate)) return;
    const up = ctx.cluster.up();
    if (up.length === 0) return;
    const leader = ctx.cluster.leader();
    const victim = leader !== undefined && ctx.rng.chance(0.4) ? leader : ctx.rng.pick(up);
    const down = ctx.rng.range(1, 3 * ctx.electionSteps);
    ctx.cluster.crash(victim, `fault crash, down for ${down} steps`, down);
    this.injected++;
  }

  heal(): void {}
}
