/**
 * What the etcd gRPC services need from a master: its replica of the store, a way to commit
 * commands through Raft, a read barrier, and Raft's view of the cluster. The Raft runtime
 * implements it in production; `FakeBackend` implements it with a single member for tests
 * and the simulator.
 *
 * Threading: everything runs on one event loop. The services read `store` synchronously
 * (serializable reads, watches, lease listings) and never write to it; writes go through
 * `propose`.
 */
import type { ApplyResult, Command, LeaseId, LeaseTimeToLive, MvccStore } from "../../../libs/mvcc/index.js";

/** A cluster or member id: a uint64 as a decimal string (ids use all 64 bits). "0" = none. */
export type Uint64Id = string;

/** One member of the cluster, as etcd's Member. */
export interface Member {
  readonly id: Uint64Id;
  /** Empty for a member added but not started yet (as etcd). */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

/** Raft's state on this member, read for response headers and Maintenance.Status. */
export interface RaftStatus {
  /** The leader this member knows of; "0" when there is none. */
  readonly leaderId: Uint64Id;
  readonly term: number;
  /** Highest log index known committed. */
  readonly commitIndex: number;
  /** Highest index applied to `store`. Invariant: appliedIndex <= commitIndex. */
  readonly appliedIndex: number;
  readonly isLearner: boolean;
}

/** A point-in-time copy of the store, streamed by Maintenance.Snapshot. */
export interface SnapshotSource {
  /** Exact number of bytes `chunks` yields in total (the stream reports what remains). */
  readonly totalBytes: number;
  /** The bytes of `MvccStore.snapshot()` as of one applied index, in order. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

/**
 * A master as the etcd API sees it. Every rejection is one of the typed errors of
 * `errors.ts` (NoLeaderError, TimeoutError, TooManyRequestsError, LeaderChangedError,
 * StoppedError, the Member* errors, …) or the store's `LeaseNotFoundError`; anything else is
 * reported to clients as INTERNAL. Every promise settles: the backend bounds its own waits
 * (etcd: request timeout) and rejects with TimeoutError.
 */
export interface EtcdBackend {
  /** Constant for the life of the cluster. */
  readonly clusterId: Uint64Id;
  /** This member's id. */
  readonly memberId: Uint64Id;
  /** The local replica: it has applied every entry up to `raftStatus().appliedIndex`. */
  readonly store: MvccStore;

  /**
   * Replicates `cmd` through Raft and resolves with the result of applying it on this
   * member, once applied locally (so a read of `store` that follows sees it). A rejection
   * means the command's fate is unknown or it was never proposed; a deterministic refusal
   * by the store is a resolved `{ kind: "rejected" }`.
   */
  propose(cmd: Command): Promise<ApplyResult>;

  /**
   * Linearizable read barrier (Raft ReadIndex): resolves once `store` has applied at least
   * the commit index the leader confirmed after this call began.
   */
  readIndex(): Promise<void>;

  raftStatus(): RaftStatus;

  /** The membership as applied on this member, voters and learners, in id order. */
  members(): readonly Member[];
  /** Adds a member (not started yet: empty name and client URLs); resolves once the change is applied locally. */
  memberAdd(peerUrls: readonly string[], isLearner: boolean): Promise<Member>;
  /** Resolves once the removal is applied locally. */
  memberRemove(id: Uint64Id): Promise<void>;
  /** Replaces a member's peer URLs; resolves once applied locally. */
  memberUpdate(id: Uint64Id, peerUrls: readonly string[]): Promise<void>;
  /** Promotes a learner to voter; resolves once applied locally. */
  memberPromote(id: Uint64Id): Promise<void>;
  /** Transfers leadership to `targetId`; resolves when it leads. NotLeaderError unless called on the leader. */
  moveLeader(targetId: Uint64Id): Promise<void>;

  /**
   * Renews a lease on the leader's clock (forwarded there from a follower) and resolves with
   * its TTL in seconds. Rejects with the store's LeaseNotFoundError when it does not exist.
   */
  leaseKeepAlive(id: LeaseId): Promise<number>;
  /** The leader's view of a lease's remaining TTL; undefined when it does not exist. */
  leaseTimeToLive(id: LeaseId, withKeys: boolean): Promise<LeaseTimeToLive | undefined>;

  /** A consistent copy of the local store, taken now. */
  snapshot(): Promise<SnapshotSource>;
  /** Approximate bytes the store occupies (etcd's dbSize), for Status. */
  dbSizeBytes(): number;
}
