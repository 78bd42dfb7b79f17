import { encodeConfChange } from "./conf-change.js";
import type { ProgressState } from "./progress.js";
import { Raft, type RaftConfig } from "./raft.js";
import { step } from "./step.js";
import type {
  ConfChange,
  ConfState,
  HardState,
  Index,
  Message,
  NodeId,
  ProposeResult,
  Ready,
  Role,
  SoftState,
  Term,
} from "./types.js";
import { msg, NONE } from "./types.js";

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: Term;
  readonly vote: NodeId;
  readonly commit: Index;
  readonly applied: Index;
  readonly lastIndex: Index;
  readonly lead: NodeId;
  readonly role: Role;
  readonly confState: ConfState;
  readonly leadTransferee: NodeId;
  /** The leader's view of each member; empty on other roles. */
  readonly progress: ReadonlyMap<NodeId, { match: Index; next: Index; state: ProgressState }>;
}

/** The scalar part of RaftStatus plus the learner flag: what hot paths (every etcd response header) need. */
export interface BasicStatus {
  readonly id: NodeId;
  readonly term: Term;
  readonly commit: Index;
  readonly lead: NodeId;
  readonly role: Role;
  /** Whether this node is a learner in the current configuration. */
  readonly isLearner: boolean;
}

const LOCAL_TYPES = new Set<Message["type"]>([
  "MsgHup",
  "MsgBeat",
  "MsgCheckQuorum",
  "MsgUnreachable",
  "MsgSnapStatus",
]);

/**
 * The application's handle on one Raft node (etcd raft rawnode.go). Single-threaded and
 * synchronous: the caller ticks it, steps messages into it, and drives the Ready loop:
 * `ready()` → persist → send → apply → `advance()`. Exactly one Ready may be outstanding.
 */
export class RawNode {
  private readonly r: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private outstanding: Ready | undefined;

  constructor(cfg: RaftConfig) {
    this.r = new Raft(cfg);
    this.prevSoft = this.softState();
    this.prevHard = this.hardState();
  }

  tick(): void {
    this.r.tick();
  }

  /** Steps a message received from a peer. Local-only message types are refused. */
  step(m: Message): void {
    if (LOCAL_TYPES.has(m.type))
      throw new Error(`raft: cannot step local message ${m.type} from the network`);
    if (m.from !== NONE && !this.r.trk.isMember(m.from) && isResponse(m)) {
      // Responses from nodes we do not track carry nothing we can use.
      return;
    }
    step(this.r, m);
  }

  campaign(): void {
    step(this.r, msg({ type: "MsgHup", from: this.r.id }));
  }

  /** Proposes data for the log. On a follower, `ok` means forwarded: watch the log for it. */
  propose(data: Uint8Array): ProposeResult {
    return step(
      this.r,
      msg({ type: "MsgProp", from: this.r.id, entries: [{ term: 0, index: 0, type: "normal", data }] }),
    );
  }

  /** Proposes several payloads as consecutive entries in one step (one broadcast). */
  proposeBatch(datas: readonly Uint8Array[]): ProposeResult {
    const entries = datas.map((data) => ({ term: 0, index: 0, type: "normal" as const, data }));
    return step(this.r, msg({ type: "MsgProp", from: this.r.id, entries }));
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    const data = encodeConfChange(cc);
    return step(
      this.r,
      msg({ type: "MsgProp", from: this.r.id, entries: [{ term: 0, index: 0, type: "confChange", data }] }),
    );
  }

  /** Asks for a linearizable read point; the answer arrives as a ReadState with this context. */
  readIndex(context: Uint8Array): void {
    // The context is how acks find their request; an empty one cannot be told apart.
    if (context.byteLength === 0) throw new RangeError("raft: readIndex needs a non-empty context");
    step(this.r, msg({ type: "MsgReadIndex", from: NONE, context }));
  }

  transferLeader(to: NodeId): void {
    step(this.r, msg({ type: "MsgTransferLeader", from: to }));
  }

  reportUnreachable(id: NodeId): void {
    step(this.r, msg({ type: "MsgUnreachable", from: id }));
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    step(this.r, msg({ type: "MsgSnapStatus", from: id, reject: !ok }));
  }

