import type { NodeId } from "../../libs/raft/index.js";
import type { SimRng } from "./sim-rng.js";

/**
 * Each node's logical clock: a node ticks every `period` steps, its own period, so clocks
 * drift apart (bounded skew: periods stay within base ± skewMax). Raft only ever sees ticks.
 */
export class SimClock {
  private readonly period = new Map<NodeId, number>();
  private readonly nextTick = new Map<NodeId, number>();

  constructor(
    private readonly rng: SimRng,
    readonly baseStepsPerTick: number,
    readonly skewMaxSteps: number,
  ) {
    if (skewMaxSteps >= baseStepsPerTick) throw new RangeError("clock skew must stay below the tick period");
  }

  addNode(id: NodeId, now: number): void {
    const p = this.baseStepsPerTick + this.rng.range(-this.skewMaxSteps, this.skewMaxSteps);
    this.period.set(id, p);
    this.nextTick.set(id, now + this.rng.range(1, p));
  }

  /** Sets a node's period, clamped to the skew bound. */
  setPeriod(id: NodeId, steps: number): void {
    const lo = this.baseStepsPerTick - this.skewMaxSteps;
    const hi = this.baseStepsPerTick + this.skewMaxSteps;
    this.period.set(id, Math.min(hi, Math.max(lo, steps)));
  }

  resetPeriod(id: NodeId): void {
    this.period.set(id, this.baseStepsPerTick);
  }

  /** Whether the node's tick falls on this step; if so, schedules the next one. */
  due(id: NodeId, now: number): boolean {
    const next = this.nextTick.get(id);
    if (next === undefined || now < next) return false;
    this.nextTick.set(id, now + (this.period.get(id) ?? this.baseStepsPerTick));
    return true;
  }

  /** After a pause the clock resumes from now, not with a burst of missed ticks. */
  resume(id: NodeId, now: number): void {
    this.nextTick.set(id, now + 1);
  }
}
