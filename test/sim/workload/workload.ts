import type { SimEvent } from "../checkers/events.js";
import type { Cluster } from "../cluster.js";
import type { SimNode } from "../node.js";
import type { SimRng } from "../sim-rng.js";

/** Counts of what the clients did, for the run summary. */
export interface WorkloadCounters {
  proposed: number;
  reads: number;
  transfers: number;
  confChanges: number;
  /** Rejected proposals by reason (an outcome, not an error). */
  rejected: Record<string, number>;
}

export function newCounters(): WorkloadCounters {
  return { proposed: 0, reads: 0, transfers: 0, confChanges: 0, rejected: {} };
}

export interface WorkloadContext {
  readonly step: number;
  readonly rng: SimRng;
  readonly cluster: Cluster;
  readonly counters: WorkloadCounters;
  emit(e: SimEvent): void;
  trace(text: string): void;
}

/** One kind of client activity, run every step of the fault phase. */
export interface Workload {
  step(ctx: WorkloadContext): void;
}

/** Calls the core through the node's guard and counts a rejection. */
export function countRejection(
  ctx: WorkloadContext,
  node: SimNode,
  what: string,
  f: () => { ok: boolean; reason?: string },
): boolean {
  let accepted = false;
  node.guard(what, () => {
    const r = f();
    accepted = r.ok;
    if (!r.ok) {
      const key = r.reason ?? "unknown";
      ctx.counters.rejected[key] = (ctx.counters.rejected[key] ?? 0) + 1;
    }
  });
  return accepted;
}
