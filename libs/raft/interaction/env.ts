import {
  bootstrap,
  type ConfState,
  encodeConfChange,
  type Index,
  isStorageError,
  MemoryStorage,
  type Message,
  type NodeId,
  nodeId,
  type RaftConfig,
  type RaftLogger,
  RawNode,
  seededRng,
} from "../index.js";
import { describeMessage, describeReady } from "./describe.js";
import { StateMachine } from "./state-machine.js";

/**
 * The interaction environment (after etcd raft's rafttest.InteractionEnv): a set of RawNodes
 * over MemoryStorage, a network that is a plain queue of messages, and an output buffer that
 * every command and every logger line writes to. Nothing happens unless a command says so:
 * no Ready is handled and no message is delivered behind the script's back.
 */

export type LogLevel = "info" | "warn" | "none";

/** The tuning a node is created with; kept so a restarted node gets the same. */
export interface NodeOptions {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxInflightMsgs: number;
  readonly maxMsgBytes: number;
  readonly maxUncommittedEntriesBytes: number;
  readonly learnerCatchUpEntriesMax: number;
}

export const DEFAULT_OPTIONS: NodeOptions = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: false,
  checkQuorum: false,
  maxInflightMsgs: 256,
  maxMsgBytes: 1 << 20,
  maxUncommittedEntriesBytes: 64 << 20,
  learnerCatchUpEntriesMax: 1000,
};

export interface EnvNode {
  readonly id: NodeId;
  rn: RawNode;
  readonly storage: MemoryStorage;
  sm: StateMachine;
  readonly opts: NodeOptions;
  /** How often it crashed; seeds the rng of each incarnation differently but reproducibly. */
  restarts: number;
}

/** A bound on every loop that waits for the cluster to go quiet ("put a limit on everything"). */
export const STABILIZE_ROUNDS_MAX = 200;

export class InteractionEnv {
  readonly nodes = new Map<NodeId, EnvNode>();
  /** The network: every sent message, in send order, until delivered or dropped. */
  queue: Message[] = [];
  /** Nodes cut off from everyone: messages to or from them are dropped on delivery. */
  readonly isolated = new Set<NodeId>();
  logLevel: LogLevel = "info";
  private out: string[] = [];
  private indent = "";

  // ------------------------------------------------------------------ output

  /** Writes output lines; `log-level none` silences everything but errors (as etcd's env does). */
  write(...lines: string[]): void {
    if (this.logLevel === "none") return;
    this.writeAlways(...lines);
  }

  writeAlways(...lines: string[]): void {
    for (const l of lines) this.out.push((this.indent + l).trimEnd());
  }

  /** Returns and clears the output of the current command. */
  takeOutput(): string {
    const s = this.out.join("\n");
    this.out = [];
    return s;
  }

  /** Runs fn with its output indented under a `> header` line. */
  section(header: string, fn: () => void): void {
    this.write(`> ${header}`);
    const saved = this.indent;
    this.indent += "  ";
    try {
      fn();
    } finally {
      this.indent = saved;
    }
  }

  private logger(): RaftLogger {
    return {
      info: (m) => {
        if (this.logLevel === "info") this.write(`INFO ${m}`);
      },
      warn: (m) => {
        if (this.logLevel !== "none") this.write(`WARN ${m}`);
      },
    };
  }

  // ------------------------------------------------------------------ nodes

