import { chooseFaults, FAULT_NAMES, type FaultName } from "./faults/index.js";
import type { KvTestHooks } from "./kv/mode.js";
import type { NodeOptions, RestartMode } from "./node.js";
import { STREAM, streamRng } from "./sim-rng.js";
import type { StateMachineFactory } from "./state-machine.js";
import type { StoreKind } from "./store-mode.js";

/** What a caller (CLI, test) may fix; everything else is drawn from the seed. */
export interface SimOptions {
  readonly seed: number;
  /** Initial voters: 3 or 5 by default, drawn from the seed. */
  readonly nodes?: number;
  /** Ticks of the fault phase. @default 300 */
  readonly faultTicks?: number;
  /** Only these fault classes (default: each class on with probability 1/2). */
  readonly faults?: readonly FaultName[];
  readonly restartMode?: RestartMode;
  /** Print every trace event as it happens. */
  readonly verbose?: boolean;
  /** The replicated application. @default the hash chain */
  readonly smFactory?: StateMachineFactory;
  /** "mvcc": run libs/mvcc on every member with key-value clients, watches and their checks. @default "hashChain" */
  readonly store?: StoreKind;
  /** Store mode only: test-only faults that the checks must catch. */
  readonly kvHooks?: KvTestHooks;
}

export interface SimConfig {
  readonly seed: number;
  readonly nodes: number;
  readonly stepsPerTick: number;
  readonly skewMaxSteps: number;
  readonly faultSteps: number;
  /** Steps after healing within which liveness must be shown. */
  readonly livenessBoundSteps: number;
  readonly electionSteps: number;
  readonly node: NodeOptions;
  readonly faults: readonly FaultName[];
  readonly proposeRate: number;
  readonly readRate: number;
  readonly transferRate: number;
  /** 0 when the run makes no membership changes. */
  readonly membershipRate: number;
  readonly maxNodeId: number;
  readonly maxInFlightMessages: number;
}

export const DEFAULT_FAULT_TICKS = 300;

/** Draws a run's configuration from its seed (its own stream: the rest of the run does not shift it). */
export function makeConfig(opts: SimOptions): SimConfig {
  const rng = streamRng(opts.seed, STREAM.config);
  const nodes = opts.nodes ?? rng.pick([3, 3, 5]);
  const electionTicks = rng.pick([10, 10, 5]);
  const stepsPerTick = 3;
  const restartMode = opts.restartMode ?? rng.pick<RestartMode>(["replay", "durableSkip", "durableApplied"]);
  const node: NodeOptions = {
    electionTicks,
    heartbeatTicks: 1,
    maxMsgBytes: rng.chance(0.3) ? rng.range(100, 400) : 1 << 20,
    // Small windows: one lost MsgApp must not stall a follower (core-regressions.test.ts).
    maxInflightMsgs: rng.pick([256, 256, 8, 1]),
    checkQuorum: rng.chance(0.85),
    preVote: rng.chance(0.85),
    snapshotEveryEntries: rng.range(8, 64),
    snapshotKeepEntries: rng.range(0, 8),
    restartMode,
    // A durable state machine ahead of a lost commit index would be applied past commit.
    loseUnsynced: restartMode !== "durableApplied" && rng.chance(0.5),
  };
  const faults = chooseFaults(rng, opts.faults);
  const faultTicks = opts.faultTicks ?? DEFAULT_FAULT_TICKS;
  return {
    seed: opts.seed,
    nodes,
    stepsPerTick,
    skewMaxSteps: 1,
    faultSteps: faultTicks * stepsPerTick,
    livenessBoundSteps: 40 * electionTicks * stepsPerTick,
    electionSteps: electionTicks * stepsPerTick,
    node,
    faults,
    proposeRate: rng.range(5, 30) / 100,
    readRate: rng.range(1, 5) / 100,
    transferRate: rng.chance(0.5) ? rng.range(1, 4) / 1000 : 0,
    membershipRate: rng.chance(0.6) ? rng.range(3, 12) / 1000 : 0,
    maxNodeId: nodes + 4,
    maxInFlightMessages: 20_000,
  };
}

export function describeConfig(c: SimConfig): string {
  const n = c.node;
  return [
    `nodes=${c.nodes} election=${n.electionTicks}t restart=${n.restartMode}${n.loseUnsynced ? "+loseUnsynced" : ""}`,
    `snapEvery=${n.snapshotEveryEntries} keep=${n.snapshotKeepEntries} msgBytes=${n.maxMsgBytes} inflight=${n.maxInflightMsgs}`,
    `checkQuorum=${n.checkQuorum} preVote=${n.preVote} membership=${c.membershipRate > 0} transfers=${c.transferRate > 0}`,
    `faults=[${c.faults.join(",")}]`,
  ].join(" ");
}

export { FAULT_NAMES };
