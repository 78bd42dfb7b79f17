import type { Checker, Violation } from "./checkers/checker.js";
import { ViolationSink } from "./checkers/checker.js";
import { CommittedLog } from "./checkers/committed-log.js";
import { Durability } from "./checkers/durability.js";
import { ElectionSafety } from "./checkers/election-safety.js";
import type { SimEvent } from "./checkers/events.js";
import { LeaderCompleteness } from "./checkers/leader-completeness.js";
import { LinearizableReads } from "./checkers/linearizable-reads.js";
import { LIVENESS_PREFIX, Liveness } from "./checkers/liveness.js";
import { LogMatching } from "./checkers/log-matching.js";
import { StateMachineSafety } from "./checkers/state-machine-safety.js";
import { SimClock } from "./clock.js";
import { Cluster } from "./cluster.js";
import { describeConfig, makeConfig, type SimConfig, type SimOptions } from "./config.js";
import { type Fault, type FaultContext, makeFaults } from "./faults/index.js";
import { utf8 } from "./hash.js";
import { KvStoreMode } from "./kv/mode.js";
import { type NetworkStats, SimNetwork } from "./network.js";
import { type SimRng, STREAM, streamRng } from "./sim-rng.js";
import { hashChainFactory } from "./state-machine.js";
import type { StoreFigures, StoreMode } from "./store-mode.js";
import { Trace } from "./trace.js";
import { Membership } from "./workload/membership.js";
import { Proposals } from "./workload/proposals.js";
import { Reads } from "./workload/reads.js";
import { Transfers } from "./workload/transfers.js";
import {
  newCounters,
  type Workload,
  type WorkloadContext,
  type WorkloadCounters,
} from "./workload/workload.js";

export interface RunStats {
  readonly steps: number;
  readonly elections: number;
  /** Highest index applied anywhere. */
  readonly commits: number;
  readonly acknowledged: number;
  readonly readsAnswered: number;
  /** Read answers delivered to a node that did not ask (a known core issue). */
  readonly readsMisrouted: number;
  readonly faultsInjected: Readonly<Record<string, number>>;
  readonly crashes: number;
  readonly snapshotsSent: number;
  readonly membersAdded: number;
  readonly membersRemoved: number;
  readonly network: Readonly<NetworkStats>;
  readonly workload: Readonly<WorkloadCounters>;
  /** Steps from healing to a proposal applied on every member. */
  readonly livenessSteps: number | undefined;
  /** What the store mode did and checked (absent in the default mode). */
  readonly store?: StoreFigures;
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly config: string;
  readonly stats: RunStats;
  /** The last events of the run, oldest first. */
  readonly traceTail: readonly string[];
  /** The command that replays this run exactly. */
  readonly replay: string;
}

/** Lines of trace kept for a failure report. */
export const TRACE_TAIL_LINES = 50;
const TRACE_CAPACITY = 4096;
/** Bound on Ready rounds per node per step. */
const READY_ROUNDS_MAX = 8;
/** After liveness is shown, at least this many more steps so the last messages land before the final checks. */
const SETTLE_STEPS = 30;

export function runSeed(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}

export function replayCommand(opts: SimOptions): string {
  const flags = [`--seed ${opts.seed}`];
  if (opts.nodes !== undefined) flags.push(`--nodes ${opts.nodes}`);
  if (opts.faultTicks !== undefined) flags.push(`--ticks ${opts.faultTicks}`);
  if (opts.faults !== undefined) flags.push(`--faults ${opts.faults.join(",")}`);
  if (opts.restartMode !== undefined) flags.push(`--restart-mode ${opts.restartMode}`);
  if (opts.store !== undefined && opts.store !== "hashChain") flags.push(`--store ${opts.store}`);
  return `npm run sim -- ${flags.join(" ")}`;
}

/**
 * One run: bootstrap, a fault phase (faults, clients, membership changes), a heal phase (all
 * faults undone, crashed members restarted) that must show liveness within a bound, then the
 * final checks. Stops at the first violation.
 */
class Simulation {
  private readonly config: SimConfig;
  private readonly trace: Trace;
  private readonly sink = new ViolationSink();
  private readonly network: SimNetwork;
  private readonly clock: SimClock;
  private readonly cluster: Cluster;
  private readonly faults: Fault[];
  private readonly workloads: Workload[];
  private readonly faultRng: SimRng;
  private readonly workloadRng: SimRng;
  private readonly driverRng: SimRng;
  private readonly counters = newCounters();
  private readonly checkers: Checker[];
  private readonly elections: ElectionSafety;
  private readonly sms: StateMachineSafety;
  private readonly durability: Durability;
  private readonly reads: LinearizableReads;
  private readonly liveness: Liveness;
  /** The store mode, when the run drives a real store instead of the hash chain. */
  private readonly mode: StoreMode | undefined;
  private step = 0;
  private liveProposals = 0;
  private lastLiveProposal = -1_000_000;

