import type { Workload, WorkloadContext } from "./workload.js";

/** Leadership transfers to a random voter, asked of the leader or of a follower (which forwards). */
export class Transfers implements Workload {
  constructor(private readonly rate: number) {}

  step(ctx: WorkloadContext): void {
    if (!ctx.rng.chance(this.rate)) return;
    const leader = ctx.cluster.leader();
    if (leader === undefined) return;
    const targets = ctx.cluster.latestConfig().voters.filter((id) => id !== leader.id);
    if (targets.length === 0) return;
    const to = ctx.rng.pick(targets);
    const asked = ctx.rng.chance(0.7) ? leader : ctx.rng.pick(ctx.cluster.active());
    const raw = asked.raw;
    if (raw === undefined) return;
    ctx.counters.transfers++;
    ctx.trace(`client transfer leadership n${leader.id} -> n${to} (asked n${asked.id})`);
    asked.guard("transferLeader", () => raw.transferLeader(to));
  }
}
