import type { KeyValue } from "../../../libs/mvcc/index.js";
import type { Entry, NodeId } from "../../../libs/raft/index.js";
import { HistoryRecorder, type KvInput, type KvOutput } from "../../linearizability/index.js";
import type { Checker, ViolationSink } from "../checkers/checker.js";
import type { SimEvent } from "../checkers/events.js";
import type { Cluster } from "../cluster.js";
import { STREAM, streamRng } from "../sim-rng.js";
import type { StateMachineFactory } from "../state-machine.js";
import type { StoreFigures, StoreMode } from "../store-mode.js";
import { KvClients, type ReadRevisionHook } from "./clients.js";
import { FinalReads } from "./final-reads.js";
import { describeKv, sameKv } from "./kv-compare.js";
import { describeKvConfig, type KvConfig, makeKvConfig } from "./kv-config.js";
import { KvLinearizability } from "./kv-linearizability.js";
import { type AppliedCommand, MvccStateMachine, type StoreApplyListener } from "./mvcc-state-machine.js";
import { ReferenceHistory } from "./reference-history.js";
import { KvTime, Requests } from "./requests.js";
import { StoreHashes } from "./store-hashes.js";
import { WatchStreams } from "./watch-streams.js";

/** Test-only faults, so the checks can be shown to catch what they claim to. */
export interface KvTestHooks {
  /** Serve a node's linearizable reads at this revision instead of the current one. */
  readonly readRevision?: ReadRevisionHook;
  /** Let the network duplicate forwarded proposals, so one client command may apply twice. */
  readonly duplicateProposals?: boolean;
}

export interface KvModeDeps {
  readonly seed: number;
  readonly electionSteps: number;
  readonly faultSteps: number;
  readonly sink: ViolationSink;
  trace(step: number, text: string): void;
  emit(e: SimEvent): void;
  readonly hooks?: KvTestHooks;
}

/** Operations a run may record, at most (a runaway run fails loudly). */
const OPERATIONS_MAX = 200_000;

/**
 * The store mode: every member runs libs/mvcc (MvccStateMachine); simulated clients put,
 * delete, swap, read (linearizable and serializable), use leases and compact through Raft;
 * watch streams follow every key; and the run is checked end to end: the client history is
 * linearizable, every store agrees at equal revisions, serializable reads match the
 * reference history at the node's revision, and every watch delivers the reference history
 * exactly once, in order, across resumes and compactions.
 */
export class KvStoreMode implements StoreMode, StoreApplyListener {
  readonly config: KvConfig;
  readonly smFactory: StateMachineFactory;
  readonly workloads: readonly KvClients[];
  readonly checkers: readonly Checker[];
  private cluster: Cluster | undefined;
  private readonly sms = new Map<NodeId, MvccStateMachine>();
  /** Replays ignored by state machines replaced since (a restart made a new one). */
  private replaysRetired = 0;
  private readonly ref = new ReferenceHistory();
  private readonly recorder = new HistoryRecorder<KvInput, KvOutput>({ maxOperations: OPERATIONS_MAX });
  private readonly time: KvTime;
  private readonly requests: Requests;
  private readonly clients: KvClients;
  private readonly watches: WatchStreams;
  private readonly finalReads: FinalReads;
  private readonly hashes: StoreHashes;
  private readonly linearizability: KvLinearizability;
  private finalReadsDone = false;
  private serializableChecked = 0;

