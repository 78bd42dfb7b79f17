import type { ConfState, Entry, Index, Message, NodeId, Ready, Rng } from "../../libs/raft/index.js";
import { applyConfChange, decodeConfChange, RawNode } from "../../libs/raft/index.js";
import type { LogEntryView, NodeView } from "./checkers/events.js";
import { SimDisk } from "./disk.js";
import { entryDigest } from "./hash.js";
import type { StateMachine, StateMachineFactory } from "./state-machine.js";

/**
 * Where a crash may strike inside the handling of one Ready (persist → send → apply → advance).
 * A crash between steps is the plain case: everything handed over was persisted.
 */
export type CrashPoint = "beforePersist" | "afterPersist" | "afterSend";

/**
 * How the state machine survives a crash (chosen per seed):
 * - "replay": it is volatile; restart restores the durable snapshot and Raft replays the
 *   committed log after it (`applied` = snapshot index).
 * - "durableSkip": it is durable with its applied index (etcd's consistent index); Raft is
 *   restarted at the snapshot index and the node skips entries it has already applied.
 * - "durableApplied": it is durable; Raft is restarted with `applied` = the state machine's
 *   applied index, as API.md describes.
 */
export type RestartMode = "replay" | "durableSkip" | "durableApplied";

export interface NodeOptions {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly maxMsgBytes: number;
  readonly maxInflightMsgs: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  /** Make a snapshot and compact once this many entries sit above the last snapshot. */
  readonly snapshotEveryEntries: number;
  /** Entries kept below the snapshot after compaction, for slow followers. */
  readonly snapshotKeepEntries: number;
  readonly restartMode: RestartMode;
  /** A crash loses a hard state written without sync. */
  readonly loseUnsynced: boolean;
}

/** What a node needs from the cluster around it. */
export interface NodeHost {
  readonly step: number;
  send(m: Message, fromIncarnation: number): void;
  trace(text: string): void;
  coreRng(id: NodeId, incarnation: number): Rng;
  readonly smFactory: StateMachineFactory;
  onLeader(id: NodeId, term: number): void;
  onApply(id: NodeId, entry: Entry, hash: string): void;
  onRestore(id: NodeId, index: Index, hash: string): void;
  onReadState(id: NodeId, context: Uint8Array, index: Index): void;
  /** The core or the Ready contract misbehaved (an exception, a gap); the run fails. */
  onFault(id: NodeId, message: string): void;
  /** The node's process died (its disk survives). */
  onCrashed(id: NodeId): void;
}

export type NodeState = "up" | "down" | "removed";

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

/** One simulated member: the unmodified RawNode, its disk, its state machine, its Ready loop. */
export class SimNode {
  raw: RawNode | undefined;
  state: NodeState = "down";
  incarnation = 0;
  /** While step < pausedUntil the node neither ticks nor processes anything (a GC pause). */
  pausedUntil = -1;
  /** Armed by a fault: the next Ready handled crashes the node at this point. */
  crashPoint: CrashPoint | undefined;
  readonly disk = new SimDisk();
  private sm: StateMachine;
  /** Index of the last entry applied to `sm`. Invariant: applied <= durable commit (except after a lost unsynced write). */
  applied: Index = 0;
  /** Membership as of `applied`, tracked by the application from applied conf changes. */
  confState: ConfState = EMPTY_CONF;

  constructor(
    readonly id: NodeId,
    private readonly opts: NodeOptions,
    private readonly host: NodeHost,
  ) {
    this.sm = host.smFactory(this.id);
  }

  get isUp(): boolean {
    return this.state === "up";
  }

  isPaused(step: number): boolean {
    return step < this.pausedUntil;
  }

  /** Starts (or restarts) over the durable disk. */
  start(): void {
    if (this.state === "removed") throw new Error(`node ${this.id} was removed and cannot start`);
    this.incarnation++;
    const snap = this.disk.durableSnapshot();
    const snapIndex = snap?.metadata.index ?? 0;
    // A durable state machine behind the durable snapshot (a snapshot from the leader was
    // persisted but the crash came before it was applied) is replaced by it, as etcd does.
    const behindSnapshot = this.applied < snapIndex;
    if (this.opts.restartMode === "replay" || this.incarnation === 1 || behindSnapshot) {
      this.sm = this.host.smFactory(this.id);
      this.sm.restore(snap?.data ?? new Uint8Array(0));
      this.applied = snapIndex;
      this.confState = snap?.metadata.confState ?? EMPTY_CONF;
    }
    const applied = this.opts.restartMode === "durableApplied" ? this.applied : snapIndex;
    this.host.onRestore(this.id, this.applied, this.sm.hash());
    this.guard("start", () => {
      this.raw = new RawNode({
        id: this.id,
        storage: this.disk.storage,
        rng: this.host.coreRng(this.id, this.incarnation),
        electionTicks: this.opts.electionTicks,
        heartbeatTicks: this.opts.heartbeatTicks,
        applied,
        maxMsgBytes: this.opts.maxMsgBytes,
        maxInflightMsgs: this.opts.maxInflightMsgs,
        checkQuorum: this.opts.checkQuorum,
        preVote: this.opts.preVote,
      });
    });
    if (this.raw !== undefined) this.state = "up";
    this.host.trace(`n${this.id} start #${this.incarnation} applied=${this.applied} raftApplied=${applied}`);
  }

