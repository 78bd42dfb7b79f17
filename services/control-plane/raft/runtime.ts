/**
 * The Raft node of a master process: a RawNode over DurableStorage, driven by a tick timer
 * and a Ready loop (persist → send → apply → advance, etcd's contract), with the peer
 * transport, proposal batching and tracking, batched ReadIndex, and log compaction.
 *
 * Concurrency: JS is single-threaded and the core synchronous, so messages, ticks and
 * reports are stepped into the core whenever they arrive, also while a Ready cycle awaits
 * its fsync; only `ready()` waits until the outstanding Ready has been advanced, and only
 * the ReadyLoop (one cycle at a time) calls it.
 */
import { randomInt } from "node:crypto";
import { type ConfChange, type Message, type NodeId, RawNode, seededRng } from "../../../libs/raft/index.js";
import { DurableStorage } from "../../../libs/storage/index.js";
import { Applier } from "./applier.js";
import { encodeEnvelope } from "./envelope.js";
import { RaftRuntimeError, rejectionError } from "./errors.js";
import { Emitter } from "./events.js";
import { bootstrapLog, encodeConfContext, MemberTable } from "./membership.js";
import { ProposalTracker } from "./proposals.js";
import { ReadIndexBatcher } from "./read-index.js";
import { ReadyLoop } from "./ready-loop.js";
import { type RestoredState, restoreState } from "./restore.js";
import {
  type AppliedResult,
  type BasicRuntimeStatus,
  type RaftRuntimeOptions,
  type ResolvedRuntimeOptions,
  type RuntimeEvents,
  type RuntimeStatus,
  resolveOptions,
} from "./runtime-types.js";
import { Snapshotter } from "./snapshotter.js";
import { GrpcTransport } from "./transport.js";

/**
 * One member's Raft node. Start with {@link RaftRuntime.start}; write with `propose`, read
 * linearizably after `readIndex`, watch with `on`, stop with `stop`.
 */
