import type { ConfState, Entry, Index, Message, NodeId, Rng } from "../../libs/raft/index.js";
import { bootstrap, nodeId } from "../../libs/raft/index.js";
import type { ClusterView, NodeView, SimEvent } from "./checkers/events.js";
import { LIVENESS_PREFIX } from "./checkers/liveness.js";
import type { SimClock } from "./clock.js";
import { entryDigest, fromUtf8 } from "./hash.js";
import type { DropReason, Envelope, SimNetwork } from "./network.js";
import { type NodeHost, type NodeOptions, SimNode } from "./node.js";
import { STREAM, streamRng } from "./sim-rng.js";
import type { StateMachineFactory } from "./state-machine.js";
import type { Trace } from "./trace.js";

/** Payloads of client proposals start with this (liveness proposals with LIVENESS_PREFIX). */
export const CLIENT_PREFIX = "p:";

export interface ClusterDeps {
  readonly seed: number;
  readonly nodeOptions: NodeOptions;
  readonly smFactory: StateMachineFactory;
  readonly network: SimNetwork;
  readonly clock: SimClock;
  readonly trace: Trace;
  /** Every event goes to the checkers through here. */
  readonly emit: (e: SimEvent) => void;
  /** A broken contract or a core exception: fails the run. */
  readonly fail: (message: string) => void;
  /** Highest node id a run may ever use (ids are never reused). */
  readonly maxNodeId: number;
  /** Downtime of a node that crashed on its own (mid-Ready) before it restarts. */
  readonly defaultDownSteps: number;
}

/**
 * The simulated members and the glue between them: the node host (events, sends, transport
 * feedback), membership bookkeeping, and the view the checkers read.
 */
export class Cluster implements NodeHost {
  step = 0;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly smFactory: StateMachineFactory;
  /** Payloads already acknowledged (applied somewhere). Bounded by proposals made. */
  private readonly acked = new Set<string>();
  /** Transport feedback (snapshot status, unreachable) to hand to senders next step. */
  private reports: Array<{ from: NodeId; incarnation: number; run: (n: SimNode) => void }> = [];
  private readonly restartAt = new Map<NodeId, number>();
  private readonly removeAt = new Map<NodeId, number>();
  private readonly wasMember = new Set<NodeId>();
  private nextId: number;
  private committedConf: { index: Index; cs: ConfState } = { index: 0, cs: { voters: [], learners: [] } };
  /** Highest index of an acknowledged client proposal. */
  maxAckedIndex: Index = 0;
  counters = { crashes: 0, restarts: 0, snapshotsSent: 0, leaderEvents: 0, removed: 0, added: 0 };

  constructor(private readonly deps: ClusterDeps) {
    this.smFactory = deps.smFactory;
    this.nextId = 1;
  }

  /** The initial members, bootstrapped with the same voters. */
  bootstrap(count: number): void {
    const ids = Array.from({ length: count }, () => this.allocateId());
    for (const id of ids) {
      const n = this.createNode(id);
      bootstrap(n.disk.storage, ids);
      n.disk.sync();
      this.wasMember.add(id);
    }
    for (const id of ids) this.nodes.get(id)!.start();
  }

  /** A new, empty member-to-be (not bootstrapped): it waits for the leader to reach it. */
  join(): SimNode | undefined {
    if (this.nextId > this.deps.maxNodeId) return undefined;
    const n = this.createNode(this.allocateId());
    n.start();
    this.counters.added++;
    return n;
  }

  private allocateId(): NodeId {
    return nodeId(this.nextId++);
  }

  private createNode(id: NodeId): SimNode {
    const n = new SimNode(id, this.deps.nodeOptions, this);
    this.nodes.set(id, n);
    this.deps.clock.addNode(id, this.step);
    return n;
  }

  /** Live nodes, sorted by id. */
  up(): SimNode[] {
    const out: SimNode[] = [];
    for (const n of this.nodes.values()) if (n.isUp) out.push(n);
    return out.sort((a, b) => a.id - b.id);
  }

  /** Live, unpaused nodes: the ones that can act this step. */
  active(): SimNode[] {
    return this.up().filter((n) => !n.isPaused(this.step));
  }

  /**
   * The newest committed configuration: the one at the highest index any node has applied
   * (a conf change applied, or a snapshot installed). Monotone, unlike any one node's view.
   */
  latestConfig(): ConfState {
    return this.committedConf.cs;
  }

  private noteConfig(id: NodeId, index: Index): void {
    const n = this.nodes.get(id);
    if (n === undefined || index <= this.committedConf.index) return;
    this.committedConf = { index, cs: n.confState };
  }

  isMember(id: NodeId, cs: ConfState = this.latestConfig()): boolean {
    return cs.voters.includes(id) || cs.learners.includes(id);
  }

  /** The live leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    let bestTerm = -1;
    for (const n of this.up()) {
      const st = n.raw!.status();
      if (st.role === "leader" && st.term > bestTerm) {
        best = n;
        bestTerm = st.term;
      }
    }
    return best;
  }

  crash(n: SimNode, why: string, downSteps: number): void {
    if (!n.isUp) return;
    this.restartAt.set(n.id, this.step + downSteps);
    n.crash(why);
  }

  onCrashed(id: NodeId): void {
    this.counters.crashes++;
    if (!this.restartAt.has(id)) this.restartAt.set(id, this.step + this.deps.defaultDownSteps);
  }

  /** Restarts crashed nodes whose downtime is over (all of them when `all`). */
  restartDue(all = false): void {
    for (const n of this.nodes.values()) {
      if (n.state !== "down") continue;
      const at = this.restartAt.get(n.id);
      if (!all && (at === undefined || at > this.step)) continue;
      this.restartAt.delete(n.id);
      n.start();
      this.counters.restarts++;
    }
  }

