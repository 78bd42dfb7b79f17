/**
 * The vocabulary of the consensus core: ids, log entries, hard state, snapshots, messages.
 *
 * Terms and indexes are plain numbers (safe integers): they are summed and compared on every
 * hot path, and a brand would force a cast on each of those. Node ids are branded because a
 * node id mixed up with an index is the mistake that silently corrupts a cluster.
 */

/** A member's id inside Raft. Never 0: 0 means "none" (no leader, no vote). */
export type NodeId = number & { readonly __brand: "NodeId" };
export type Term = number;
export type Index = number;

/** The id that means "nobody" (no leader known, no vote cast). */
export const NONE = 0 as NodeId;

export function nodeId(n: number): NodeId {
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new RangeError(`node id must be a positive safe integer, got ${n}`);
  return n as NodeId;
}

export type EntryType = "normal" | "confChange";

export interface Entry {
  readonly term: Term;
  readonly index: Index;
  readonly type: EntryType;
  /** Opaque to Raft. Empty for the no-op a new leader appends. For confChange: encodeConfChange(). */
  readonly data: Uint8Array;
}

/** What must be durable before any message that depends on it is sent (Raft paper, Figure 2). */
export interface HardState {
  readonly term: Term;
  readonly vote: NodeId;
  readonly commit: Index;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

/** Membership. Learners receive the log but neither vote nor count toward commitment. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMetadata {
  readonly index: Index;
  readonly term: Term;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state machine at metadata.index. Opaque to Raft. */
  readonly data: Uint8Array;
}

/**
 * One membership change. Flotilla changes one member at a time (thesis §4.1 with the fix
 * from Ongaro's 2015 raft-dev post: a leader appends a change only after committing an
 * entry of its own term); see conf-change.ts for the rules.
 */
export interface ConfChange {
  readonly type: "addVoter" | "addLearner" | "removeNode";
  readonly nodeId: NodeId;
  /** Opaque to Raft: the application puts the new member's address here. */
  readonly context: Uint8Array;
}

export type MessageType =
  | "MsgHup" // local: start an election
  | "MsgBeat" // local: leader sends heartbeats
  | "MsgProp" // a proposal, local or forwarded from a follower
  | "MsgApp"
  | "MsgAppResp"
  | "MsgVote"
  | "MsgVoteResp"
  | "MsgPreVote"
  | "MsgPreVoteResp"
  | "MsgSnap"
  | "MsgHeartbeat"
  | "MsgHeartbeatResp"
  | "MsgUnreachable" // local: the transport could not reach a peer
  | "MsgSnapStatus" // local: the transport finished (or failed) sending a snapshot
  | "MsgCheckQuorum" // local: leader checks it still hears a quorum
  | "MsgTransferLeader"
  | "MsgTimeoutNow"
  | "MsgReadIndex"
  | "MsgReadIndexResp";

export interface Message {
  readonly type: MessageType;
  readonly to: NodeId;
  readonly from: NodeId;
  readonly term: Term;
  /** MsgApp: term of the entry at `index`. MsgVote/PreVote: term of the candidate's last entry. */
  readonly logTerm: Term;
  /** MsgApp: index of the entry before `entries`. MsgAppResp: the index acknowledged or rejected. */
  readonly index: Index;
  readonly entries: readonly Entry[];
  readonly commit: Index;
  readonly snapshot?: Snapshot;
  readonly reject: boolean;
  /** MsgAppResp rejection: the follower's hint of where the logs may match (fast backtracking). */
  readonly rejectHint: Index;
  /** ReadIndex request context; for MsgTimeoutNow-driven votes, "transfer". */
  readonly context?: Uint8Array;
}

/** Everything a message may omit is defaulted by this helper, so call sites name only what matters. */
export function msg(m: Partial<Message> & Pick<Message, "type">): Message {
  return {
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...m,
  };
}

export type Role = "follower" | "preCandidate" | "candidate" | "leader";

export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/** The answer to a linearizable read: once applied >= index, the read may be served locally. */
export interface ReadState {
  readonly index: Index;
  readonly context: Uint8Array;
}

/**
 * The work the application must do, in this order (etcd raft's contract):
 *  1. persist `hardState`, `entries` and `snapshot` (one fsync for all of them if `mustSync`);
 *  2. send `messages` (a leader may send its MsgApp messages before step 1 finishes, thesis §10.2.1);
 *  3. apply `snapshot`, then `committedEntries`, to the state machine;
 *  4. call `advance(ready)`.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  /** False when only the commit index moved: losing that on a crash is harmless. */
  readonly mustSync: boolean;
}

/** Why a proposal was not accepted. Outcomes are values: the caller decides whether to retry. */
export type ProposalRejection =
  | "noLeader" // no leader known: retry after an election
  | "transferring" // leadership transfer in progress: retry on the new leader
  | "uncommittedLogFull" // flow control: the uncommitted tail exceeds maxUncommittedEntriesBytes
  | "notMember" // this node was removed from the cluster
  | "confChangePending" // a membership change is already in flight
  | "leaderTermUncommitted" // the leader has not committed an entry of its term yet (conf changes only)
  | "learnerNotReady" // a learner may become a voter only once it has caught up
  | "invalidConfChange"; // e.g. removing the last voter

export type ProposeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: ProposalRejection };

/** Randomness is injected so one seed replays a whole run. */
export interface Rng {
  /** A uniformly random integer in [0, n). */
  intn(n: number): number;
}
