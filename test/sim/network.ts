import type { Message, NodeId } from "../../libs/raft/index.js";
import type { SimRng } from "./sim-rng.js";

/** A message on the wire, with what the sender was when it sent it. */
export interface Envelope {
  readonly msg: Message;
  readonly sentStep: number;
  /** The sender's incarnation: transport feedback goes only to the process that sent. */
  readonly fromIncarnation: number;
}

export type DropReason = "loss" | "partition" | "overflow";

/**
 * What the wire does to each message. Rates are probabilities per message; delays are in
 * steps. Defaults are a healthy network: every message arrives after 1–2 steps, in order
 * per step bucket but shuffled within it.
 */
export interface LinkPolicy {
  dropRate: number;
  duplicateRate: number;
  delayMinSteps: number;
  delayMaxSteps: number;
  /** Probability that a message takes a long detour (arrives stale, far out of order). */
  longDelayRate: number;
  longDelayMaxSteps: number;
}

export const HEALTHY_POLICY: Readonly<LinkPolicy> = {
  dropRate: 0,
  duplicateRate: 0,
  delayMinSteps: 1,
  delayMaxSteps: 2,
  longDelayRate: 0,
  longDelayMaxSteps: 0,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

/**
 * The simulated network: per-step delivery buckets, loss, duplication, delay (hence reorder)
 * and directed link cuts. A cut link A→B drops what A sends to B while B→A may still work
 * (an asymmetric partition); cutting both directions is a symmetric one. Cuts are checked at
 * delivery, so messages in flight when a partition starts are lost too.
 */
export class SimNetwork {
  policy: LinkPolicy = { ...HEALTHY_POLICY };
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  private readonly buckets = new Map<number, Envelope[]>();
  private readonly cut = new Set<string>();
  private inFlight = 0;
  /**
   * Whether the duplicating fault may also duplicate forwarded proposals (MsgProp). A
   * duplicated MsgProp appends the same client command twice, so a non-idempotent command
   * (a put, a txn) takes effect twice: Raft promises at-least-once for a proposal the wire
   * repeats, and neither etcd nor we deduplicate. Real transports (TCP streams) never repeat
   * a message; the store mode turns this off so its linearizability check judges the store,
   * not the wire. @default true
   */
  duplicateProposals = true;

  constructor(
    private readonly rng: SimRng,
    /** Bound on messages in flight; beyond it the network drops (a full socket buffer). */
    readonly maxInFlight: number,
    private readonly onDrop: (env: Envelope, reason: DropReason) => void = () => {},
  ) {}

  send(now: number, msg: Message, fromIncarnation: number): void {
    this.stats.sent++;
    const env: Envelope = { msg, sentStep: now, fromIncarnation };
    if (msg.to === msg.from) {
      this.enqueue(now + 1, env); // loopback: never lost
      return;
    }
    if (this.rng.chance(this.policy.dropRate)) {
      this.drop(env, "loss");
      return;
    }
    this.enqueue(now + this.delay(), env);
    // The draw happens for every message, so the option does not shift the random stream.
    if (this.rng.chance(this.policy.duplicateRate) && (this.duplicateProposals || msg.type !== "MsgProp")) {
      this.stats.duplicated++;
      this.enqueue(now + this.delay(), env);
    }
  }

  /** Messages due at `now`, in a random order; those on cut links are dropped here. */
  takeDue(now: number): Envelope[] {
    const due = this.buckets.get(now);
    if (due === undefined) return [];
    this.buckets.delete(now);
    this.inFlight -= due.length;
    const out: Envelope[] = [];
    for (const env of this.rng.shuffle(due)) {
      if (this.isCut(env.msg.from, env.msg.to)) this.drop(env, "partition");
      else out.push(env);
    }
    this.stats.delivered += out.length;
    return out;
  }

  /** Puts a message back to arrive later (its receiver is paused). */
  defer(env: Envelope, at: number): void {
    this.stats.delivered--;
    this.enqueue(at, env);
  }

  cutLink(from: NodeId, to: NodeId): void {
    if (from !== to) this.cut.add(linkKey(from, to));
  }

  restoreLink(from: NodeId, to: NodeId): void {
    this.cut.delete(linkKey(from, to));
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(linkKey(from, to));
  }

  /** Cuts every link between the two groups, in both directions or only from a to b. */
  partition(a: readonly NodeId[], b: readonly NodeId[], symmetric: boolean): void {
    for (const x of a) {
      for (const y of b) {
        this.cutLink(x, y);
        if (symmetric) this.cutLink(y, x);
      }
    }
  }

  /** Restores every link and the healthy policy. */
  heal(): void {
    this.cut.clear();
    this.policy = { ...HEALTHY_POLICY };
  }

  get cutLinks(): number {
    return this.cut.size;
  }

  get pending(): number {
    return this.inFlight;
  }

  private delay(): number {
    const p = this.policy;
    if (this.rng.chance(p.longDelayRate))
      return this.rng.range(p.delayMaxSteps, Math.max(p.delayMaxSteps, p.longDelayMaxSteps));
    return this.rng.range(p.delayMinSteps, p.delayMaxSteps);
  }

  private enqueue(at: number, env: Envelope): void {
    if (this.inFlight >= this.maxInFlight) {
      this.drop(env, "overflow");
      return;
    }
    const bucket = this.buckets.get(at);
    if (bucket === undefined) this.buckets.set(at, [env]);
    else bucket.push(env);
    this.inFlight++;
  }

  private drop(env: Envelope, reason: DropReason): void {
    this.stats.dropped++;
    this.onDrop(env, reason);
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
