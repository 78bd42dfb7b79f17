import { CLIENT_PREFIX } from "../cluster.js";
import { utf8 } from "../hash.js";
import { countRejection, type Workload, type WorkloadContext } from "./workload.js";

/**
 * Clients proposing through any live node (a follower forwards to the leader), sometimes in
 * bursts so that many proposals share one Ready. Payloads are unique per run.
 */
export class Proposals implements Workload {
  private next = 0;

  constructor(
    private readonly rate: number,
    private readonly burstMax: number,
  ) {}

  step(ctx: WorkloadContext): void {
    if (!ctx.rng.chance(this.rate)) return;
    const nodes = ctx.cluster.active();
    if (nodes.length === 0) return;
    const node = ctx.rng.pick(nodes);
    const burst = ctx.rng.chance(0.1) ? ctx.rng.range(2, this.burstMax) : 1;
    for (let i = 0; i < burst && node.raw !== undefined; i++) {
      const raw = node.raw;
      const payload = `${CLIENT_PREFIX}${this.next++}`;
      ctx.counters.proposed++;
      countRejection(ctx, node, "propose", () => raw.propose(utf8(payload)));
    }
  }
}
