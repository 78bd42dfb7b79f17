import type { SimClock } from "../clock.js";
import type { Cluster } from "../cluster.js";
import type { SimNetwork } from "../network.js";
import type { SimRng } from "../sim-rng.js";

/** What a fault injector may touch. */
export interface FaultContext {
  readonly step: number;
  readonly rng: SimRng;
  readonly cluster: Cluster;
  readonly network: SimNetwork;
  readonly clock: SimClock;
  /** Steps in one election timeout at the base clock rate: the natural time unit of faults. */
  readonly electionSteps: number;
  trace(text: string): void;
}

/**
 * One class of fault. `step` runs on every step of the fault phase and decides, from the
 * run's RNG, whether to start or end an episode; `heal` undoes everything it did.
 */
export interface Fault {
  readonly name: FaultName;
  step(ctx: FaultContext): void;
  heal(ctx: FaultContext): void;
  /** Episodes injected so far. */
  readonly injected: number;
}

export const FAULT_NAMES = [
  "message-loss",
  "message-delay",
  "message-duplicate",
  "partition",
  "asymmetric-partition",
  "isolate-leader",
  "crash",
  "crash-mid-ready",
  "pause",
  "clock-skew",
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export function isFaultName(s: string): s is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(s);
}

/** An episode that lasts until a step: the common shape of most faults. */
export abstract class EpisodicFault implements Fault {
  abstract readonly name: FaultName;
  injected = 0;
  private endsAt: number | undefined;

  constructor(
    /** Chance per step that an episode starts while none is running. */
    protected readonly startRate: number,
  ) {}

  step(ctx: FaultContext): void {
    if (this.endsAt !== undefined) {
      if (ctx.step >= this.endsAt) {
        this.endsAt = undefined;
        this.end(ctx);
      }
      return;
    }
    if (!ctx.rng.chance(this.startRate)) return;
    const lasts = this.begin(ctx);
    if (lasts === undefined) return;
    this.injected++;
    this.endsAt = ctx.step + lasts;
  }

  heal(ctx: FaultContext): void {
    if (this.endsAt !== undefined) this.end(ctx);
    this.endsAt = undefined;
  }

  /** Starts an episode; returns how many steps it lasts, or undefined if nothing was done. */
  protected abstract begin(ctx: FaultContext): number | undefined;
  protected abstract end(ctx: FaultContext): void;
}
