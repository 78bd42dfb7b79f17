/**
 * The contracts around RaftRuntime: the state machine it drives, its options (with
 * defaults), its events and its status.
 */
import type { ConfChange, ConfState, Index, NodeId, Role, Term } from "../../../libs/raft/index.js";
import type { StorageObserver } from "../../../libs/storage/index.js";
import type { FlotillaProtos } from "../../../proto/load.js";
import type { PartitionState, PartitionTable } from "./partition.js";
import type { MemberUrl } from "./snapshot-data.js";
import type { TransportLimits } from "./transport-types.js";

/** One committed entry as the state machine sees it: the payload without the envelope. */
export interface AppliedEntry {
  readonly index: Index;
  readonly term: Term;
  readonly data: Uint8Array;
}

/**
 * The replicated state machine (e.g. the MVCC store). Every member calls it with the same
 * entries in the same order; `apply` must be deterministic and must not throw for any
 * payload (an invalid command is a result, not an exception: a throw stops the member).
 */
export interface StateMachine {
  /** Applies one entry; the result resolves the proposer's promise (on the proposing member). */
  apply(entry: AppliedEntry): unknown;
  /**
   * The whole state at appliedIndex(), as byte chunks. Taken when called: the chunks may be
   * read later, while further entries are applied, and must still describe that moment (the
   * runtime reads them a piece at a time, so a large state never stalls the Ready loop).
   */
  snapshot(): Iterable<Uint8Array>;
  /** Replaces the whole state with a snapshot's. */
  restore(data: Uint8Array): void;
  /** The index of the last entry reflected in the state (0 when empty). */
  appliedIndex(): Index;
  /** Called for entries without a command (a new leader's no-op, conf changes), so appliedIndex() stays exact. */
  markApplied?(index: Index): void;
}

/** What `propose` resolves with once the entry is applied on this member. */
export interface AppliedResult {
  readonly index: Index;
  readonly term: Term;
  /** What StateMachine.apply returned for this entry. */
  readonly result: unknown;
}

/** Where the runtime, the core, the storage and the transport log. */
export interface RuntimeLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** How a proposal this member made ended: applied here, or rejected for any reason. */
export type ProposalOutcome = "committed" | "failed";

/** One Ready cycle (ready → persist → send → apply → advance), as the metrics see it. */
export interface ReadyCycleReport {
  /** From taking the Ready to the end of advance, in seconds. */
  readonly durationSeconds: number;
  /** The part spent applying snapshots and committed entries, in seconds. */
  readonly applySeconds: number;
  /** Committed entries applied in this cycle. */
  readonly entriesApplied: number;
}

/**
 * Optional hooks for a master's metrics. They are called synchronously on the runtime's hot
 * path, so must be cheap; one that throws is logged and ignored. The storage hooks are
 * handed to the WAL and the snapshot files.
 */
export interface RuntimeObserver extends StorageObserver {
  /** A proposal (or conf change) was accepted for tracking: it is pending until it settles. */
  proposalStarted?(): void;
  /** A pending proposal settled, exactly once per proposalStarted. */
  proposalSettled?(outcome: ProposalOutcome): void;
  /** The leader this member knows of changed (NONE: none known), as the leaderChange event. */
  leaderChanged?(lead: NodeId, term: Term): void;
  readyCycle?(report: ReadyCycleReport): void;
}

/** A founding member: its Raft id and the "host:port" its peer transport listens on. */
export interface InitialMember {
  readonly id: NodeId;
  readonly url: string;
}

/** Options of RaftRuntime.start; every default is the production one. */
export interface RaftRuntimeOptions {
  readonly id: NodeId;
  /** Data directory (WAL and snapshot files). */
  readonly dataDir: string;
  /** Where the peer transport listens, "host:port"; port 0 picks one (see `peerPort`). */
  readonly listen: string;
  /** The founding members, this one included. Bootstraps an empty data dir unless `join`. */
  readonly initialCluster: readonly InitialMember[];
  readonly stateMachine: StateMachine;
  /** Start empty and wait for the leader (a member added with addMember). @default false */
  readonly join?: boolean;
  /** uint64 as a decimal string; peers of another cluster are refused. @default "1" */
  readonly clusterId?: string;
  /** @default 100 */
  readonly tickMs?: number;
  /** @default 10 */
  readonly electionTicks?: number;
  /** @default 1 */
  readonly heartbeatTicks?: number;
  /** A proposal or read not answered in this time is rejected with code "timeout". @default 5000 */
  readonly proposalTimeoutMs?: number;
  /** Proposals (queued or in flight) on this member; beyond it "tooManyRequests". @default 10000 */
  readonly maxInflightProposals?: number;
  /** Linearizable reads waiting on this member; beyond it "tooManyRequests". @default 10000 */
  readonly maxPendingReads?: number;
  /** Entries in one proposeBatch; the rest wait for the next cycle. @default 4096 */
  readonly proposalBatchEntriesMax?: number;
  /** Payload bytes in one proposeBatch (a single larger proposal still goes alone). @default 8 MiB */
  readonly proposalBatchBytesMax?: number;
  /** Take a snapshot every this many applied entries (etcd's --snapshot-count default). @default 100000 */
  readonly snapshotEntries?: number;
  /** Entries kept in the log behind a snapshot, for slow followers. @default 5000 */
  readonly snapshotCatchUpEntries?: number;
  /** `false` is the user's --fsync=off. @default true */
  readonly fsync?: boolean;
  /** Seeds the election-timeout randomness. @default random */
  readonly seed?: number;
  /** Passed to the Raft core. */
  readonly maxUncommittedEntriesBytes?: number;
  readonly partition?: PartitionTable;
  readonly transportLimits?: Partial<TransportLimits>;
  readonly protos?: FlotillaProtos;
  /** @default silent */
  readonly logger?: RuntimeLogger;
  /** Metrics hooks. @default none */
  readonly observer?: RuntimeObserver;
}