  hasReady(): boolean {
    const r = this.r;
    if (this.outstanding) return false;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.log.unstable.entries.length > 0 || r.log.unstable.snapshot) return true;
    if (r.log.hasNextCommittedEnts()) return true;
    if (!sameSoft(this.softState(), this.prevSoft)) return true;
    return !sameHard(this.hardState(), this.prevHard);
  }

  ready(): Ready {
    if (this.outstanding) throw new Error("raft: ready() called again before advance()");
    const r = this.r;
    const soft = this.softState();
    const hard = this.hardState();
    const entries = [...r.log.unstable.entries];
    const snapshot = r.log.unstable.snapshot;
    const messages = r.msgs;
    r.msgs = [];
    const readStates = r.readStates;
    r.readStates = [];
    const hardChanged = !sameHard(hard, this.prevHard);
    const rd: Ready = {
      ...(sameSoft(soft, this.prevSoft) ? {} : { softState: soft }),
      ...(hardChanged ? { hardState: hard } : {}),
      entries,
      ...(snapshot ? { snapshot } : {}),
      committedEntries: r.log.nextCommittedEnts(),
      messages,
      readStates,
      // A snapshot counts: this Ready's MsgAppResp tells the leader we hold it.
      mustSync:
        entries.length > 0 ||
        snapshot !== undefined ||
        hard.term !== this.prevHard.term ||
        hard.vote !== this.prevHard.vote,
    };
    this.outstanding = rd;
    return rd;
  }

  /** The Ready was persisted, sent and applied. Applies its conf changes and moves the cursors. */
  advance(rd: Ready): void {
    if (rd !== this.outstanding)
      throw new Error("raft: advance() with a Ready that is not the outstanding one");
    this.outstanding = undefined;
    const r = this.r;
    if (rd.softState) this.prevSoft = rd.softState;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      r.log.stableSnapTo(rd.snapshot.metadata.index);
      r.log.appliedTo(rd.snapshot.metadata.index);
    }
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) r.log.stableTo(lastEntry.index, lastEntry.term);
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastCommitted) {
      r.log.appliedTo(lastCommitted.index);
      if (r.role === "leader") r.reduceUncommittedBytes(rd.committedEntries);
      for (const e of rd.committedEntries) if (e.type === "confChange") r.applyConfChange(e);
    }
    if (r.role === "leader" && lastEntry) {
      // The leader's own entries count toward commitment once they are on its disk.
      const self = r.trk.progress.get(r.id);
      if (self?.maybeUpdate(r.stableLastIndex()) && r.maybeCommit()) {
        r.releasePendingReadIndexMessages();
        r.bcastAppend();
      }
    }
  }

  status(): RaftStatus {
    const r = this.r;
    const progress = new Map<NodeId, { match: Index; next: Index; state: ProgressState }>();
    if (r.role === "leader") {
      for (const [id, pr] of r.trk.progress)
        progress.set(id, { match: pr.match, next: pr.next, state: pr.state });
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      lead: r.lead,
      role: r.role,
      confState: r.trk.confState(),
      leadTransferee: r.leadTransferee,
      progress,
    };
  }

  /** Like `status()` without copying the progress map and the membership (no allocation but the result). */
  basicStatus(): BasicStatus {
    const r = this.r;
    return {
      id: r.id,
      term: r.term,
      commit: r.log.committed,
      lead: r.lead,
      role: r.role,
      isLearner: r.trk.learners.includes(r.id),
    };
  }

  /** For tests and debugging: one line per member of the leader's progress. */
  describeProgress(): string[] {
    return this.r.trk.memberIds().map((id) => `${id}: ${this.r.trk.progress.get(id)}`);
  }

  private softState(): SoftState {
    return { leader: this.r.lead, role: this.r.role };
  }

  private hardState(): HardState {
    return { term: this.r.term, vote: this.r.vote, commit: this.r.log.committed };
  }
}

function isResponse(m: Message): boolean {
  return (
    m.type === "MsgAppResp" ||
    m.type === "MsgHeartbeatResp" ||
    m.type === "MsgVoteResp" ||
    m.type === "MsgPreVoteResp" ||
    m.type === "MsgReadIndexResp"
  );
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