export class RaftRuntime {
  private readonly emitter = new Emitter<RuntimeEvents>();
  private readonly node: RawNode;
  private readonly proposals: ProposalTracker;
  private readonly reads: ReadIndexBatcher;
  private readonly applier: Applier;
  private readonly snapshotter: Snapshotter;
  private readonly loop: ReadyLoop;
  private transport!: GrpcTransport;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly o: ResolvedRuntimeOptions,
    private readonly storage: DurableStorage,
    private readonly members: MemberTable,
    restored: RestoredState,
  ) {
    const incarnation = randomInt(1, 0xffff_ffff);
    const limits = { member: o.id, incarnation, timeoutMs: o.proposalTimeoutMs };
    this.proposals = new ProposalTracker({ ...limits, limit: o.maxInflightProposals, observer: o.observer });
    this.reads = new ReadIndexBatcher({ ...limits, limit: o.maxPendingReads });
    this.node = new RawNode({
      id: o.id,
      storage: storage.storage,
      rng: seededRng(o.seed ?? randomInt(1, 2 ** 31)),
      electionTicks: o.electionTicks,
      heartbeatTicks: o.heartbeatTicks,
      applied: restored.applied,
      ...(o.maxUncommittedEntriesBytes ? { maxUncommittedEntriesBytes: o.maxUncommittedEntriesBytes } : {}),
      logger: o.logger,
    });
    const peers = {
      addPeer: (id: NodeId, url: string) => this.transport.addPeer(id, url),
      removePeer: (id: NodeId) => this.transport.removePeer(id),
    };
    this.applier = new Applier(
      o.id,
      o.stateMachine,
      members,
      this.proposals,
      peers,
      restored.applied,
      this.node.status().confState,
    );
    this.snapshotter = new Snapshotter(
      storage,
      o.snapshotEntries,
      o.snapshotCatchUpEntries,
      (err) => this.fail(err),
      (m) => o.logger.info(m),
    );
    this.loop = new ReadyLoop({
      o,
      node: this.node,
      storage,
      transport: () => this.transport,
      applier: this.applier,
      proposals: this.proposals,
      reads: this.reads,
      snapshotter: this.snapshotter,
      members,
      emitter: this.emitter,
      stopping: () => this.stopping !== undefined,
      fail: (err) => this.fail(err),
    });
  }

  /** Opens (or bootstraps) the data dir, restores the state machine, starts the transport and the timer. */
  static async start(options: RaftRuntimeOptions): Promise<RaftRuntime> {
    const o = resolveOptions(options);
    const storage = await DurableStorage.open(o.dataDir, {
      fsync: o.fsync,
      logger: o.logger,
      observer: o.observer,
    });
    try {
      const empty = storage.storage.lastIndex() === 0;
      if (empty && !o.join) {
        if (!o.initialCluster.some((m) => m.id === o.id))
          throw new Error(`member ${o.id} is not in the initial cluster; start it with join`);
        const { entries, hardState } = bootstrapLog(o.initialCluster);
        await storage.persist({ hardState, entries }, true);
      }
      const members = new MemberTable();
      for (const m of o.initialCluster) members.set(m.id, m.url);
      const restored = restoreState(storage.storage, o.stateMachine, members);
      const rt = new RaftRuntime(o, storage, members, restored);
      rt.transport = await GrpcTransport.listen(
        {
          id: o.id,
          clusterId: o.clusterId,
          listen: o.listen,
          ...(o.protos ? { protos: o.protos } : {}),
          ...(o.partition ? { partition: o.partition } : {}),
          ...(o.transportLimits ? { limits: o.transportLimits } : {}),
          logger: o.logger,
        },
        {
          deliver: (msgs) => rt.onMessages(msgs),
          reportUnreachable: (id) => rt.onReport(() => rt.node.reportUnreachable(id)),
          reportSnapshot: (id, ok) => rt.onReport(() => rt.node.reportSnapshot(id, ok)),
        },
      );
      for (const m of members.list()) rt.transport.addPeer(m.id as NodeId, m.url);
      rt.timer = setInterval(() => rt.onTick(), o.tickMs);
      rt.timer.unref();
      rt.loop.kick();
      return rt;
    } catch (e) {
      await storage.close().catch(() => {});
      throw e;
    }
  }

  /** The port the peer transport listens on. */
  get peerPort(): number {
    return this.transport.port;
  }

  /** The fault-injection table of the peer transport (for the admin API). */
  get partition(): GrpcTransport["partition"] {
    return this.transport.partition;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RuntimeEvents>(event: K, fn: (e: RuntimeEvents[K]) => void): () => void {
    return this.emitter.on(event, fn);
  }

  /**
   * Replicates `data` and resolves once it is applied on this member, with the state
   * machine's result. Rejects with RaftRuntimeError (see its `code` and `outcome`).
   */
  propose(data: Uint8Array): Promise<AppliedResult> {
    if (this.stopping) return Promise.reject(stoppedError());
    let created: ReturnType<ProposalTracker["create"]>;
    try {
      created = this.proposals.create(performance.now());
    } catch (e) {
      return Promise.reject(e);
    }
    this.loop.enqueue(created.tag.seq, encodeEnvelope(created.tag, data));
    return created.promise;
  }

  /** Resolves once this member has applied everything committed before the call (linearizable read point). */
  readIndex(): Promise<void> {
    if (this.stopping) return Promise.reject(stoppedError());
    let p: Promise<void>;
    try {
      p = this.reads.wait(performance.now());
    } catch (e) {
      return Promise.reject(e);
    }
    this.loop.kick();
    return p;
  }

  /** Adds a member (a voter, or a learner that catches up first); resolves when the change is applied here. */
  addMember(id: NodeId, url: string, opts: { learner?: boolean } = {}): Promise<void> {
    return this.changeMembership(opts.learner ? "addLearner" : "addVoter", id, url);
  }

  /** Makes a caught-up learner a voter. */
  promoteMember(id: NodeId): Promise<void> {
    return this.changeMembership("addVoter", id, this.members.url(id) ?? "");
  }

  removeMember(id: NodeId): Promise<void> {
    return this.changeMembership("removeNode", id, this.members.url(id) ?? "");
  }

  /** Asks the leader to hand over to `to`; resolves when `to` is known as leader here. */
  transferLeadership(to: NodeId, timeoutMs = this.o.proposalTimeoutMs): Promise<void> {
    if (this.stopping) return Promise.reject(stoppedError());
    if (this.loop.lead === to) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new RaftRuntimeError("timeout", `leadership did not move to ${to} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on("leaderChange", (e) => {
        if (e.lead !== to) return;
        clearTimeout(timer);
        off();
        resolve();
      });
      this.node.transferLeader(to);
      this.loop.kick();
    });
  }

  /**
   * The fields an etcd response header needs, without the copies `status()` makes (it is
   * called once per response).
   */
  basicStatus(): BasicRuntimeStatus {
    const s = this.node.basicStatus();
    return {
      lead: s.lead,
      term: s.term,
      commit: s.commit,
      applied: this.applier.applied,
      isLearner: s.isLearner,
    };
  }

  status(): RuntimeStatus {
    const s = this.node.status();
    return {
      id: s.id,
      role: s.role,
      term: s.term,
      lead: s.lead,
      commit: s.commit,
      applied: this.applier.applied,
      lastIndex: s.lastIndex,
      firstIndex: this.storage.storage.firstIndex(),
      confState: s.confState,
      members: this.members.list(),
      pendingProposals: this.proposals.size,
      pendingReads: this.reads.size,
      fsync: this.storage.fsyncEnabled,
      peerPort: this.transport.port,
      partition: this.transport.partition.state(),
    };
  }

  /**
   * Stops the timer, lets the in-flight Ready finish, rejects every pending proposal and
   * read ("stopped"), and closes the transport and the storage. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown(stoppedError());
    return this.stopping;
  }

  // ------------------------------------------------------------------ inputs

  private onMessages(msgs: readonly Message[]): void {
    if (this.stopping) return;
    try {
      for (const m of msgs) this.node.step(m);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.loop.kick();
  }

  private onReport(fn: () => void): void {
    if (this.stopping) return;
    fn();
    this.loop.kick();
  }

  private onTick(): void {
    if (this.stopping) return;
    this.node.tick();
    const now = performance.now();
    if (this.proposals.expire(now) > 0) this.loop.dropSettled();
    this.reads.expire(now);
    this.loop.kick();
  }

  private changeMembership(type: ConfChange["type"], id: NodeId, url: string): Promise<void> {
    if (this.stopping) return Promise.reject(stoppedError());
    let created: ReturnType<ProposalTracker["create"]>;
    try {
      created = this.proposals.create(performance.now());
    } catch (e) {
      return Promise.reject(e);
    }
    const res = this.node.proposeConfChange({
      type,
      nodeId: id,
      context: encodeConfContext(created.tag, url),
    });
    if (!res.ok) this.proposals.fail(created.tag.seq, rejectionError(res.reason));
    this.loop.kick();
    return created.promise.then(() => undefined);
  }

  // ------------------------------------------------------------------ shutdown

  private fail(err: unknown): void {
    this.o.logger.warn(`raft runtime: fatal: ${err instanceof Error ? err.stack : String(err)}`);
    this.emitter.emit("fatal", { error: err }, () => {});
    this.stopping ??= this.shutdown(new RaftRuntimeError("failed", "raft runtime failed", { cause: err }));
  }

  private async shutdown(err: RaftRuntimeError): Promise<void> {
    clearInterval(this.timer);
    await this.loop.done; // the in-flight Ready finishes (persisted, sent, applied, advanced)
    this.loop.clear();
    this.proposals.rejectAll(err);
    this.reads.rejectAll(err);
    await this.snapshotter.drain();
    await this.transport?.close();
    await this.storage
      .close()
      .catch((e: unknown) => this.o.logger.warn(`raft runtime: closing storage: ${e}`));
  }
}

function stoppedError(): RaftRuntimeError {
  return new RaftRuntimeError("stopped", "raft runtime is stopped");
}
