import type { Checker } from "./checkers/checker.js";
import type { SimEvent } from "./checkers/events.js";
import type { Cluster } from "./cluster.js";
import type { StateMachineFactory } from "./state-machine.js";
import type { Workload } from "./workload/workload.js";

/** The replicated application a run drives: the default hash chain, or the MVCC store. */
export const STORE_KINDS = ["hashChain", "mvcc"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export function isStoreKind(s: string): s is StoreKind {
  return (STORE_KINDS as readonly string[]).includes(s);
}

/** Figures a store mode reports per run; the summary sums them over runs. */
export type StoreFigures = Readonly<Record<string, number>>;

/**
 * A real application under the simulator, beyond the hash chain: its state machine, its
 * clients (which replace the default proposals and reads), its checkers, and a final phase
 * that runs after the cluster healed and settled (final reads, watches catching up) before
 * every checker's `finish`.
 */
export interface StoreMode {
  readonly smFactory: StateMachineFactory;
  /** Run every step of the fault phase, with the transfers and membership changes. */
  readonly workloads: readonly Workload[];
  readonly checkers: readonly Checker[];
  /** Called once, before the members start. */
  attach(cluster: Cluster): void;
  /** Every event the checkers see. */
  observe(e: SimEvent): void;
  /** Every step, after the members handled their Readies. */
  afterStep(step: number, phase: "fault" | "heal" | "final"): void;
  /** During the final phase: true once its work is done. */
  finalDone(): boolean;
  /** The final phase ran out of steps: report what is missing. */
  finalTimedOut(step: number): void;
  figures(): StoreFigures;
  /** The mode's per-seed settings, for the run's config line. */
  describe(): string;
}
