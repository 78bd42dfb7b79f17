import { describe, expect, it } from "vitest";
import {
  bootstrap,
  MemoryStorage,
  type Message,
  type NodeId,
  nodeId,
  RawNode,
  seededRng,
} from "../../libs/raft/index.js";

/**
 * Minimal reproductions, outside the simulator, of core problems the simulator found (and
 * the core has since fixed): regression tests that need no seed to read.
 */

interface Member {
  readonly raw: RawNode;
  readonly storage: MemoryStorage;
}

function cluster(size: number, maxInflightMsgs: number): Map<NodeId, Member> {
  const ids = Array.from({ length: size }, (_, i) => nodeId(i + 1));
  const out = new Map<NodeId, Member>();
  for (const id of ids) {
    const storage = new MemoryStorage();
    bootstrap(storage, ids);
    const raw = new RawNode({ id, storage, rng: seededRng(id), maxInflightMsgs, electionTicks: 10 });
    out.set(id, { raw, storage });
  }
  return out;
}

/** Runs Ready loops and delivers messages until quiet (bounded), dropping what `drop` says. */
function pump(
  nodes: Map<NodeId, Member>,
  drop: (m: Message) => boolean = () => false,
  reads: Array<{ at: NodeId; context: string }> = [],
): void {
  for (let round = 0; round < 100; round++) {
    const inbox: Message[] = [];
    for (const { raw, storage } of nodes.values()) {
      if (!raw.hasReady()) continue;
      const rd = raw.ready();
      if (rd.snapshot) storage.applySnapshot(rd.snapshot);
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      inbox.push(...rd.messages);
      for (const rs of rd.readStates)
        reads.push({ at: raw.status().id, context: new TextDecoder().decode(rs.context) });
      raw.advance(rd);
    }
    if (inbox.length === 0) return;
    for (const m of inbox) if (!drop(m)) nodes.get(m.to)?.raw.step(m);
  }
}

describe("core regressions found by the simulator", () => {
  it("with maxInflightMsgs=1, a follower that lost one MsgApp catches up (was: stalled forever; sim seed 14)", () => {
    const nodes = cluster(3, 1);
    const n1 = nodes.get(nodeId(1))!.raw;
    pump(nodes); // apply the bootstrap conf changes: a node with unapplied ones does not campaign
    n1.campaign();
    pump(nodes);
    expect(n1.status().role).toBe("leader");
    // Let every follower reach the replicate state, then lose exactly one MsgApp to n2.
    n1.propose(new TextEncoder().encode("warm-up"));
    pump(nodes);
    n1.propose(new TextEncoder().encode("lost"));
    let dropped = false;
    pump(nodes, (m) => {
      if (dropped || m.type !== "MsgApp" || m.to !== nodeId(2) || m.entries.length === 0) return false;
      dropped = true;
      return true;
    });
    expect(dropped).toBe(true);
    // A healthy network from here on: heartbeats flow for 20 election timeouts.
    for (let t = 0; t < 200; t++) {
      for (const { raw } of nodes.values()) raw.tick();
      pump(nodes);
    }
    const last = n1.status().lastIndex;
    // n2 should have caught up long ago (etcd frees an inflight slot on MsgHeartbeatResp).
    expect(nodes.get(nodeId(2))!.raw.status().commit).toBe(last);
  });

  it("a MsgReadIndex re-forwarded by a deposed leader is answered at the node that asked (was: at the deposed leader; sim seed 291)", () => {
    const nodes = cluster(3, 256);
    const [n1, n2, n3] = [1, 2, 3].map((i) => nodes.get(nodeId(i))!.raw) as [RawNode, RawNode, RawNode];
    pump(nodes);
    n1.campaign();
    pump(nodes);
    n1.propose(new TextEncoder().encode("x"));
    pump(nodes);
    expect(n1.status().role).toBe("leader");
    // Hand leadership to n2 while n3 hears nothing: n3 still believes n1 leads.
    const toN3 = (m: Message): boolean => m.to === nodeId(3);
    n1.transferLeader(nodeId(2));
    pump(nodes, toN3);
    expect(n2.status().role).toBe("leader");
    expect(n3.status().lead).toBe(nodeId(1));
    // n3 asks for a read: n3 → n1 (now a follower) → n2 (leader), whose answer should reach n3.
    const reads: Array<{ at: NodeId; context: string }> = [];
    n3.readIndex(new TextEncoder().encode("read-1"));
    pump(nodes, (m) => m.to === nodeId(3) && m.type !== "MsgReadIndexResp", reads);
    expect(reads).toEqual([{ at: nodeId(3), context: "read-1" }]);
  });
});
