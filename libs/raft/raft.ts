import { applyConfChange, decodeConfChange } from "./conf-change.js";
import { CompactedError, RaftLog } from "./raft-log.js";
import { ReadOnly } from "./read-only.js";
import { handleReadIndexAsLeader } from "./step-leader.js";
import { entrySize, isStorageError, type LogStorage } from "./storage.js";
import { ProgressTracker } from "./tracker.js";
import type { ConfState, Entry, Index, Message, NodeId, ReadState, Rng, Role, Term } from "./types.js";
import { msg, NONE } from "./types.js";

/** Tuning of one Raft node. Times are in ticks; the runtime decides how long a tick is. */
export interface RaftConfig {
  id: NodeId;
  storage: LogStorage;
  /** Randomizes election timeouts; seeded so runs replay. */
  rng: Rng;
  /** A follower that hears no leader for a random time in [electionTicks, 2*electionTicks) campaigns. @default 10 */
  electionTicks?: number;
  /** The leader sends heartbeats every heartbeatTicks. @default 1 */
  heartbeatTicks?: number;
  /** The application's applied index when restarting. @default 0 */
  applied?: Index;
  /** Bytes of entries in one MsgApp. @default 1 MiB */
  maxMsgBytes?: number;
  /** MsgApp messages in flight to one follower. @default 256 */
  maxInflightMsgs?: number;
  /** Bytes in flight to one follower (0: unbounded). @default 0 */
  maxInflightBytes?: number;
  /** Proposals are refused once the uncommitted tail holds this many payload bytes. @default 64 MiB */
  maxUncommittedEntriesBytes?: number;
  /** Bytes of committed entries in one Ready. @default 64 MiB */
  maxCommittedBytesPerReady?: number;
  /** A learner whose log is within this many entries of the leader's may become a voter. @default 1000 */
  learnerCatchUpEntriesMax?: number;
  /** Leader steps down when it has not heard from a quorum within an election timeout. @default true */
  checkQuorum?: boolean;
  /** Ask for votes without raising the term first, so a partitioned node cannot disrupt. @default true */
  preVote?: boolean;
  logger?: RaftLogger;
}

export interface RaftLogger {
  info(message: string): void;
  warn(message: string): void;
}

const SILENT: RaftLogger = { info() {}, warn() {} };

/** Context of a vote that a leadership transfer asked for: it may override a lease. */
export const TRANSFER_CONTEXT = new TextEncoder().encode("transfer");

/**
 * The Raft state machine (Ongaro, "Consensus: Bridging Theory and Practice", 2014), after
 * etcd raft's raft.go. Role-specific message handling lives in step-leader.ts and
 * step-others.ts; this file holds the state, role transitions, timers and sending.
 */
export class Raft {
  readonly id: NodeId;
  term: Term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = "follower";
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  readonly readOnly = new ReadOnly();
  /** Messages to send once the Ready they came with is persisted. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = [];

  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly maxMsgBytes: number;
  readonly maxUncommittedBytes: number;
  readonly learnerCatchUpEntriesMax: number;
  readonly logger: RaftLogger;
  private readonly rng: Rng;

  /** Ticks since the last election timeout reset (followers: since the leader was heard). */
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** In [electionTicks, 2*electionTicks), drawn anew on every role change. */
  randomizedElectionTimeout = 0;
  /** The node a leadership transfer is handing over to; NONE when none is under way. */
  leadTransferee: NodeId = NONE;
  /** Index of the newest conf change the leader appended; no new one until it is applied. */
  pendingConfIndex: Index = 0;
  /** Payload bytes of uncommitted entries the leader appended (flow control). */
  uncommittedBytes = 0;

