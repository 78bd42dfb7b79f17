import { bootstrap } from "../bootstrap.js";
import type { RaftConfig } from "../raft.js";
import { type RaftStatus, RawNode } from "../raw-node.js";
import { seededRng } from "../rng.js";
import { isStorageError, MemoryStorage } from "../storage.js";
import type {
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
  ReadState,
  Ready,
} from "../types.js";
import { msg, NONE, nodeId } from "../types.js";

/**
 * Test scaffolding in the spirit of etcd raft's raft_test.go helpers: nodes whose log and hard
 * state are set up directly, a Ready loop that persists everything it is handed, and a network
 * that delivers messages until nothing moves. Everything here drives the public RawNode API.
 */

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
export const id = nodeId;

/** Entries at consecutive indexes from `first`, one per term given (etcd's `index(i).terms(...)`). */
export function entriesAt(
  first: number,
  terms: readonly number[],
  data?: (i: number) => Uint8Array,
): Entry[] {
  return terms.map((term, i) => ({
    term,
    index: first + i,
    type: "normal" as const,
    data: data ? data(first + i) : new Uint8Array(0),
  }));
}

/**
 * A MemoryStorage whose empty snapshot already names the members (etcd's `withPeers`), so a
 * test log can start at index 1 without bootstrap's conf-change entries.
 */
export class PeerStorage extends MemoryStorage {
  constructor(private readonly conf: ConfState) {
    super();
  }

  override initialState(): { hardState: HardState; confState: ConfState } {
    const s = super.initialState();
    if (s.confState.voters.length > 0 || s.confState.learners.length > 0) return s;
    return { hardState: s.hardState, confState: this.conf };
  }

  /** Every entry in the log, from the first readable one to the last. */
  all(): Entry[] {
    const ents = this.entries(this.firstIndex(), this.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
    return isStorageError(ents) ? [] : ents;
  }
}

export interface NodeSpec {
  readonly id: number;
  readonly voters: readonly number[];
  readonly learners?: readonly number[];
  /** Terms of the entries at indexes 1, 2, ... already on disk. */
  readonly log?: readonly number[];
  /** Hard state on disk; term defaults to the last log term. */
  readonly term?: number;
  readonly vote?: number;
  readonly commit?: number;
  readonly config?: Partial<RaftConfig>;
  readonly seed?: number;
  /** Found the cluster through bootstrap() (membership in the log) instead of a preset membership. */
  readonly bootstrap?: boolean;
  /** Entries on disk, replacing `log` when the test needs particular types or payloads. */
  readonly entries?: readonly Entry[];
}

/**
 * The paper's Raft: no PreVote and no CheckQuorum (they are thesis chapters 9.6 and 6.2 and
 * are switched on by the tests that check them).
 */
export const PAPER: Partial<RaftConfig> = {
  preVote: false,
  checkQuorum: false,
  electionTicks: 10,
  heartbeatTicks: 1,
};

/** One RawNode over a PeerStorage, with a Ready loop that persists, applies and advances. */
export class TestNode {
  readonly id: NodeId;
  readonly storage: PeerStorage;
  readonly raw: RawNode;
  /** Committed entries handed to the application, in order. */
  readonly applied: Entry[] = [];
  readonly readStates: ReadState[] = [];
  readonly readies: Ready[] = [];

  constructor(spec: NodeSpec) {
    this.id = nodeId(spec.id);
    if (spec.bootstrap) {
      this.storage = new PeerStorage({ voters: [], learners: [] });
      if (spec.voters.length > 0) bootstrap(this.storage, spec.voters.map(nodeId));
    } else {
      this.storage = new PeerStorage({
        voters: spec.voters.map(nodeId),
        learners: (spec.learners ?? []).map(nodeId),
      });
      const ents = spec.entries ?? entriesAt(1, spec.log ?? []);
      this.storage.append(ents);
      this.storage.setHardState({
        term: spec.term ?? ents[ents.length - 1]?.term ?? 0,
        vote: spec.vote === undefined ? NONE : nodeId(spec.vote),
        commit: spec.commit ?? 0,
      });
    }
    this.raw = new RawNode({
      id: this.id,
      storage: this.storage,
      rng: seededRng(spec.seed ?? spec.id),
      ...PAPER,
      ...spec.config,
    });
  }

  /** Handles every pending Ready: persist, collect messages, apply, advance. Returns the messages. */
  drain(): Message[] {
    const out: Message[] = [];
    for (let i = 0; this.raw.hasReady(); i++) {
      if (i > 1000) throw new Error("node did not quiesce");
      const rd = this.raw.ready();
      this.readies.push(rd);
      if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
      this.storage.append(rd.entries);
      if (rd.hardState) this.storage.setHardState(rd.hardState);
      out.push(...rd.messages);
      this.applied.push(...rd.committedEntries);
      this.readStates.push(...rd.readStates);
      this.raw.advance(rd);
    }
    return out;
  }

  step(m: Message): Message[] {
    this.raw.step(m);
    return this.drain();
  }