  node(id: number): EnvNode {
    const n = this.nodes.get(id as NodeId);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  ids(): NodeId[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /**
   * Creates `count` nodes with the next free ids. With voters, each is bootstrapped (libs/raft
   * bootstrap) and has applied the founding entries; learners are added as one more committed
   * entry. With `index`, each starts from a snapshot at that index instead of a log. Without
   * voters the node is empty, waiting to be added by a conf change.
   */
  addNodes(
    count: number,
    voters: NodeId[],
    learners: NodeId[],
    index: Index | undefined,
    opts: NodeOptions,
  ): void {
    for (let k = 0; k < count; k++) {
      const id = nodeId(this.nodes.size + 1);
      const storage = new MemoryStorage();
      let sm = new StateMachine(0, [], { voters: [], learners: [] });
      const conf: ConfState = {
        voters: [...voters].sort((a, b) => a - b),
        learners: [...learners].sort((a, b) => a - b),
      };
      if (voters.length > 0 && index !== undefined) {
        const snap = { metadata: { index, term: 1, confState: conf }, data: new Uint8Array(0) };
        storage.applySnapshot(snap);
        storage.setHardState({ term: 1, vote: 0 as NodeId, commit: index });
        sm = StateMachine.fromSnapshot(snap);
      } else if (voters.length > 0) {
        bootstrap(storage, voters);
        const ents = [];
        for (const [i, l] of learners.entries()) {
          const data = encodeConfChange({ type: "addLearner", nodeId: l, context: new Uint8Array(0) });
          ents.push({ term: 1, index: voters.length + 1 + i, type: "confChange" as const, data });
        }
        storage.append(ents);
        storage.setHardState({ term: 1, vote: 0 as NodeId, commit: storage.lastIndex() });
        const all = storage.entries(1, storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
        if (isStorageError(all)) throw new Error(`bootstrap log unreadable: ${all}`);
        sm.apply(all);
      }
      const parts = { id, storage, sm, opts, restarts: 0 };
      this.nodes.set(id, { ...parts, rn: this.newRawNode(parts) });
    }
  }

  private newRawNode(n: Omit<EnvNode, "rn">): RawNode {
    const cfg: RaftConfig = {
      id: n.id,
      storage: n.storage,
      rng: seededRng(n.id * 7919 + n.restarts * 104729 + 1),
      applied: n.sm.applied,
      electionTicks: n.opts.electionTicks,
      heartbeatTicks: n.opts.heartbeatTicks,
      preVote: n.opts.preVote,
      checkQuorum: n.opts.checkQuorum,
      maxInflightMsgs: n.opts.maxInflightMsgs,
      maxMsgBytes: n.opts.maxMsgBytes,
      maxUncommittedEntriesBytes: n.opts.maxUncommittedEntriesBytes,
      learnerCatchUpEntriesMax: n.opts.learnerCatchUpEntriesMax,
      logger: this.logger(),
    };
    return new RawNode(cfg);
  }

  /**
   * A crash and restart: the RawNode and the in-memory state machine are lost; what survives
   * is the storage (log, hard state, snapshot). The state machine restarts from the snapshot
   * and the committed log is applied again. Messages in flight to the node are lost.
   */
  restart(id: NodeId): void {
    const n = this.node(id);
    const lost = this.queue.filter((m) => m.to === id);
    this.queue = this.queue.filter((m) => m.to !== id);
    for (const m of lost) this.write(`dropped: ${describeMessage(m)}`);
    const snap = n.storage.snapshot();
    if (isStorageError(snap)) throw new Error(`snapshot unavailable: ${snap}`);
    n.sm = StateMachine.fromSnapshot(snap);
    n.restarts++;
    n.rn = this.newRawNode(n);
  }

  /**
   * Ends the isolation of `ids`. Messages still queued to or from them were in the partitioned
   * network: they are lost, not delivered late.
   */
  heal(ids: readonly NodeId[]): void {
    const healed = new Set(ids.filter((id) => this.isolated.has(id)));
    const lost = this.queue.filter((m) => healed.has(m.to) || healed.has(m.from));
    this.queue = this.queue.filter((m) => !lost.includes(m));
    for (const m of lost) this.write(`dropped: ${describeMessage(m)}`);
    for (const id of healed) this.isolated.delete(id);
  }

  // ------------------------------------------------------------------ the Ready loop

  /** Handles one Ready of node id the way API.md prescribes: persist, send, apply, advance. */
  processReady(id: NodeId): boolean {
    const n = this.node(id);
    let handled = false;
    this.section(`${id} handling Ready`, () => {
      if (!n.rn.hasReady()) {
        this.write("<no Ready>");
        return;
      }
      handled = true;
      const rd = n.rn.ready();
      this.write(...describeReady(rd));
      if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState) n.storage.setHardState(rd.hardState);
      this.queue.push(...rd.messages);
      if (rd.snapshot) n.sm.restore(rd.snapshot);
      n.sm.apply(rd.committedEntries);
      n.rn.advance(rd);
    });
    return handled;
  }

  /**
   * Delivers the queued messages addressed to `to` (those of `type` only, if given). Messages to
   * a node in `drop`, to or from an isolated node, or to a node that does not exist are dropped.
   */
  deliverMsgs(to: NodeId, drop: ReadonlySet<NodeId>, type: string | undefined): number {
    const mine = this.queue.filter((m) => m.to === to && (type === undefined || m.type === type));
    if (mine.length === 0) return 0;
    this.queue = this.queue.filter((m) => !mine.includes(m));
    this.section(`${to} receiving messages`, () => {
      for (const m of mine) {
        const target = this.nodes.get(m.to);
        if (drop.has(m.to) || this.isolated.has(m.to) || this.isolated.has(m.from) || !target) {
          this.write(`dropped: ${describeMessage(m)}`);
          continue;
        }
        this.write(describeMessage(m));
        try {
          target.rn.step(m);
        } catch (e) {
          this.writeAlways(`error: ${(e as Error).message}`);
        }
      }
    });
    return mine.length;
  }

  /** The recipients of queued messages, in id order. */
  recipients(): NodeId[] {
    return [...new Set(this.queue.map((m) => m.to))].sort((a, b) => a - b);
  }

  /** Handles Readies and delivers messages among `ids` until nothing is left to do. */
  stabilize(ids: readonly NodeId[]): void {
    for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
      let done = true;
      for (const id of ids) {
        if (this.node(id).rn.hasReady()) {
          done = false;
          this.processReady(id);
        }
      }
      for (const id of ids) {
        if (this.deliverMsgs(id, new Set(), undefined) > 0) done = false;
      }
      if (done) return;
    }
    throw new Error(`stabilize: still busy after ${STABILIZE_ROUNDS_MAX} rounds`);
  }
}