  constructor(cfg: RaftConfig) {
    this.id = cfg.id;
    if (this.id === NONE) throw new Error("raft: id must not be 0");
    this.electionTicks = cfg.electionTicks ?? 10;
    this.heartbeatTicks = cfg.heartbeatTicks ?? 1;
    if (this.heartbeatTicks <= 0 || this.electionTicks <= this.heartbeatTicks) {
      throw new Error("raft: need 0 < heartbeatTicks < electionTicks");
    }
    this.checkQuorum = cfg.checkQuorum ?? true;
    this.preVote = cfg.preVote ?? true;
    this.maxMsgBytes = cfg.maxMsgBytes ?? 1 << 20;
    this.maxUncommittedBytes = cfg.maxUncommittedEntriesBytes ?? 64 << 20;
    this.learnerCatchUpEntriesMax = cfg.learnerCatchUpEntriesMax ?? 1000;
    this.logger = cfg.logger ?? SILENT;
    this.rng = cfg.rng;
    this.log = new RaftLog(cfg.storage, cfg.maxCommittedBytesPerReady ?? 64 << 20);
    this.trk = new ProgressTracker(cfg.maxInflightMsgs ?? 256, cfg.maxInflightBytes ?? 0);

    const { hardState, confState } = cfg.storage.initialState();
    this.trk.setConf(
      this.replayConfChanges(cfg.storage, confState, cfg.applied ?? 0),
      this.log.lastIndex() + 1,
    );
    if (hardState.commit > this.log.lastIndex()) {
      throw new Error(
        `raft: hard state commit ${hardState.commit} is past the last log index ${this.log.lastIndex()}: the log lost entries`,
      );
    }
    // A snapshot is committed by definition, even if the hard state saved with it is older.
    this.log.committed = Math.max(hardState.commit, this.log.committed);
    this.term = hardState.term;
    this.vote = hardState.vote;
    const applied = cfg.applied ?? 0;
    if (applied > 0 && applied < this.log.applied) {
      throw new Error(
        `raft: applied index ${applied} is below the snapshot index ${this.log.applied}: restore the state machine from the snapshot first`,
      );
    }
    if (applied > 0) this.log.appliedTo(applied);
    this.becomeFollower(this.term, NONE);
  }

  /**
   * The membership as of `applied`: the snapshot's, plus the changes the application had
   * already applied before it restarted (they stay in the log until compacted).
   */
  private replayConfChanges(storage: LogStorage, cs: ConfState, applied: Index): ConfState {
    const lo = storage.firstIndex();
    if (applied < lo) return cs;
    const ents = storage.entries(lo, applied + 1, Number.MAX_SAFE_INTEGER);
    if (isStorageError(ents))
      throw new Error(`raft: cannot read entries [${lo}, ${applied}] to restore membership: ${ents}`);
    let conf = cs;
    for (const e of ents) if (e.type === "confChange") conf = applyConfChange(conf, decodeConfChange(e.data));
    return conf;
  }

  // ---------------------------------------------------------------- roles

  /** Only a voter may campaign; learners and removed nodes wait to be told. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner;
  }

  private reset(term: Term): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + this.rng.intn(this.electionTicks);
    this.leadTransferee = NONE;
    this.trk.resetVotes();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.trk.progress) {
      pr.match = 0;
      pr.next = last + 1;
      pr.recentActive = false;
      pr.becomeProbe();
      pr.next = last + 1;
      if (id === this.id) pr.match = this.stableLastIndex();
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.reset();
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: Term, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = "follower";
    this.logger.info(`${this.id} became follower at term ${this.term}`);
  }

  becomePreCandidate(): void {
    if (this.role === "leader") throw new Error("raft: invalid transition [leader -> preCandidate]");
    // PreVote (thesis §9.6): neither the term nor the vote changes until the pre-election is won.
    this.trk.resetVotes();
    this.lead = NONE;
    this.role = "preCandidate";
    this.logger.info(`${this.id} became pre-candidate at term ${this.term}`);
  }

  becomeCandidate(): void {
    if (this.role === "leader") throw new Error("raft: invalid transition [leader -> candidate]");
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = "candidate";
    this.logger.info(`${this.id} became candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    if (this.role === "follower") throw new Error("raft: invalid transition [follower -> leader]");
    this.reset(this.term);
    this.lead = this.id;
    this.role = "leader";
    this.trk.progress.get(this.id)?.becomeReplicate();
    const self = this.trk.progress.get(this.id);
    if (self) self.match = this.stableLastIndex();
    // No conf change until everything before the no-op is applied (conservative, as in etcd).
    this.pendingConfIndex = this.log.lastIndex();
    // The no-op of §5.4.2/§6.4: commits the previous terms' entries and enables ReadIndex.
    this.appendEntries([{ term: 0, index: 0, type: "normal", data: new Uint8Array(0) }]);
    this.logger.info(`${this.id} became leader at term ${this.term}`);
  }

  // ---------------------------------------------------------------- time

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  tick(): void {
    if (this.role === "leader") this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.checkQuorumActive();
      // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
      if (this.role === "leader" && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.role !== "leader") return;
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(undefined);
    }
  }

  /** CheckQuorum (thesis §6.2): a leader that cannot hear a majority steps down. */
  checkQuorumActive(): void {
    if (!this.trk.quorumActive(this.id)) {
      this.logger.warn(`${this.id} stepped down to follower since quorum is not active`);
      this.becomeFollower(this.term, NONE);
    }
    for (const [id, pr] of this.trk.progress) pr.recentActive = id === this.id;
  }