  tick(n = 1): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < n; i++) {
      this.raw.tick();
      out.push(...this.drain());
    }
    return out;
  }

  campaign(): Message[] {
    this.raw.campaign();
    return this.drain();
  }

  status(): RaftStatus {
    return this.raw.status();
  }

  /** Terms of the log from index 1 (0 for compacted positions). */
  logTerms(): number[] {
    return this.storage.all().map((e) => e.term);
  }

  appliedData(): string[] {
    return this.applied.filter((e) => e.type === "normal" && e.data.byteLength > 0).map((e) => dec(e.data));
  }
}

/**
 * A network of TestNodes that delivers every message until none is left (etcd's `network.send`).
 * Links can be cut and message types dropped; dropped messages are simply lost.
 */
export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  private readonly cutLinks = new Set<string>();
  readonly dropTypes = new Set<MessageType>();
  /** Every message delivered, for assertions on traffic. */
  readonly delivered: Message[] = [];

  constructor(nodes: readonly TestNode[]) {
    for (const n of nodes) this.nodes.set(n.id, n);
    for (const n of nodes) this.send(n.drain());
  }

  /** n voters 1..n with the same (optionally preset) log. */
  static of(n: number, spec: Omit<NodeSpec, "id" | "voters"> = {}): Network {
    const voters = Array.from({ length: n }, (_, i) => i + 1);
    return new Network(voters.map((i) => new TestNode({ ...spec, id: i, voters })));
  }

  node(n: number): TestNode {
    const node = this.nodes.get(nodeId(n));
    if (!node) throw new Error(`no node ${n}`);
    return node;
  }

  send(msgs: readonly Message[], maxMsgs = 100_000): void {
    const queue = [...msgs];
    for (let i = 0; queue.length > 0; i++) {
      if (i > maxMsgs) throw new Error("network did not quiesce");
      const m = queue.shift()!;
      if (this.dropped(m)) continue;
      const to = this.nodes.get(m.to);
      if (!to) continue;
      this.delivered.push(m);
      queue.push(...to.step(m));
    }
  }

  private dropped(m: Message): boolean {
    return this.dropTypes.has(m.type) || this.cutLinks.has(`${m.from}-${m.to}`);
  }

  cut(a: number, b: number): void {
    this.cutLinks.add(`${a}-${b}`);
    this.cutLinks.add(`${b}-${a}`);
  }

  isolate(n: number): void {
    for (const other of this.nodes.keys()) if (other !== n) this.cut(n, other);
  }

  heal(): void {
    this.cutLinks.clear();
    this.dropTypes.clear();
  }

  campaign(n: number): void {
    this.send(this.node(n).campaign());
  }

  propose(n: number, data: string): ReturnType<RawNode["propose"]> {
    const res = this.node(n).raw.propose(enc(data));
    this.send(this.node(n).drain());
    return res;
  }

  /** Ticks node n (or every node) `times` times, delivering after each tick. */
  tick(times: number, n?: number): void {
    for (let t = 0; t < times; t++) {
      const targets = n === undefined ? [...this.nodes.values()] : [this.node(n)];
      for (const node of targets) this.send(node.tick());
    }
  }

  leader(): NodeId | undefined {
    for (const [nid, node] of this.nodes) if (node.status().role === "leader") return nid;
    return undefined;
  }
}

/** Messages of one type, sorted by recipient. */
export function ofType(msgs: readonly Message[], type: MessageType): Message[] {
  return msgs.filter((m) => m.type === type).sort((a, b) => a.to - b.to);
}

/** The reply a follower that accepted `m` (a MsgApp) would send. */
export function acceptAndReply(m: Message): Message {
  if (m.type !== "MsgApp") throw new Error(`acceptAndReply needs a MsgApp, got ${m.type}`);
  return {
    type: "MsgAppResp",
    from: m.to,
    to: m.from,
    term: m.term,
    index: m.index + m.entries.length,
    logTerm: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
  };
}

/**
 * Campaigns (skipping PreVote if it is on) and feeds granted votes from the other voters until
 * the node leads. Returns what the new leader sent (its first MsgApp round).
 */
export function electLeader(node: TestNode, voters: readonly number[]): Message[] {
  let out: Message[] = node.campaign();
  // Two rounds: the first may only win a pre-election.
  for (let round = 0; round < 2; round++) {
    for (const v of voters) {
      const st = node.status();
      if (st.role === "leader" || st.role === "follower") return out;
      if (v === node.id) continue;
      const type = st.role === "preCandidate" ? "MsgPreVoteResp" : "MsgVoteResp";
      const term = st.role === "preCandidate" ? st.term + 1 : st.term;
      out = node.step(reply(type, v, node.id, term));
    }
  }
  return out;
}

/** Acknowledges every MsgApp in `msgs` on behalf of its follower, so the leader commits. */
export function ackAll(leader: TestNode, msgs: readonly Message[]): Message[] {
  const out: Message[] = [];
  for (const m of msgs) if (m.type === "MsgApp") out.push(...leader.step(acceptAndReply(m)));
  return out;
}

/** A bare message with only the fields a test names. */
export function reply(
  type: MessageType,
  from: number,
  to: number,
  term: number,
  rest: Partial<Message> = {},
): Message {
  return msg({ type, from: nodeId(from), to: nodeId(to), term, ...rest });
}
