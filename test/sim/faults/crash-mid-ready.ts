import type { CrashPoint } from "../node.js";
import type { Fault, FaultContext } from "./fault.js";

/**
 * A crash inside the handling of a Ready: before persisting (the Ready is lost entirely),
 * after persisting but before sending (the disk has it, peers never hear), or after sending
 * but before applying (peers act on it, the state machine never saw it).
 */
export class CrashMidReady implements Fault {
  readonly name = "crash-mid-ready";
  injected = 0;

  constructor(private readonly rate: number) {}

  step(ctx: FaultContext): void {
    if (!ctx.rng.chance(this.rate)) return;
    const up = ctx.cluster.up().filter((n) => n.crashPoint === undefined);
    if (up.length === 0) return;
    const leader = ctx.cluster.leader();
    const victim = leader !== undefined && ctx.rng.chance(0.5) ? leader : ctx.rng.pick(up);
    const point = ctx.rng.pick<CrashPoint>(["beforePersist", "afterPersist", "afterSend"]);
    victim.crashPoint = point;
    this.injected++;
    // The restart is scheduled by the crash itself; arm a downtime for when it strikes.
    ctx.trace(`fault crash-mid-ready armed on n${victim.id} at ${point}`);
  }

  heal(ctx: FaultContext): void {
    for (const n of ctx.cluster.nodes.values()) n.crashPoint = undefined;
  }
}