  // ---------------------------------------------------------------- elections

  /** Starts an election unless this node may not; `transfer` skips PreVote and overrides leases. */
  hup(transfer: boolean): void {
    if (this.role === "leader") return;
    if (!this.promotable()) {
      this.logger.warn(`${this.id} is unpromotable and can not campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.logger.warn(`${this.id} cannot campaign at term ${this.term}: unapplied configuration changes`);
      return;
    }
    this.logger.info(`${this.id} is starting a new election at term ${this.term}`);
    this.campaign(this.preVote && !transfer ? "preElection" : "election", transfer);
  }

  private hasUnappliedConfChanges(): boolean {
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    if (lo > this.log.committed) return false;
    return this.log
      .slice(lo, this.log.committed + 1, Number.MAX_SAFE_INTEGER)
      .some((e) => e.type === "confChange");
  }

  campaign(kind: "preElection" | "election", transfer: boolean): void {
    let voteType: "MsgVote" | "MsgPreVote";
    let term: Term;
    if (kind === "preElection") {
      this.becomePreCandidate();
      voteType = "MsgPreVote";
      term = this.term + 1; // the term we would campaign in
    } else {
      this.becomeCandidate();
      voteType = "MsgVote";
      term = this.term;
    }
    if (this.poll(this.id, true) === "won") {
      // A single-voter cluster wins at once.
      if (kind === "preElection") this.campaign("election", transfer);
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of [...this.trk.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.logger.info(
        `${this.id} [logterm: ${lastTerm}, index: ${lastIndex}] sent ${voteType} request to ${id} at term ${term}`,
      );
      this.send(
        msg({
          type: voteType,
          to: id,
          term,
          index: lastIndex,
          logTerm: lastTerm,
          ...(transfer ? { context: TRANSFER_CONTEXT } : {}),
        }),
      );
    }
  }

  poll(id: NodeId, granted: boolean): "pending" | "won" | "lost" {
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes().result;
  }

  // ---------------------------------------------------------------- log

  /**
   * The highest index that is both in the log and durable. Entries before the unstable tail
   * are in storage; the leader counts itself toward commitment only up to here (thesis §10.2.1).
   */
  stableLastIndex(): Index {
    if (this.log.unstable.snapshot) return 0;
    return this.log.unstable.offset - 1;
  }

  /** Appends entries as leader; false if flow control refuses them. */
  appendEntries(es: readonly Entry[]): boolean {
    const last = this.log.lastIndex();
    let bytes = 0;
    for (const e of es) bytes += e.data.byteLength;
    // An empty-payload entry (the no-op) is never refused; a lone large proposal is let in.
    if (this.uncommittedBytes > 0 && bytes > 0 && this.uncommittedBytes + bytes > this.maxUncommittedBytes) {
      return false;
    }
    this.uncommittedBytes += bytes;
    const stamped = es.map((e, i) => ({ term: this.term, index: last + 1 + i, type: e.type, data: e.data }));
    this.log.append(stamped);
    return true;
  }

  reduceUncommittedBytes(ents: readonly Entry[]): void {
    if (this.uncommittedBytes === 0) return;
    let bytes = 0;
    for (const e of ents) bytes += e.data.byteLength;
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.termOr0(this.log.committed) === this.term;
  }

  /** Leader: advance commit to what a majority holds. Returns true if it moved. */
  maybeCommit(): boolean {
    return this.log.maybeCommit(this.trk.committed(), this.term);
  }

  // ---------------------------------------------------------------- sending

  send(m: Message): void {
    // Forwarded proposals and read requests carry no term: they are "local" to the leader.
    const keepTermZero = m.type === "MsgProp" || m.type === "MsgReadIndex";
    const needsTerm =
      m.type === "MsgVote" ||
      m.type === "MsgPreVote" ||
      m.type === "MsgVoteResp" ||
      m.type === "MsgPreVoteResp";
    if (needsTerm && m.term === 0) throw new Error(`raft: ${m.type} must carry a term`);
    const term = keepTermZero ? 0 : needsTerm ? m.term : this.term;
    // A message keeps its `from` when one is set: a forwarded MsgTransferLeader names the
    // transferee there, and a forwarded proposal its origin (etcd's rule).
    this.msgs.push({ ...m, from: m.from === NONE ? this.id : m.from, term });
  }

  /** Sends a MsgApp (or a snapshot) to `to` unless its progress is paused. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    let ents: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        ents = this.log.slice(pr.next, this.log.lastIndex() + 1, this.maxMsgBytes);
      } catch (e) {
        if (!(e instanceof CompactedError)) throw e;
      }
    }
    if (ents === undefined || prevTerm === undefined) return this.maybeSendSnapshot(to);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send(
      msg({
        type: "MsgApp",
        to,
        index: prevIndex,
        logTerm: prevTerm,
        entries: ents,
        commit: this.log.committed,
      }),
    );
    const last = ents[ents.length - 1];
    let bytes = 0;
    for (const e of ents) bytes += entrySize(e);
    if (last) pr.sentEntries(last.index, bytes);
    else if (pr.state === "probe") pr.probeSent = true;
    return true;
  }

  private maybeSendSnapshot(to: NodeId): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr) return false;
    // A snapshot is expensive: only send it to a follower we have heard from lately.
    if (!pr.recentActive) return false;
    const snap = this.log.snapshot();
    if (!snap || snap.metadata.index === 0) {
      this.logger.warn(`${this.id} needs to send a snapshot to ${to} but none is available`);
      return false;
    }
    this.logger.info(
      `${this.id} sends snapshot [index: ${snap.metadata.index}, term: ${snap.metadata.term}] to ${to} [${pr}]`,
    );
    pr.becomeSnapshot(snap.metadata.index);
    this.send(msg({ type: "MsgSnap", to, snapshot: snap }));
    return true;
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  bcastAppend(): void {
    for (const id of this.trk.memberIds()) if (id !== this.id) this.sendAppend(id);
  }

  bcastHeartbeat(context: Uint8Array | undefined): void {
    for (const id of this.trk.memberIds()) {
      if (id === this.id) continue;
      const pr = this.trk.progress.get(id)!;
      // Never tell a follower to commit past what it is known to hold: it may not have it.
      const commit = Math.min(pr.match, this.log.committed);
      this.send(msg({ type: "MsgHeartbeat", to: id, commit, ...(context ? { context } : {}) }));
    }
  }

  // ---------------------------------------------------------------- leadership transfer

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  sendTimeoutNow(to: NodeId): void {
    this.send(msg({ type: "MsgTimeoutNow", to }));
  }

  // ---------------------------------------------------------------- read index

  /** Answers a ReadIndex request with `index`, locally or to the follower that asked. */
  respondToReadIndex(req: Message, index: Index): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, context: req.context ?? new Uint8Array(0) });
      return;
    }
    this.send(
      msg({
        type: "MsgReadIndexResp",
        to: req.from,
        index,
        ...(req.context ? { context: req.context } : {}),
      }),
    );
  }

  // ---------------------------------------------------------------- membership

  /** Applies a committed conf change; called when the application has applied its entry. */
  applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    const before = this.trk.confState();
    const after = applyConfChange(before, cc);
    if (after === before) {
      this.logger.warn(`${this.id} ignored conf change ${cc.type} ${cc.nodeId}: it would leave no voter`);
      return;
    }
    this.trk.setConf(after, this.log.lastIndex() + 1);
    const self = this.trk.progress.get(this.id);
    if (self && this.role === "leader") self.match = Math.max(self.match, this.stableLastIndex());
    this.logger.info(
      `${this.id} applied conf change ${cc.type} ${cc.nodeId}: voters=[${after.voters}] learners=[${after.learners}]`,
    );
    if (this.role !== "leader") return;
    if (!self || self.isLearner) {
      // Removed (or demoted) leader: step down; the others elect a leader among themselves.
      this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    // The quorum changed: commitment may move, and new members need the log.
    if (this.maybeCommit()) this.releasePendingReadIndexMessages();
    this.bcastAppend();
  }

  releasePendingReadIndexMessages(): void {
    if (!this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of pending) handleReadIndexAsLeader(this, m);
  }
}
