import type { Command, MvccStore } from "../../../libs/mvcc/index.js";
import type { Index, NodeId } from "../../../libs/raft/index.js";
import type { SimEvent } from "../checkers/events.js";
import type { Cluster } from "../cluster.js";
import { utf8 } from "../hash.js";
import type { SimNode } from "../node.js";
import { encodeEnvelope } from "./envelope.js";
import type { AppliedCommand, MvccStateMachine } from "./mvcc-state-machine.js";

/** Logical time slots within one step: times are `step * TIME_SLOTS_PER_STEP + order in the step`. */
export const TIME_SLOTS_PER_STEP = 1000;

/**
 * Client-visible time: the simulation step, refined by the order of events within the step
 * (the simulator is sequential, so that order is real-time order). Saturates at the last slot
 * of a step, which only makes later events look concurrent: sound, merely less precise.
 */
export class KvTime {
  private at = -1;
  private seq = 0;

  constructor(private readonly step: () => number) {}

  now(): number {
    const s = this.step();
    if (s !== this.at) {
      this.at = s;
      this.seq = 0;
    }
    const slot = Math.min(this.seq++, TIME_SLOTS_PER_STEP - 1);
    return s * TIME_SLOTS_PER_STEP + slot;
  }
}

/** What a client hears back about a proposal. */
export interface ProposalHandlers {
  /** The entry was applied on the node asked (a result of "applied" or "rejected"). */
  answered(a: AppliedCommand): void;
  /** The client gave up (timeout, or the node it asked crashed): the outcome is unknown. */
  lost(why: "timeout" | "crash"): void;
}

export interface ReadHandlers {
  /** The node's applied index reached the read index: read `store` now. */
  answered(store: MvccStore, node: NodeId): void;
  lost(why: "timeout" | "crash"): void;
}

interface Pending {
  readonly node: NodeId;
  readonly incarnation: number;
  readonly deadline: number;
}

interface PendingProposal extends Pending {
  readonly handlers: ProposalHandlers;
}

interface PendingRead extends Pending {
  readonly handlers: ReadHandlers;
  readIndex: Index | undefined;
}

export interface RequestCounters {
  proposed: number;
  /** Refused by the core at once (a definite failure), by reason. */
  refused: Record<string, number>;
  readIndexAsked: number;
  answered: number;
  timeouts: number;
  /** Given up because the node asked went down. */
  crashLost: number;
}

export interface RequestsDeps {
  cluster(): Cluster;
  /** The state machine a node's running incarnation applies to. */
  sm(id: NodeId): MvccStateMachine | undefined;
  emit(e: SimEvent): void;
  /** Steps a client waits for an answer before giving up. */
  readonly timeoutSteps: number;
}

/**
 * Requests in flight between simulated clients and the nodes they asked: proposals are
 * answered when their entry is applied on that node (matched by request id), linearizable
 * reads once that node's applied index reaches the read index its ReadIndex returned. A node
 * that crashes, or an answer that does not come within the timeout, leaves the client not
 * knowing: the handlers hear "lost".
 */
export class Requests {
  readonly counters: RequestCounters = {
    proposed: 0,
    refused: {},
    readIndexAsked: 0,
    answered: 0,
    timeouts: 0,
    crashLost: 0,
  };
  private nextRequest = 1;
  private nextRead = 1;
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<string, PendingRead>();

  constructor(private readonly deps: RequestsDeps) {}

  /** Proposes through `node` (a follower forwards). False: the core refused, nothing happened. */
  propose(node: SimNode, clientId: number, command: Command, handlers: ProposalHandlers): boolean {
    const raw = node.raw;
    if (raw === undefined) return false;
    const requestId = this.nextRequest++;
    const data = encodeEnvelope(clientId, requestId, command);
    let refused: string | undefined = "threw";
    node.guard("propose", () => {
      const r = raw.propose(data);
      refused = r.ok ? undefined : r.reason;
    });
    this.counters.proposed++;
    if (refused !== undefined) {
      this.counters.refused[refused] = (this.counters.refused[refused] ?? 0) + 1;
      return false;
    }
    this.proposals.set(requestId, this.pending(node, handlers));
    return true;
  }

  /** Asks `node` for a read index; the answer comes through `handlers`. */
  readIndex(node: SimNode, handlers: ReadHandlers): void {
    const raw = node.raw;
    if (raw === undefined) {
      handlers.lost("crash");
      return;
    }
    const context = `kr:${this.nextRead++}`;
    const cluster = this.deps.cluster();
    const minIndex = Math.max(cluster.knownCommitted(), cluster.maxAckedIndex);
    // The raft-level read checker holds every read index to the commits made before it.
    this.deps.emit({ kind: "readRequest", step: cluster.step, node: node.id, context, minIndex });
    this.counters.readIndexAsked++;
    this.reads.set(context, { ...this.pending(node, handlers), readIndex: undefined });
    node.guard("readIndex", () => raw.readIndex(utf8(context)));
  }

  /** From the stores: an entry applied somewhere. Answers the client if it asked this node. */
  onApplied(a: AppliedCommand): void {
    if (a.result.kind === "alreadyApplied") return;
    const p = this.proposals.get(a.envelope.requestId);
    if (p === undefined || p.node !== a.node || !this.alive(p)) return;
    this.proposals.delete(a.envelope.requestId);
    this.counters.answered++;
    p.handlers.answered(a);
  }

  onReadState(node: NodeId, context: string, index: Index): void {
    const r = this.reads.get(context);
    if (r !== undefined && r.node === node && r.readIndex === undefined) r.readIndex = index;
  }

  /** Answers reads whose node caught up; gives up on requests past their deadline or node. */
  afterStep(step: number): void {
    for (const [context, r] of this.reads) {
      const node = this.node(r);
      if (node === undefined) {
        this.reads.delete(context);
        this.lose(r.handlers, "crash");
      } else if (r.readIndex !== undefined && node.applied >= r.readIndex && !node.isPaused(step)) {
        const sm = this.deps.sm(r.node);
        this.reads.delete(context);
        if (sm === undefined) this.lose(r.handlers, "crash");
        else {
          this.counters.answered++;
          r.handlers.answered(sm.store, r.node);
        }
      } else if (step >= r.deadline) {
        this.reads.delete(context);
        this.lose(r.handlers, "timeout");
      }
    }
    for (const [id, p] of this.proposals) {
      if (!this.alive(p)) {
        this.proposals.delete(id);
        this.lose(p.handlers, "crash");
      } else if (step >= p.deadline) {
        this.proposals.delete(id);
        this.lose(p.handlers, "timeout");
      }
    }
  }

  get inFlight(): number {
    return this.proposals.size + this.reads.size;
  }

  private pending<H>(node: SimNode, handlers: H): Pending & { handlers: H } {
    return {
      node: node.id,
      incarnation: node.incarnation,
      deadline: this.deps.cluster().step + this.deps.timeoutSteps,
      handlers,
    };
  }

  /** The node asked, if it still runs the incarnation that was asked. */
  private node(p: Pending): SimNode | undefined {
    const n = this.deps.cluster().nodes.get(p.node);
    return n?.isUp && n.incarnation === p.incarnation ? n : undefined;
  }

  private alive(p: Pending): boolean {
    return this.node(p) !== undefined;
  }

  private lose(h: ProposalHandlers | ReadHandlers, why: "timeout" | "crash"): void {
    if (why === "timeout") this.counters.timeouts++;
    else this.counters.crashLost++;
    h.lost(why);
  }
}