  constructor(private readonly opts: SimOptions) {
    const cfg = makeConfig(opts);
    this.config = cfg;
    this.trace = new Trace(TRACE_CAPACITY, opts.verbose ? (line) => console.log(line) : undefined);
    this.network = new SimNetwork(
      streamRng(cfg.seed, STREAM.network),
      cfg.maxInFlightMessages,
      (env, reason) => this.cluster.onDrop(env, reason),
    );
    this.clock = new SimClock(streamRng(cfg.seed, STREAM.clock), cfg.stepsPerTick, cfg.skewMaxSteps);
    this.mode =
      opts.store === "mvcc"
        ? new KvStoreMode({
            seed: cfg.seed,
            electionSteps: cfg.electionSteps,
            faultSteps: cfg.faultSteps,
            sink: this.sink,
            trace: (step, text) => this.trace.add(step, text),
            emit: (e) => this.emit(e),
            ...(opts.kvHooks !== undefined ? { hooks: opts.kvHooks } : {}),
          })
        : undefined;
    // A real transport never repeats a proposal; the store's checks judge the store, not that.
    if (this.mode !== undefined) this.network.duplicateProposals = opts.kvHooks?.duplicateProposals === true;
    this.cluster = new Cluster({
      seed: cfg.seed,
      nodeOptions: cfg.node,
      smFactory: this.mode?.smFactory ?? opts.smFactory ?? hashChainFactory,
      network: this.network,
      clock: this.clock,
      trace: this.trace,
      emit: (e) => this.emit(e),
      fail: (message) => this.sink.report("ready-contract", this.step, message),
      maxNodeId: cfg.maxNodeId,
      defaultDownSteps: cfg.electionSteps,
    });
    this.faultRng = streamRng(cfg.seed, STREAM.faults);
    this.workloadRng = streamRng(cfg.seed, STREAM.workload);
    this.driverRng = streamRng(cfg.seed, STREAM.membership);
    this.mode?.attach(this.cluster);
    this.faults = makeFaults(cfg.faults, this.faultRng);
    const clients: Workload[] =
      this.mode !== undefined
        ? [...this.mode.workloads]
        : [new Proposals(cfg.proposeRate, 8), new Reads(cfg.readRate)];
    this.workloads = [
      ...clients,
      new Transfers(cfg.transferRate),
      new Membership(cfg.membershipRate, { minVoters: cfg.nodes >= 5 ? 3 : 2, maxVoters: 5, maxMembers: 6 }),
    ];
    const committed = new CommittedLog(this.sink);
    this.elections = new ElectionSafety(this.sink);
    this.sms = new StateMachineSafety(this.sink);
    this.durability = new Durability(this.sink);
    this.reads = new LinearizableReads(this.sink);
    this.liveness = new Liveness(this.sink, cfg.livenessBoundSteps);
    this.checkers = [
      this.elections,
      committed,
      new LogMatching(this.sink),
      new LeaderCompleteness(this.sink, committed),
      this.sms,
      this.durability,
      this.reads,
      this.liveness,
      ...(this.mode?.checkers ?? []),
    ];
  }

  run(): SimResult {
    const cfg = this.config;
    this.trace.add(
      0,
      `seed ${cfg.seed}: ${describeConfig(cfg)}${this.mode ? ` ${this.mode.describe()}` : ""}`,
    );
    this.cluster.bootstrap(cfg.nodes);
    for (; this.step < cfg.faultSteps && this.sink.ok; this.step++) this.stepOnce("fault");
    if (this.sink.ok) this.heal();
    const deadline = this.step + cfg.livenessBoundSteps + 1;
    for (; this.step <= deadline && this.sink.ok && !this.liveness.done; this.step++) this.stepOnce("heal");
    // Settle: proposals still in flight at the heal may commit late; let every member apply
    // every acknowledged entry (bounded) before the final checks judge durability.
    const settleEnd = this.step + cfg.livenessBoundSteps;
    for (
      let i = 0;
      this.sink.ok && this.step < settleEnd && (i < SETTLE_STEPS || !this.settled());
      i++, this.step++
    ) {
      this.stepOnce("heal");
    }
    if (this.mode !== undefined) this.runFinal(this.mode);
    if (this.sink.ok) {
      const view = this.cluster.view();
      for (const c of this.checkers) c.finish?.(view);
    }
    return this.result();
  }

  /**
   * The store mode's final phase (final reads, watches catching up), bounded like liveness.
   * Client proposals still in flight may be acknowledged meanwhile, so it also ends settled.
   */
  private runFinal(mode: StoreMode): void {
    const end = this.step + this.config.livenessBoundSteps;
    const done = (): boolean => mode.finalDone() && this.settled();
    for (; this.sink.ok && this.step < end && !done(); this.step++) this.stepOnce("final");
    if (this.sink.ok && !mode.finalDone()) mode.finalTimedOut(this.step);
  }

  private heal(): void {
    const ctx = this.faultContext();
    for (const f of this.faults) f.heal(ctx);
    this.network.heal();
    for (const id of this.cluster.nodes.keys()) this.clock.resetPeriod(id);
    this.cluster.restartDue(true);
    this.trace.add(this.step, "HEAL: network healed, faults undone, crashed members restarted");
    this.liveness.begin(this.step);
  }

