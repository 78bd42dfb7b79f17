/**
 * The Ready loop: ready() → persist → send → apply → advance, one cycle at a time (etcd's
 * contract; see libs/raft/types.ts Ready). Proposals queued while a cycle runs are proposed
 * together at the top of the next one, so a burst costs one append, one fsync and one
 * broadcast. Messages and ticks are stepped by the runtime whenever they arrive (the core is
 * synchronous); this loop is the only caller of ready() and advance().
 */
import type { HardState, NodeId, RawNode, Ready, Role } from "../../../libs/raft/index.js";
import { NONE } from "../../../libs/raft/index.js";
import type { DurableStorage } from "../../../libs/storage/index.js";
import type { Applier } from "./applier.js";
import { rejectionError } from "./errors.js";
import type { Emitter } from "./events.js";
import type { MemberTable } from "./membership.js";
import type { ProposalTracker } from "./proposals.js";
import type { ReadIndexBatcher } from "./read-index.js";
import type { ResolvedRuntimeOptions, RuntimeEvents } from "./runtime-types.js";
import type { Snapshotter } from "./snapshotter.js";
import type { GrpcTransport } from "./transport.js";

/** The runtime's parts the loop drives. */
export interface ReadyLoopDeps {
  readonly o: ResolvedRuntimeOptions;
  readonly node: RawNode;
  readonly storage: DurableStorage;
  readonly transport: () => GrpcTransport;
  readonly applier: Applier;
  readonly proposals: ProposalTracker;
  readonly reads: ReadIndexBatcher;
  readonly snapshotter: Snapshotter;
  readonly members: MemberTable;
  readonly emitter: Emitter<RuntimeEvents>;
  readonly stopping: () => boolean;
  readonly fail: (err: unknown) => void;
}

interface QueuedProposal {
  readonly seq: number;
  /** The enveloped entry data. */
  readonly data: Uint8Array;
}

/** Runs Ready cycles one at a time, batching the proposals queued meanwhile. */
export class ReadyLoop {
  /** Invariant: every seq is pending in `proposals`; length <= maxInflightProposals. */
  private queue: QueuedProposal[] = [];
  private running = false;
  private scheduled = false;
  private current: Promise<void> = Promise.resolve();
  /** The last hard state made durable: a leader sends early only if term and vote are on disk. */
  private persistedHard: HardState;
  /** Leader and role as of the last advanced Ready. */
  lead: NodeId = NONE;
  private role: Role = "follower";

  constructor(private readonly d: ReadyLoopDeps) {
    this.persistedHard = d.storage.storage.initialState().hardState;
  }

  /** Resolves when the cycle under way (if any) has been advanced. */
  get done(): Promise<void> {
    return this.current;
  }

  /** Queues an enveloped proposal for the next cycle. */
  enqueue(seq: number, data: Uint8Array): void {
    this.queue.push({ seq, data });
    this.kick();
  }

  /** Drops queued proposals that are no longer pending (timed out). */
  dropSettled(): void {
    this.queue = this.queue.filter((p) => this.d.proposals.has(p.seq));
  }

  clear(): void {
    this.queue = [];
  }