  constructor(private readonly deps: KvModeDeps) {
    const cfg = makeKvConfig(deps.seed, deps.electionSteps, deps.faultSteps);
    this.config = cfg;
    const sm = (id: NodeId): MvccStateMachine | undefined => this.sms.get(id);
    const cluster = (): Cluster => this.attached();
    this.smFactory = (id) => {
      const m = new MvccStateMachine(id, this, { store: { watch: { queueEventsMax: cfg.queueEventsMax } } });
      this.replaysRetired += this.sms.get(id)?.replays ?? 0;
      this.sms.set(id, m);
      return m;
    };
    this.time = new KvTime(() => this.cluster?.step ?? 0);
    this.requests = new Requests({
      cluster,
      sm,
      emit: (e) => deps.emit(e),
      timeoutSteps: cfg.timeoutSteps,
    });
    this.clients = new KvClients(
      cfg.clients,
      {
        requests: this.requests,
        recorder: this.recorder,
        time: this.time,
        sm,
        checkSerializable: (node, key, kv, rev) => this.checkSerializable(node, key, kv, rev),
        trace: (t) => this.trace(t),
        ...(deps.hooks?.readRevision !== undefined ? { readRevision: deps.hooks.readRevision } : {}),
      },
      streamRng(deps.seed, STREAM.kvClients, 2),
    );
    this.watches = new WatchStreams(
      cfg.watches,
      this.ref,
      { cluster, sm, report: (m) => this.report("watch", m), trace: (t) => this.trace(t) },
      streamRng(deps.seed, STREAM.kvWatches),
    );
    this.finalReads = new FinalReads(
      cluster,
      this.requests,
      this.recorder,
      this.time,
      this.clients.allKeys,
      deps.hooks?.readRevision,
    );
    this.hashes = new StoreHashes(deps.sink, sm);
    this.linearizability = new KvLinearizability(deps.sink, this.recorder, cfg.searchStepsMax);
    this.workloads = [this.clients];
    this.checkers = [
      this.hashes,
      { name: "watch", finish: () => this.watches.finish() },
      this.linearizability,
    ];
  }

  describe(): string {
    return describeKvConfig(this.config);
  }

  attach(cluster: Cluster): void {
    this.cluster = cluster;
  }

  onApply(node: NodeId, entry: Entry, cmd: AppliedCommand | undefined): void {
    // The reference first: a watch drained this step may already hold this revision.
    this.ref.onApply(node, entry, cmd);
    if (cmd !== undefined) this.requests.onApplied(cmd);
  }

  observe(e: SimEvent): void {
    if (e.kind === "readState") this.requests.onReadState(e.node, e.context, e.index);
  }

  afterStep(step: number, phase: "fault" | "heal" | "final"): void {
    if (this.ref.problem !== undefined) {
      this.report("reference-history", this.ref.problem);
      return;
    }
    this.requests.afterStep(step);
    this.watches.afterStep(step, phase === "final");
    if (phase === "final" && !this.finalReadsDone) this.finalReadsDone = this.finalReads.step();
  }

  finalDone(): boolean {
    return this.finalReadsDone && this.watches.caughtUp();
  }

  finalTimedOut(step: number): void {
    const missing = this.finalReads.unanswered();
    if (missing.length > 0) {
      this.deps.sink.report(
        "final-reads",
        step,
        `final linearizable reads not answered by ${missing.map((id) => `n${id}`).join(", ")}`,
      );
    }
  }

  figures(): StoreFigures {
    const lin = this.linearizability.figures;
    const c = this.clients.counters;
    const w = this.watches.counters;
    const r = this.requests.counters;
    return {
      operations: lin.operations,
      unknown: lin.unknown,
      inconclusive: lin.inconclusive,
      searchSteps: lin.searchSteps,
      finalReads: this.finalReads.reads,
      serializableReads: this.serializableChecked,
      watchEvents: this.watches.eventsChecked,
      watchers: w.watchersCreated,
      watchResumes: w.resumes,
      watchersLostWithNode: w.lostWithNode,
      watchCompacted: w.compacted + w.compactedAtCreate,
      watchRestores: w.restoresUnderWatch,
      compactions: c.compactionsApplied,
      replaysIgnored: this.replaysRetired + [...this.sms.values()].reduce((a, m) => a + m.replays, 0),
      leases: c.leaseGrants,
      refused: Object.values(r.refused).reduce((a, b) => a + b, 0),
      timeouts: r.timeouts,
      hashComparisons: this.hashes.comparisons,
      revisions: this.ref.revision,
    };
  }

  private checkSerializable(node: NodeId, key: string, kv: KeyValue | undefined, revision: number): void {
    this.serializableChecked++;
    const want = this.ref.valueAt(key, revision);
    const same = kv === undefined || want === undefined ? kv === want : sameKv(kv, want);
    if (!same) {
      this.report(
        "serializable-reads",
        `n${node} read ${JSON.stringify(key)} at its revision ${revision} as ${describeKv(kv)}; the reference history has ${describeKv(want)}`,
      );
    }
  }

  private attached(): Cluster {
    if (this.cluster === undefined) throw new Error("store mode used before attach()");
    return this.cluster;
  }

  private report(checker: string, message: string): void {
    this.deps.sink.report(checker, this.cluster?.step ?? 0, message);
  }

  private trace(text: string): void {
    this.deps.trace(this.cluster?.step ?? 0, text);
  }
}
