/**
 * MsgSnap over the TCP transport, on a connection of its own (a large snapshot must not hold
 * up heartbeats on the message link): HELLO (purpose snapshot), SNAP_HEADER (the message
 * without its data, and the data's length), SNAP_CHUNKs of `snapshotChunkBytes` honouring
 * the socket's backpressure, SNAP_END. The receiver refuses an oversized snapshot before
 * buffering any of it, checks that chunks are contiguous, hands the complete MsgSnap to Raft
 * and answers SNAP_ACK with the bytes received; any failure is REFUSED and a closed
 * connection. The sender resolves true only on a SNAP_ACK for every byte (same semantics
 * as snapshot-sender.ts / snapshot-receiver.ts over gRPC).
 */
import { connect, type Socket } from "node:net";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import { FrameReader } from "./frame-reader.js";
import type { PartitionTable } from "./partition.js";
import {
  encodeEmpty,
  encodeHello,
  encodeRefused,
  encodeSnapAck,
  encodeSnapChunkPrefix,
  encodeSnapHeader,
  FrameError,
  FrameKind,
  Purpose,
  RefusalCode,
} from "./peer-frames.js";
import { decodeRefused, decodeSnapAck, decodeSnapChunk, decodeSnapHeader } from "./peer-frames-decode.js";
import { splitAddress } from "./tcp-link.js";
import type { TransportLimits, TransportLogger } from "./transport-types.js";

/** What the sender needs from its transport. */
export interface TcpSnapshotSenderDeps {
  readonly self: NodeId;
  readonly clusterId: string;
  readonly address: string;
  readonly limits: TransportLimits;
  readonly logger: TransportLogger;
}

/** Streams `m` (a MsgSnap) to its peer on a new connection; never rejects. */
export function sendSnapshotTcp(deps: TcpSnapshotSenderDeps, m: Message): Promise<boolean> {
  const snap = m.snapshot;
  if (m.type !== "MsgSnap" || !snap) return Promise.resolve(false);
  const data = snap.data;
  const total = data.byteLength;
  const what = `snapshot ${snap.metadata.index} (${total} bytes) to ${m.to}`;

  return new Promise<boolean>((resolve) => {
    let settled = false;
    const { host, port } = splitAddress(deps.address);
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => finish(false, "timed out"), deps.limits.snapshotTimeoutMs);
    const finish = (ok: boolean, why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (ok) deps.logger.info(`raft transport: sent ${what}`);
      else deps.logger.warn(`raft transport: failed to send ${what}: ${why}`);
      resolve(ok);
    };
    const reader = new FrameReader(deps.limits.grpcMessageBytesMax, (kind, body) => {
      if (kind === FrameKind.snapAck) {
        const received = decodeSnapAck(body);
        finish(received === total, `peer acknowledged ${received} of ${total} bytes`);
      } else if (kind === FrameKind.refused) finish(false, decodeRefused(body).reason);
      else if (kind !== FrameKind.welcome) finish(false, `unexpected frame kind ${kind}`);
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        finish(false, String(e));
      }
    });
    socket.on("error", (err) => finish(false, err.message));
    socket.on("close", () => finish(false, "connection closed"));

    const writeAll = async (): Promise<void> => {
      socket.write(
        encodeHello({ purpose: Purpose.snapshot, from: deps.self, to: m.to, clusterId: deps.clusterId }),
      );
      socket.write(encodeSnapHeader(m, total));
      const chunkBytes = deps.limits.snapshotChunkBytes;
      for (let offset = 0; offset < total; offset += chunkBytes) {
        if (settled) return;
        const end = Math.min(total, offset + chunkBytes);
        socket.write(encodeSnapChunkPrefix(offset, end - offset));
        if (!socket.write(data.subarray(offset, end)))
          await new Promise<void>((r) => socket.once("drain", r));
      }
      if (!settled) socket.write(encodeEmpty(FrameKind.snapEnd));
    };
    writeAll().catch((e: unknown) => finish(false, String(e)));
  });
}

/** What the receiver needs from its transport. */
export interface TcpSnapshotReceiverDeps {
  readonly self: NodeId;
  readonly limits: TransportLimits;
  readonly partition: PartitionTable;
  /** Hands the complete MsgSnap (with its data) to Raft. */
  readonly deliver: (m: Message) => void;
}

class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serves the frames after the HELLO of one snapshot connection from `from`. Returns the
 * frame handler; a throw from it means the connection is refused (the caller answers).
 */
export function snapshotReceiver(
  deps: TcpSnapshotReceiverDeps,
  from: NodeId,
  socket: Socket,
): (kind: number, body: Buffer) => void {
  let header: Message | undefined;
  let buffer: Uint8Array | undefined;
  let received = 0;
  let done = false;

  const refuse = (code: RefusalCode, reason: string): void => {
    done = true;
    buffer = undefined;
    socket.end(encodeRefused(code, reason));
  };

  const onFrame = (kind: number, body: Buffer): void => {
    switch (kind) {
      case FrameKind.snapHeader: {
        if (header !== undefined) throw new Refused(RefusalCode.badFrame, "a second snapshot header");
        const h = decodeSnapHeader(body);
        const m = h.message;
        if (m.type !== "MsgSnap" || !m.snapshot || m.from !== from || m.to !== deps.self)
          throw new Refused(RefusalCode.badFrame, "the header is not a MsgSnap from the sender to us");
        if (!deps.partition.canReceiveFrom(from)) throw new Refused(RefusalCode.partitioned, "partitioned");
        if (h.totalBytes > deps.limits.snapshotBytesMax)
          throw new Refused(
            RefusalCode.tooLarge,
            `snapshot of ${h.totalBytes} bytes exceeds ${deps.limits.snapshotBytesMax}`,
          );
        header = m;
        buffer = new Uint8Array(h.totalBytes);
        return;
      }
      case FrameKind.snapChunk: {
        if (header === undefined || buffer === undefined)
          throw new Refused(RefusalCode.badFrame, "a chunk before the header");
        const { offset, data } = decodeSnapChunk(body);
        if (offset !== received)
          throw new Refused(RefusalCode.badFrame, `chunk at ${offset}, expected ${received}`);
        if (received + data.length > buffer.byteLength)
          throw new Refused(RefusalCode.badFrame, "snapshot data exceeds total_bytes");
        buffer.set(data, received);
        received += data.length;
        return;
      }
      case FrameKind.snapEnd: {
        if (header === undefined || buffer === undefined)
          throw new Refused(RefusalCode.badFrame, "no snapshot header");
        if (received !== buffer.byteLength)
          throw new Refused(RefusalCode.badFrame, `got ${received} of ${buffer.byteLength} snapshot bytes`);
        if (!deps.partition.canReceiveFrom(from)) throw new Refused(RefusalCode.partitioned, "partitioned");
        const snap = header.snapshot!;
        done = true;
        deps.deliver({ ...header, snapshot: { metadata: snap.metadata, data: buffer } });
        socket.end(encodeSnapAck(received));
        return;
      }
      default:
        throw new Refused(RefusalCode.badFrame, `unexpected frame kind ${kind} on a snapshot connection`);
    }
  };

  return (kind, body) => {
    if (done) return;
    try {
      onFrame(kind, body);
    } catch (e) {
      if (e instanceof Refused) refuse(e.code, e.message);
      else if (e instanceof FrameError) refuse(RefusalCode.badFrame, e.message);
      else refuse(RefusalCode.badFrame, String(e));
    }
  };
}
