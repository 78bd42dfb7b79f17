/**
 * Sends one MsgSnap over RaftTransport.SendSnapshot: a header chunk (the message with the
 * snapshot's metadata but no data, and the total size), then the data in chunks of
 * `snapshotChunkBytes`, honouring the stream's backpressure. Resolves true only when the
 * receiver acknowledged every byte; the caller then reports the outcome to Raft.
 */
import { type Client, Metadata } from "@grpc/grpc-js";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import { decodeU64, encodeMessage, type PbSnapshotAck, type PbSnapshotChunk, u64 } from "./codec.js";
import type { RaftMethods, TransportLimits, TransportLogger } from "./transport-types.js";

/** What the sender needs from its transport. */
export interface SnapshotSenderDeps {
  readonly self: NodeId;
  readonly clusterId: string;
  readonly client: Client;
  readonly methods: RaftMethods;
  readonly limits: TransportLimits;
  readonly logger: TransportLogger;
}

/** Streams `m` (a MsgSnap) to its peer; never rejects. */
export function sendSnapshot(deps: SnapshotSenderDeps, m: Message): Promise<boolean> {
  const snap = m.snapshot;
  if (m.type !== "MsgSnap" || !snap) return Promise.resolve(false);
  const data = snap.data;
  const total = data.byteLength;
  const header = encodeMessage({ ...m, snapshot: { metadata: snap.metadata, data: new Uint8Array(0) } });
  const method = deps.methods.sendSnapshot;
  const deadline = new Date(Date.now() + deps.limits.snapshotTimeoutMs);

  return new Promise<boolean>((resolve) => {
    let settled = false;
    const finish = (ok: boolean, why: string): void => {
      if (settled) return;
      settled = true;
      const what = `snapshot ${snap.metadata.index} (${total} bytes) to ${m.to}`;
      if (ok) deps.logger.info(`raft transport: sent ${what}`);
      else deps.logger.warn(`raft transport: failed to send ${what}: ${why}`);
      resolve(ok);
    };
    const call = deps.client.makeClientStreamRequest<PbSnapshotChunk, PbSnapshotAck>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      new Metadata(),
      { deadline },
      (err, ack) => {
        if (err) return finish(false, err.message);
        let received = -1;
        try {
          received = decodeU64(ack?.received_bytes, "received_bytes");
        } catch {}
        finish(received === total, `peer acknowledged ${received} of ${total} bytes`);
      },
    );
    call.on("error", () => {}); // the callback above carries the status

    const chunkBytes = deps.limits.snapshotChunkBytes;
    const writeAll = async (): Promise<void> => {
      let offset = 0;
      let first = true;
      do {
        if (settled) return;
        const end = Math.min(total, offset + chunkBytes);
        const chunk: PbSnapshotChunk = {
          cluster_id: deps.clusterId,
          from: u64(deps.self),
          message: first ? header : null,
          total_bytes: u64(first ? total : 0),
          offset: u64(offset),
          data: data.subarray(offset, end),
          last: end === total,
        };
        first = false;
        offset = end;
        if (!call.write(chunk)) await new Promise<void>((r) => call.once("drain", r));
      } while (offset < total);
      call.end();
    };
    writeAll().catch((e: unknown) => {
      call.cancel();
      finish(false, String(e));
    });
  });
}
