import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Message, msg, type NodeId, nodeId } from "../../../libs/raft/index.js";
import { FrameReader } from "./frame-reader.js";
import { encodeBatch, encodeHello, FrameKind, Purpose } from "./peer-frames.js";
import { decodeRefused } from "./peer-frames-decode.js";
import { TcpTransport } from "./tcp-transport.js";
import { freePort, waitFor } from "./test-support/harness.js";
import type { TransportHandler, TransportLimits } from "./transport-types.js";

class Recorder implements TransportHandler {
  messages: Message[] = [];
  unreachable: NodeId[] = [];
  snapshots: Array<[NodeId, boolean]> = [];
  deliver(messages: readonly Message[]): void {
    this.messages.push(...messages);
  }
  reportUnreachable(peer: NodeId): void {
    this.unreachable.push(peer);
  }
  reportSnapshot(peer: NodeId, ok: boolean): void {
    this.snapshots.push([peer, ok]);
  }
}

const open: TcpTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const limits: Partial<TransportLimits> = { backoffMsMin: 10, backoffMsMax: 50, snapshotChunkBytes: 1024 };

async function node(
  id: number,
  h: TransportHandler,
  listen = "127.0.0.1:0",
  more = {},
): Promise<TcpTransport> {
  const t = await TcpTransport.listen(
    { id: nodeId(id), clusterId: "1", listen, limits: { ...limits, ...more } },
    h,
  );
  open.push(t);
  return t;
}

const hb = (from: number, to: number, commit: number): Message =>
  msg({ type: "MsgHeartbeat", from: nodeId(from), to: nodeId(to), term: 1, commit });

/** Connects raw, writes `bytes`, and resolves with the REFUSED reason the transport answers. */
function refusalOf(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => reject(new Error("no answer")), 5000);
    const reader = new FrameReader(1 << 20, (kind, body) => {
      if (kind !== FrameKind.refused) return;
      clearTimeout(timer);
      resolve(decodeRefused(body).reason);
      socket.destroy();
    });
    socket.on("data", (c: Buffer) => reader.push(c));
    socket.on("error", reject);
    socket.write(bytes);
  });
}

describe("TCP peer transport", () => {
  it("refuses a connection for another member or with a malformed frame, and keeps serving", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const tb = await node(2, b);
    const hello = (to: number): Buffer =>
      encodeHello({ purpose: Purpose.messages, from: nodeId(1), to: nodeId(to), clusterId: "1" });
    expect(await refusalOf(tb.port, hello(5))).toMatch(/not 5/);
    expect(await refusalOf(tb.port, Buffer.from([0, 0, 0, 1, FrameKind.batch]))).toMatch(/not HELLO/);
    const badBatch = encodeBatch([hb(1, 2, 1)]);
    badBatch[9] = 99; // the message type
    expect(await refusalOf(tb.port, Buffer.concat([hello(2), badBatch]))).toMatch(/unknown type 99/);
    const spoofed = encodeBatch([hb(3, 2, 1)]);
    expect(await refusalOf(tb.port, Buffer.concat([hello(2), spoofed]))).toMatch(/from 3 in a batch from 1/);
    expect(b.messages).toEqual([]);

    const ta = await node(1, a);
    ta.addPeer(nodeId(2), `127.0.0.1:${tb.port}`);
    ta.send([hb(1, 2, 7)]);
    await waitFor(() => b.messages.length === 1, "delivery from a good peer");
    expect(b.messages[0]?.commit).toBe(7);
  });

  it("reports a peer that went away and delivers again once it is back on the same port", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const ta = await node(1, a);
    const port = await freePort();
    let tb = await node(2, b, `127.0.0.1:${port}`);
    ta.addPeer(nodeId(2), `127.0.0.1:${port}`);
    ta.send([hb(1, 2, 1)]);
    await waitFor(() => b.messages.length === 1, "first delivery");
    await tb.close();
    await waitFor(() => a.unreachable.includes(nodeId(2)), "the break reported");
    tb = await node(2, b, `127.0.0.1:${port}`);
    await waitFor(() => {
      ta.send([hb(1, 2, 2)]);
      return b.messages.some((m) => m.commit === 2);
    }, "delivery after the peer restarted");
  });

  it("refuses a snapshot larger than the receiver accepts, and reports it failed", async () => {
    const a = new Recorder();
    const b = new Recorder();
    const ta = await node(1, a);
    const tb = await node(2, b, "127.0.0.1:0", { snapshotBytesMax: 1000 });
    ta.addPeer(nodeId(2), `127.0.0.1:${tb.port}`);
    ta.send([
      msg({
        type: "MsgSnap",
        from: nodeId(1),
        to: nodeId(2),
        term: 2,
        snapshot: {
          metadata: { index: 9, term: 2, confState: { voters: [nodeId(1), nodeId(2)], learners: [] } },
          data: new Uint8Array(5000),
        },
      }),
    ]);
    await waitFor(() => a.snapshots.length === 1, "the snapshot report");
    expect(a.snapshots).toEqual([[2, false]]);
    expect(b.messages).toEqual([]);
  });
});
