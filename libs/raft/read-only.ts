import type { Index, Message, NodeId } from "./types.js";

/**
 * ReadIndex requests waiting for a quorum of heartbeat acknowledgements (thesis §6.4;
 * etcd raft read_only.go, safe mode only). A request's index is the leader's commit index when
 * it arrived; once a majority confirms the leader is still leader, any read served at an
 * applied index >= that index is linearizable.
 */
interface PendingRead {
  readonly index: Index;
  readonly req: Message;
  readonly acks: Set<NodeId>;
}

export class ReadOnly {
  private readonly pending = new Map<string, PendingRead>();
  /** Request contexts in arrival order: an ack for one confirms every earlier one too. */
  private queue: string[] = [];

  addRequest(index: Index, req: Message): void {
    const key = contextKey(req.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, req, acks: new Set() });
    this.queue.push(key);
  }

  /** Records an ack and returns who has acked this request so far (undefined if unknown). */
  recvAck(from: NodeId, context: Uint8Array | undefined): ReadonlySet<NodeId> | undefined {
    const p = this.pending.get(contextKey(context));
    if (!p) return undefined;
    p.acks.add(from);
    return p.acks;
  }

  /** Pops the request with this context and every one queued before it. */
  advance(context: Uint8Array | undefined): PendingRead[] {
    const key = contextKey(context);
    const i = this.queue.indexOf(key);
    if (i < 0) return [];
    const done = this.queue.slice(0, i + 1);
    this.queue = this.queue.slice(i + 1);
    const out: PendingRead[] = [];
    for (const k of done) {
      const p = this.pending.get(k);
      if (p) out.push(p);
      this.pending.delete(k);
    }
    return out;
  }

  lastPendingContext(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)?.req.context;
  }

  get size(): number {
    return this.queue.length;
  }

  /** Pending reads die with leadership: the client retries against the new leader. */
  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function contextKey(ctx: Uint8Array | undefined): string {
  if (!ctx) return "";
  let s = "";
  for (const b of ctx) s += HEX[b];
  return s;
}