  private stepOnce(phase: "fault" | "heal" | "final"): void {
    const c = this.cluster;
    c.step = this.step;
    c.runReports();
    for (const env of this.network.takeDue(this.step)) c.deliver(env);
    c.restartDue(phase !== "fault");
    for (const n of c.active()) {
      const raw = n.raw;
      if (raw !== undefined && this.clock.due(n.id, this.step)) n.guard("tick", () => raw.tick());
    }
    if (phase === "fault") {
      const ctx = this.faultContext();
      for (const f of this.faults) f.step(ctx);
      const wctx = this.workloadContext();
      for (const w of this.workloads) w.step(wctx);
    } else {
      this.proposeForLiveness();
    }
    for (const n of this.driverRng.shuffle(c.active())) {
      for (let i = 0; i < READY_ROUNDS_MAX && n.handleReady(); i++);
    }
    c.reapRemoved(() => this.driverRng.range(0, this.config.electionSteps));
    this.mode?.afterStep(this.step, phase);
    if (!this.sink.ok) return;
    const view = c.view();
    for (const ch of this.checkers) ch.checkView?.(view);
  }

  /** Every live member has applied every acknowledged entry. */
  private settled(): boolean {
    const cs = this.cluster.latestConfig();
    return this.cluster
      .up()
      .every((n) => !this.cluster.isMember(n.id, cs) || n.applied >= this.cluster.maxAckedIndex);
  }

  /** After healing: a fresh proposal through the leader, retried until one is applied. */
  private proposeForLiveness(): void {
    if (this.liveness.done || this.step - this.lastLiveProposal < this.config.electionSteps) return;
    const leader = this.cluster.leader();
    const raw = leader?.raw;
    if (leader === undefined || raw === undefined) return;
    this.lastLiveProposal = this.step;
    const payload = `${LIVENESS_PREFIX}${this.liveProposals++}`;
    leader.guard("propose", () => {
      const r = raw.propose(utf8(payload));
      this.trace.add(
        this.step,
        `liveness proposal ${payload} via n${leader.id}: ${r.ok ? "accepted" : r.reason}`,
      );
    });
  }

  private emit(e: SimEvent): void {
    this.mode?.observe(e);
    for (const c of this.checkers) c.observe?.(e);
  }

  private faultContext(): FaultContext {
    return {
      step: this.step,
      rng: this.faultRng,
      cluster: this.cluster,
      network: this.network,
      clock: this.clock,
      electionSteps: this.config.electionSteps,
      trace: (text) => this.trace.add(this.step, text),
    };
  }

  private workloadContext(): WorkloadContext {
    return {
      step: this.step,
      rng: this.workloadRng,
      cluster: this.cluster,
      counters: this.counters,
      emit: (e) => this.emit(e),
      trace: (text) => this.trace.add(this.step, text),
    };
  }

  /** One line per node, and the leader's view of each follower: what a failure report needs first. */
  private traceFinalState(): void {
    for (const n of this.cluster.nodes.values()) {
      const st = n.raw?.status();
      if (st === undefined) {
        this.trace.add(this.step, `final n${n.id}: ${n.state} applied=${n.applied}`);
        continue;
      }
      const d = n.disk.storage;
      const prog = [...st.progress].map(([id, p]) => `n${id}:${p.state}/m${p.match}/n${p.next}`).join(" ");
      this.trace.add(
        this.step,
        `final n${n.id}: ${st.role} term=${st.term} lead=${st.lead} commit=${st.commit} applied=${n.applied} ` +
          `log=[${d.firstIndex()},${d.lastIndex()}] conf=${JSON.stringify(st.confState)}${prog ? ` progress ${prog}` : ""}`,
      );
    }
  }

  private result(): SimResult {
    const faultsInjected: Record<string, number> = {};
    for (const f of this.faults) faultsInjected[f.name] = f.injected;
    const cc = this.cluster.counters;
    for (const v of this.sink.violations) this.trace.add(v.step, `VIOLATION [${v.checker}] ${v.message}`);
    if (!this.sink.ok) this.traceFinalState();
    return {
      seed: this.config.seed,
      ok: this.sink.ok,
      violations: this.sink.violations,
      config:
        this.mode === undefined
          ? describeConfig(this.config)
          : `${describeConfig(this.config)} ${this.mode.describe()}`,
      stats: {
        steps: this.step,
        elections: this.elections.elections,
        commits: this.sms.maxApplied,
        acknowledged: this.durability.acknowledged,
        readsAnswered: this.reads.answered,
        readsMisrouted: this.reads.misrouted,
        faultsInjected,
        crashes: cc.crashes,
        snapshotsSent: cc.snapshotsSent,
        membersAdded: cc.added,
        membersRemoved: cc.removed,
        network: { ...this.network.stats },
        workload: this.counters,
        livenessSteps: this.liveness.stepsToDone,
        ...(this.mode !== undefined ? { store: this.mode.figures() } : {}),
      },
      traceTail: this.trace.tail(TRACE_TAIL_LINES),
      replay: replayCommand(this.opts),
    };
  }
}
