import { bootstrap } from "../bootstrap.js";
import type { RaftConfig } from "../raft.js";
import { RawNode } from "../raw-node.js";
import { seededRng } from "../rng.js";
import { MemoryStorage } from "../storage.js";
import type { Entry, Message, NodeId } from "../types.js";
import { nodeId } from "../types.js";

/**
 * A tiny, perfectly reliable in-memory cluster for unit tests: every Ready is persisted to a
 * MemoryStorage, its messages are queued, and `stabilize()` delivers until nothing moves.
 * Tests drop or filter messages through `filter`.
 */
export class MemCluster {
  readonly nodes = new Map<NodeId, RawNode>();
  readonly storages = new Map<NodeId, MemoryStorage>();
  readonly applied = new Map<NodeId, Entry[]>();
  queue: Message[] = [];
  /** Return false to drop a message. */
  filter: (m: Message) => boolean = () => true;

  constructor(n: number, opts: Partial<RaftConfig> = {}, seed = 1) {
    const ids = Array.from({ length: n }, (_, i) => nodeId(i + 1));
    for (const id of ids) {
      const storage = new MemoryStorage();
      bootstrap(storage, ids);
      this.storages.set(id, storage);
      this.applied.set(id, []);
      this.nodes.set(id, new RawNode({ id, storage, rng: seededRng(seed * 100 + id), ...opts }));
    }
    this.processReadies();
  }

  node(id: number): RawNode {
    return this.nodes.get(nodeId(id))!;
  }

  /** Handles every pending Ready once: persist, queue messages, apply, advance. */
  processReadies(): boolean {
    let any = false;
    for (const [id, node] of this.nodes) {
      while (node.hasReady()) {
        any = true;
        const rd = node.ready();
        const st = this.storages.get(id)!;
        if (rd.snapshot) st.applySnapshot(rd.snapshot);
        st.append(rd.entries);
        if (rd.hardState) st.setHardState(rd.hardState);
        this.queue.push(...rd.messages);
        this.applied.get(id)!.push(...rd.committedEntries);
        node.advance(rd);
      }
    }
    return any;
  }

  deliverAll(): boolean {
    const q = this.queue;
    this.queue = [];
    for (const m of q) {
      if (!this.filter(m)) continue;
      this.nodes.get(m.to)?.step(m);
    }
    return q.length > 0;
  }

  stabilize(maxRounds = 1000): void {
    for (let i = 0; i < maxRounds; i++) {
      const a = this.processReadies();
      const b = this.deliverAll();
      if (!a && !b) return;
    }
    throw new Error("cluster did not stabilize");
  }

  /** Ticks every node n times, stabilizing after each round. */
  tickAll(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) node.tick();
      this.stabilize();
    }
  }

  leader(): NodeId | undefined {
    for (const [id, node] of this.nodes) if (node.status().role === "leader") return id;
    return undefined;
  }

  appliedData(id: number): string[] {
    return this.applied
      .get(nodeId(id))!
      .filter((e) => e.type === "normal" && e.data.byteLength > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }
}