/** The events a runtime emits, by name. */
export interface RuntimeEvents {
  /** The known leader changed (NONE: no leader known). */
  leaderChange: { readonly lead: NodeId; readonly term: Term };
  roleChange: { readonly role: Role; readonly term: Term };
  /** After each Ready cycle that applied something. */
  applied: { readonly index: Index };
  /** A conf change was applied (by the runtime itself; the state machine does not see it). */
  membershipChange: {
    readonly index: Index;
    readonly change: ConfChange;
    readonly url: string;
    readonly confState: ConfState;
  };
  /** The runtime stopped because of an error it cannot recover from (e.g. the disk failed). */
  fatal: { readonly error: unknown };
}

/** A member's view of itself and the cluster, for `status` and /healthz. */
export interface RuntimeStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: Term;
  readonly lead: NodeId;
  readonly commit: Index;
  readonly applied: Index;
  readonly lastIndex: Index;
  /** The first index still in the log (entries before it were compacted into a snapshot). */
  readonly firstIndex: Index;
  readonly confState: ConfState;
  readonly members: readonly MemberUrl[];
  readonly pendingProposals: number;
  readonly pendingReads: number;
  readonly fsync: boolean;
  readonly peerPort: number;
  readonly partition: PartitionState;
}

/** The part of RuntimeStatus an etcd response header needs, cheap to read on every response. */
export interface BasicRuntimeStatus {
  readonly lead: NodeId;
  readonly term: Term;
  readonly commit: Index;
  readonly applied: Index;
  readonly isLearner: boolean;
}

/** Options with every default filled in. */
export type ResolvedRuntimeOptions = Required<
  Omit<
    RaftRuntimeOptions,
    "seed" | "partition" | "transportLimits" | "protos" | "logger" | "maxUncommittedEntriesBytes" | "observer"
  >
> &
  Pick<
    RaftRuntimeOptions,
    "seed" | "partition" | "transportLimits" | "protos" | "maxUncommittedEntriesBytes"
  > & {
    readonly logger: RuntimeLogger;
    /** The caller's hooks, each guarded (a throw is logged); {} when none. */
    readonly observer: RuntimeObserver;
  };

const SILENT: RuntimeLogger = { info() {}, warn() {} };

/** Fills in defaults; throws RangeError for an out-of-range option. */
export function resolveOptions(o: RaftRuntimeOptions): ResolvedRuntimeOptions {
  const r: ResolvedRuntimeOptions = {
    ...o,
    join: o.join ?? false,
    clusterId: o.clusterId ?? "1",
    tickMs: o.tickMs ?? 100,
    electionTicks: o.electionTicks ?? 10,
    heartbeatTicks: o.heartbeatTicks ?? 1,
    proposalTimeoutMs: o.proposalTimeoutMs ?? 5000,
    maxInflightProposals: o.maxInflightProposals ?? 10_000,
    maxPendingReads: o.maxPendingReads ?? 10_000,
    proposalBatchEntriesMax: o.proposalBatchEntriesMax ?? 4096,
    proposalBatchBytesMax: o.proposalBatchBytesMax ?? 8 * 1024 * 1024,
    snapshotEntries: o.snapshotEntries ?? 100_000,
    snapshotCatchUpEntries: o.snapshotCatchUpEntries ?? 5000,
    fsync: o.fsync ?? true,
    logger: o.logger ?? SILENT,
    observer: guardObserver(o.observer, o.logger ?? SILENT),
  };
  for (const [name, v] of Object.entries({
    tickMs: r.tickMs,
    proposalTimeoutMs: r.proposalTimeoutMs,
    maxInflightProposals: r.maxInflightProposals,
    maxPendingReads: r.maxPendingReads,
    proposalBatchEntriesMax: r.proposalBatchEntriesMax,
    proposalBatchBytesMax: r.proposalBatchBytesMax,
    snapshotEntries: r.snapshotEntries,
  })) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (!Number.isSafeInteger(r.snapshotCatchUpEntries) || r.snapshotCatchUpEntries < 0)
    throw new RangeError(`snapshotCatchUpEntries must be >= 0, got ${r.snapshotCatchUpEntries}`);
  if (!/^\d{1,16}$/.test(r.clusterId)) throw new RangeError(`clusterId must be a uint64 safe integer string`);
  return r;
}

/** Wraps each hook of `o` so a throwing hook is logged instead of failing the runtime. */
function guardObserver(o: RuntimeObserver | undefined, logger: RuntimeLogger): RuntimeObserver {
  if (o === undefined) return {};
  const guarded: Record<string, unknown> = {};
  for (const key of Object.keys(OBSERVER_HOOKS) as Array<keyof RuntimeObserver>) {
    const hook = o[key] as ((...args: never[]) => void) | undefined;
    if (hook === undefined) continue;
    guarded[key] = (...args: never[]): void => {
      try {
        hook.apply(o, args);
      } catch (err) {
        logger.warn(`raft runtime: observer ${key} threw: ${err}`);
      }
    };
  }
  return guarded as RuntimeObserver;
}

/** Every hook, so that one added to RuntimeObserver cannot be forgotten here. */
const OBSERVER_HOOKS: Record<keyof RuntimeObserver, true> = {
  walFsync: true,
  walWrite: true,
  snapshotFsync: true,
  proposalStarted: true,
  proposalSettled: true,
  leaderChanged: true,
  readyCycle: true,
};
