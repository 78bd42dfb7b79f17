import { afterEach, describe, expect, it } from "vitest";
import { type Message, msg, type NodeId, nodeId } from "../../../libs/raft/index.js";
import { freePort, waitFor } from "./test-support/harness.js";
import { GrpcTransport } from "./transport.js";
import type { PeerProtocol, TransportHandler, TransportLimits } from "./transport-types.js";

class Recorder implements TransportHandler {
  deliveries: Message[][] = [];
  unreachable: NodeId[] = [];
  snapshots: Array<[NodeId, boolean]> = [];
  deliver(messages: readonly Message[]): void {
    this.deliveries.push([...messages]);
  }
  reportUnreachable(peer: NodeId): void {
    this.unreachable.push(peer);
  }
  reportSnapshot(peer: NodeId, ok: boolean): void {
    this.snapshots.push([peer, ok]);
  }
  get messages(): Message[] {
    return this.deliveries.flat();
  }
}

const open: GrpcTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const hb = (from: number, to: number, commit: number): Message =>
  msg({ type: "MsgHeartbeat", from: nodeId(from), to: nodeId(to), term: 1, commit });

describe.each<PeerProtocol>(["tcp", "grpc"])("peer transport over %s", (protocol) => {
  const limits: Partial<TransportLimits> = {
    protocol,
    backoffMsMin: 10,
    backoffMsMax: 50,
    snapshotChunkBytes: 64 * 1024,
  };

  async function node(id: number, h: TransportHandler, clusterId = "1"): Promise<GrpcTransport> {
    const t = await GrpcTransport.listen({ id: nodeId(id), clusterId, listen: "127.0.0.1:0", limits }, h);
    expect(t.protocol).toBe(protocol);
    open.push(t);
    return t;
  }

  it("binds an ephemeral port and delivers one Ready's messages to a peer as one frame, in order", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const ta = await node(1, a);
    const tb = await node(2, b);
    expect(tb.port).toBeGreaterThan(0);
    ta.addPeer(nodeId(2), `127.0.0.1:${tb.port}`);
    ta.send([hb(1, 2, 1), hb(1, 2, 2), hb(1, 2, 3)]);
    await waitFor(() => b.messages.length === 3, "three messages");
    expect(b.deliveries).toHaveLength(1);
    expect(b.messages.map((m) => m.commit)).toEqual([1, 2, 3]);
  });

  it("sends a MsgSnap in chunks and reports the snapshot delivered", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const ta = await node(1, a);
    const tb = await node(2, b);
    ta.addPeer(nodeId(2), `127.0.0.1:${tb.port}`);
    const data = new Uint8Array(300_000).map((_, i) => i % 251);
    const snap = msg({
      type: "MsgSnap",
      from: nodeId(1),
      to: nodeId(2),
      term: 3,
      snapshot: {
        metadata: { index: 40, term: 2, confState: { voters: [nodeId(1), nodeId(2)], learners: [] } },
        data,
      },
    });
    ta.send([snap]);
    await waitFor(() => a.snapshots.length === 1, "the snapshot report");
    expect(a.snapshots).toEqual([[2, true]]);
    const got = b.messages[0]!;
    expect(got.snapshot?.metadata).toEqual(snap.snapshot?.metadata);
    expect(Buffer.from(got.snapshot!.data).equals(Buffer.from(data))).toBe(true);
    expect({ ...got, snapshot: undefined }).toEqual({ ...snap, snapshot: undefined });
  });

  it("reports an unreachable peer, and a snapshot to it as failed", async () => {
    const a = new Recorder();
    const ta = await node(1, a);
    ta.addPeer(nodeId(3), `127.0.0.1:${await freePort()}`);
    ta.send([hb(1, 3, 1)]);
    ta.send([
      msg({
        type: "MsgSnap",
        from: nodeId(1),
        to: nodeId(3),
        term: 1,
        snapshot: {
          metadata: { index: 1, term: 1, confState: { voters: [], learners: [] } },
          data: new Uint8Array(10),
        },
      }),
    ]);
    await waitFor(() => a.unreachable.includes(nodeId(3)) && a.snapshots.length === 1, "reports");
    expect(a.snapshots).toEqual([[3, false]]);
    ta.send([hb(1, 9, 1)]); // nobody knows member 9
    expect(a.unreachable).toContain(9);
  });

  it("refuses frames from another cluster", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const ta = await node(1, a, "1");
    const tb = await node(2, b, "2");
    ta.addPeer(nodeId(2), `127.0.0.1:${tb.port}`);
    ta.send([hb(1, 2, 1)]);
    await waitFor(() => a.unreachable.length > 0, "the sender to see the stream refused");
    expect(b.messages).toEqual([]);
  });

  it("drops what the partition table blocks, and delivers again after heal", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const ta = await node(1, a);
    const tb = await node(2, b);
    ta.addPeer(nodeId(2), `127.0.0.1:${tb.port}`);
    tb.partition.block(nodeId(1), "in");
    ta.send([hb(1, 2, 1)]);
    ta.partition.block(nodeId(2), "out");
    ta.send([hb(1, 2, 2)]);
    expect(a.unreachable).toContain(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.messages).toEqual([]);
    ta.partition.heal();
    tb.partition.heal();
    ta.send([hb(1, 2, 3)]);
    await waitFor(() => b.messages.length === 1, "delivery after heal");
    expect(b.messages[0]?.commit).toBe(3);
  });
});
