import { utf8 } from "../hash.js";
import type { Workload, WorkloadContext } from "./workload.js";

/**
 * Linearizable reads (ReadIndex) through any live node. The request records the highest index
 * known committed at the moment it is made; the checker holds the answer to it.
 */
export class Reads implements Workload {
  private next = 0;

  constructor(private readonly rate: number) {}

  step(ctx: WorkloadContext): void {
    if (!ctx.rng.chance(this.rate)) return;
    const nodes = ctx.cluster.active();
    if (nodes.length === 0) return;
    const node = ctx.rng.pick(nodes);
    const raw = node.raw;
    if (raw === undefined) return;
    const context = `r:${this.next++}`;
    const minIndex = Math.max(ctx.cluster.knownCommitted(), ctx.cluster.maxAckedIndex);
    ctx.emit({ kind: "readRequest", step: ctx.step, node: node.id, context, minIndex });
    ctx.counters.reads++;
    ctx.trace(`client read ${context} at n${node.id} (committed before it: ${minIndex})`);
    node.guard("readIndex", () => raw.readIndex(utf8(context)));
  }
}