  /**
   * Shuts down nodes the committed configuration no longer holds, after a random grace
   * (a removed node lingers a while, as a real process would, and must not disrupt).
   */
  reapRemoved(graceSteps: (id: NodeId) => number): void {
    const cs = this.latestConfig();
    for (const n of this.nodes.values()) {
      if (n.state === "removed") continue;
      if (this.isMember(n.id, cs)) {
        this.wasMember.add(n.id);
        this.removeAt.delete(n.id);
        continue;
      }
      if (!this.wasMember.has(n.id)) continue; // still joining
      const at = this.removeAt.get(n.id);
      if (at === undefined) this.removeAt.set(n.id, this.step + (n.isUp ? graceSteps(n.id) : 0));
      else if (at <= this.step) {
        this.removeAt.delete(n.id);
        this.restartAt.delete(n.id);
        n.remove();
        this.counters.removed++;
      }
    }
  }

  /** Created but never yet seen in a committed configuration. */
  joining(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.state !== "removed" && !this.wasMember.has(n.id));
  }

  deliver(env: Envelope): void {
    const m = env.msg;
    const to = this.nodes.get(m.to);
    if (to === undefined || !to.isUp) {
      this.onDrop(env, "partition");
      return;
    }
    if (to.isPaused(this.step)) {
      this.deps.network.defer(env, to.pausedUntil);
      return;
    }
    if (m.type === "MsgReadIndex" || m.type === "MsgReadIndexResp") {
      this.trace(
        `n${m.to} <- n${m.from} ${m.type} ${fromUtf8(m.context ?? new Uint8Array(0))} index=${m.index}`,
      );
    }
    to.guard(`step(${m.type} from n${m.from})`, () => to.raw!.step(m));
    if (m.type === "MsgSnap") {
      this.counters.snapshotsSent++;
      this.queueReport(m.from, env.fromIncarnation, (n) => n.raw!.reportSnapshot(m.to, true));
    }
  }

  /** Transport feedback, as etcd's transport gives it: snapshot failures and unreachable peers. */
  onDrop(env: Envelope, reason: DropReason): void {
    const m = env.msg;
    if (m.type === "MsgSnap")
      this.queueReport(m.from, env.fromIncarnation, (n) => n.raw!.reportSnapshot(m.to, false));
    else if (reason === "partition" && m.type === "MsgApp") {
      this.queueReport(m.from, env.fromIncarnation, (n) => n.raw!.reportUnreachable(m.to));
    }
  }

  private queueReport(from: NodeId, incarnation: number, run: (n: SimNode) => void): void {
    if (this.reports.length < 10_000) this.reports.push({ from, incarnation, run });
  }

  /** Hands queued transport feedback to senders still running the incarnation that sent. */
  runReports(): void {
    const due = this.reports;
    this.reports = [];
    for (const r of due) {
      const n = this.nodes.get(r.from);
      if (n === undefined || !n.isUp || n.incarnation !== r.incarnation) continue;
      n.guard("transport report", () => r.run(n));
    }
  }

  view(): ClusterView {
    const cs = this.latestConfig();
    const nodes: NodeView[] = this.up().map((n) => n.view(this.isMember(n.id, cs)));
    return { step: this.step, nodes };
  }

  // NodeHost

  send(m: Message, fromIncarnation: number): void {
    this.deps.network.send(this.step, m, fromIncarnation);
  }

  trace(text: string): void {
    this.deps.trace.add(this.step, text);
  }

  coreRng(id: NodeId, incarnation: number): Rng {
    return streamRng(this.deps.seed, STREAM.core, id * 1000 + incarnation);
  }

  onLeader(id: NodeId, term: number): void {
    this.counters.leaderEvents++;
    this.trace(`n${id} became leader of term ${term}`);
    this.deps.emit({ kind: "leader", step: this.step, node: id, term });
  }

  onApply(id: NodeId, entry: Entry, hash: string): void {
    const digest = entryDigest(entry);
    if (entry.type === "confChange") this.noteConfig(id, entry.index);
    this.deps.emit({ kind: "apply", step: this.step, node: id, index: entry.index, digest, hash });
    if (entry.type !== "normal" || entry.data.byteLength === 0) return;
    const payload = fromUtf8(entry.data);
    if (!payload.startsWith(CLIENT_PREFIX) && !payload.startsWith(LIVENESS_PREFIX)) return;
    if (this.acked.has(payload)) return;
    this.acked.add(payload);
    this.maxAckedIndex = Math.max(this.maxAckedIndex, entry.index);
    this.deps.emit({ kind: "ack", step: this.step, node: id, index: entry.index, digest, payload });
  }

  onRestore(id: NodeId, index: Index, hash: string): void {
    this.noteConfig(id, index);
    this.deps.emit({ kind: "restore", step: this.step, node: id, index, hash });
  }

  onReadState(id: NodeId, context: Uint8Array, index: Index): void {
    this.trace(`n${id} read state ${fromUtf8(context)} @${index}`);
    this.deps.emit({ kind: "readState", step: this.step, node: id, context: fromUtf8(context), index });
  }

  onFault(id: NodeId, message: string): void {
    this.trace(`n${id} FAULT ${message}`);
    this.deps.fail(`n${id}: ${message}`);
  }

  /** Max commit index over live nodes: every index up to it is known committed. */
  knownCommitted(): Index {
    let c = 0;
    for (const n of this.up()) c = Math.max(c, n.raw!.status().commit);
    return c;
  }
}