  /** Runs the loop soon; setImmediate lets every proposal of this event-loop turn join one batch. */
  kick(): void {
    if (this.d.stopping() || this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.d.stopping() && !this.running) this.current = this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.d.stopping()) {
        this.proposeQueued();
        this.requestReads();
        if (!this.d.node.hasReady()) break;
        const startedMs = performance.now();
        const apply = await this.cycle(this.d.node.ready());
        this.d.o.observer.readyCycle?.({
          durationSeconds: (performance.now() - startedMs) / 1000,
          applySeconds: apply.durationMs / 1000,
          entriesApplied: apply.entries,
        });
      }
    } catch (e) {
      this.d.fail(e);
    } finally {
      this.running = false;
    }
  }

  /** Runs one cycle; returns how long its apply step took and how many entries it applied. */
  private async cycle(rd: Ready): Promise<{ durationMs: number; entries: number }> {
    const { node, storage, applier } = this.d;
    const transport = this.d.transport();
    // Where our proposals landed in the log (and which of them new entries replaced).
    this.d.proposals.noteAppended(rd.entries);
    // Thesis §10.2.1: the leader may replicate before its own write is durable, because the
    // core counts the leader toward commitment only after advance(). Not if term or vote
    // changed: nothing may be sent before those are on disk.
    const role = rd.softState?.role ?? this.role;
    const termOrVote =
      rd.hardState !== undefined &&
      (rd.hardState.term !== this.persistedHard.term || rd.hardState.vote !== this.persistedHard.vote);
    let late = rd.messages;
    if (role === "leader" && !termOrVote) {
      const apps = rd.messages.filter((m) => m.type === "MsgApp");
      if (apps.length > 0) {
        transport.send(apps);
        late = rd.messages.filter((m) => m.type !== "MsgApp");
      }
    }
    if (rd.hardState || rd.entries.length > 0 || rd.snapshot) {
      await storage.persist(rd, rd.mustSync);
      if (rd.hardState) this.persistedHard = rd.hardState;
    }
    transport.send(late);
    const applyStartedMs = performance.now();
    const appliedBefore = applier.applied;
    if (rd.snapshot) {
      applier.applySnapshot(rd.snapshot);
      this.d.snapshotter.installed(rd.snapshot.metadata.index);
    }
    const changes = applier.applyEntries(rd.committedEntries);
    const apply = { durationMs: performance.now() - applyStartedMs, entries: rd.committedEntries.length };
    for (const rs of rd.readStates) this.d.reads.onReadState(rs, applier.applied);
    node.advance(rd);
    this.afterAdvance(rd, changes, appliedBefore);
    return apply;
  }

  private afterAdvance(
    rd: Ready,
    changes: Array<RuntimeEvents["membershipChange"]>,
    appliedBefore: number,
  ): void {
    const { emitter, reads, applier, o } = this.d;
    const onError = (err: unknown): void => o.logger.warn(`raft runtime: event listener threw: ${err}`);
    if (rd.softState) {
      const { leader, role } = rd.softState;
      const term = this.d.node.status().term;
      if (leader !== this.lead) {
        this.lead = leader;
        // ReadIndex requests die with leadership: ask the new leader.
        reads.requeueInflight();
        o.observer.leaderChanged?.(leader, term);
        emitter.emit("leaderChange", { lead: leader, term }, onError);
      }
      if (role !== this.role) {
        this.role = role;
        emitter.emit("roleChange", { role, term }, onError);
      }
    }
    for (const c of changes) emitter.emit("membershipChange", c, onError);
    const applied = applier.applied;
    if (applied > appliedBefore) {
      reads.onApplied(applied);
      emitter.emit("applied", { index: applied }, onError);
      const sm = o.stateMachine;
      this.d.snapshotter.maybeSnapshot(applied, applier.confState, this.d.members.list(), () =>
        sm.snapshot(),
      );
    }
  }

  /**
   * Proposes the queue in as few proposeBatch calls as the bounds allow (one in the common
   * case). Bounded by bytes because a follower forwards a batch as ONE message, which must
   * fit in a gRPC frame.
   */
  private proposeQueued(): void {
    const { o, node, proposals } = this.d;
    while (this.queue.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.queue.length && n < o.proposalBatchEntriesMax) {
        const b = this.queue[n]!.data.byteLength;
        if (n > 0 && bytes + b > o.proposalBatchBytesMax) break;
        bytes += b;
        n++;
      }
      const batch = this.queue.splice(0, n);
      const res = node.proposeBatch(batch.map((p) => p.data));
      if (!res.ok) for (const p of batch) proposals.fail(p.seq, rejectionError(res.reason));
    }
  }

  private requestReads(): void {
    const { node, reads } = this.d;
    // Without a leader the core drops the request: keep callers queued until one is known.
    if (!reads.hasQueued || node.basicStatus().lead === NONE) return;
    const ctx = reads.takeRequest();
    if (ctx) node.readIndex(ctx);
  }
}