  /** Throws away the RawNode and everything not durable. */
  crash(why: string): void {
    if (this.state !== "up") return;
    this.raw = undefined;
    this.state = "down";
    this.crashPoint = undefined;
    this.pausedUntil = -1;
    this.disk.crash(this.opts.loseUnsynced);
    this.host.trace(`n${this.id} CRASH (${why})`);
    this.host.onCrashed(this.id);
  }

  /** Leaves the cluster for good (its removal is committed); its id is never reused. */
  remove(): void {
    this.raw = undefined;
    this.state = "removed";
    this.host.trace(`n${this.id} shut down: removed from the configuration`);
  }

  /** Runs `f` against the core; an exception from the core fails the run, not the simulator. */
  guard(what: string, f: () => void): void {
    try {
      f();
    } catch (err) {
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.host.onFault(this.id, `core threw during ${what}: ${text}`);
      this.raw = undefined;
      this.state = "down";
    }
  }

  /**
   * Handles one Ready if there is one: persist → send → apply → advance, the order types.ts
   * prescribes. Returns false when there was nothing to do or the node crashed.
   */
  handleReady(): boolean {
    const raw = this.raw;
    if (raw === undefined || !raw.hasReady()) return false;
    let rd: Ready | undefined;
    this.guard("ready", () => {
      rd = raw.ready();
    });
    if (rd === undefined) return false;
    if (rd.softState?.role === "leader") this.host.onLeader(this.id, raw.status().term);
    if (this.crashPoint === "beforePersist") return this.crashIn("before persisting a Ready");
    const problem = this.disk.persist(rd);
    if (problem !== undefined) this.host.onFault(this.id, problem);
    if (this.crashPoint === "afterPersist") return this.crashIn("after persisting, before sending");
    for (const m of rd.messages) this.host.send(m, this.incarnation);
    if (this.crashPoint === "afterSend") return this.crashIn("after sending, before applying");
    this.applyReady(rd);
    for (const rs of rd.readStates) this.host.onReadState(this.id, rs.context, rs.index);
    const ready = rd;
    this.guard("advance", () => raw.advance(ready));
    if (this.raw !== undefined) this.maybeSnapshot();
    return this.raw !== undefined;
  }

  private crashIn(where: string): false {
    this.crash(where);
    return false;
  }

  private applyReady(rd: Ready): void {
    const snap = rd.snapshot;
    if (snap !== undefined && snap.metadata.index > 0) {
      if (snap.metadata.index <= this.applied) {
        this.host.onFault(
          this.id,
          `Ready snapshot ${snap.metadata.index} is not past applied ${this.applied}`,
        );
      }
      this.sm.restore(snap.data);
      this.applied = snap.metadata.index;
      this.confState = snap.metadata.confState;
      this.host.onRestore(this.id, this.applied, this.sm.hash());
      this.host.trace(`n${this.id} installed snapshot @${this.applied}`);
    }
    for (const e of rd.committedEntries) {
      if (e.index <= this.applied) {
        // Already applied before a restart: only legal when the state machine is durable.
        if (this.opts.restartMode === "durableSkip") {
          this.sm.replay?.(e);
          continue;
        }
        this.host.onFault(this.id, `committed entry ${e.index} handed again (applied ${this.applied})`);
        continue;
      }
      if (e.index !== this.applied + 1) {
        this.host.onFault(this.id, `committed entries skip from ${this.applied} to ${e.index}`);
      }
      this.sm.apply(e);
      this.applied = e.index;
      if (e.type === "confChange") this.applyConfChange(e);
      this.host.onApply(this.id, e, this.sm.hash());
    }
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    this.confState = applyConfChange(this.confState, cc);
    this.host.trace(`n${this.id} applied conf change @${e.index}: ${cc.type} n${cc.nodeId}`);
  }

  /** Snapshots the applied state and compacts the log once enough entries piled up. */
  private maybeSnapshot(): void {
    const storage = this.disk.storage;
    const snapIndex = storage.firstIndex() - 1;
    if (this.applied - snapIndex < this.opts.snapshotEveryEntries) return;
    if (this.applied > storage.lastIndex() || this.applied <= snapIndex) return;
    const made = storage.createSnapshot(this.applied, this.confState, this.sm.snapshot());
    if (typeof made === "string") return;
    this.disk.sync();
    const compactTo = this.applied - this.opts.snapshotKeepEntries;
    if (compactTo > snapIndex) storage.compact(compactTo);
    this.host.trace(`n${this.id} snapshot @${this.applied}, log from ${storage.firstIndex()}`);
  }

  view(isMember: boolean): NodeView {
    const st = this.raw!.status();
    const storage = this.disk.storage;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    return {
      id: this.id,
      role: st.role,
      term: st.term,
      commit: st.commit,
      durableCommit: storage.initialState().hardState.commit,
      applied: this.applied,
      firstIndex: first,
      lastIndex: last,
      isMember,
      entryAt(i: Index): LogEntryView | undefined {
        if (i < first || i > last) return undefined;
        const ents = storage.entries(i, i + 1, Number.MAX_SAFE_INTEGER);
        if (typeof ents === "string") return undefined;
        const e = ents[0];
        return e === undefined ? undefined : { term: e.term, digest: entryDigest(e) };
      },
    };
  }
}
