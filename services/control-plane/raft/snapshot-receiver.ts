/**
 * The receiving side of RaftTransport.SendSnapshot: checks the header, buffers the data
 * (bounded by `snapshotBytesMax`, refused before any byte is buffered), checks that chunks
 * are contiguous, and hands the complete MsgSnap to Raft once the sender ends the stream.
 */
import { type ServerReadableStream, type sendUnaryData, status } from "@grpc/grpc-js";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import {
  CodecError,
  decodeMessage,
  decodeNodeId,
  decodeU64,
  type PbSnapshotAck,
  type PbSnapshotChunk,
  u64,
} from "./codec.js";
import type { PartitionTable } from "./partition.js";
import type { TransportLimits } from "./transport-types.js";

/** What the receiver needs from its transport. */
export interface SnapshotReceiverDeps {
  readonly self: NodeId;
  readonly clusterId: string;
  readonly limits: TransportLimits;
  readonly partition: PartitionTable;
  /** Hands the complete MsgSnap (with its data) to Raft. */
  readonly deliver: (m: Message) => void;
}

class RefusedError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** Serves one SendSnapshot call. */
export function receiveSnapshot(
  deps: SnapshotReceiverDeps,
  call: ServerReadableStream<PbSnapshotChunk, PbSnapshotAck>,
  callback: sendUnaryData<PbSnapshotAck>,
): void {
  let header: Message | undefined;
  let buffer: Uint8Array | undefined;
  let received = 0;
  let done = false;

  const fail = (code: status, details: string): void => {
    if (done) return;
    done = true;
    buffer = undefined;
    callback({ code, details });
  };

  const onChunk = (chunk: PbSnapshotChunk): void => {
    if (header === undefined) {
      header = checkHeader(deps, chunk);
      buffer = new Uint8Array(decodeU64(chunk.total_bytes, "total_bytes"));
    }
    const offset = decodeU64(chunk.offset, "offset");
    if (offset !== received)
      throw new RefusedError(status.INVALID_ARGUMENT, `chunk at ${offset}, expected ${received}`);
    const data = chunk.data ?? new Uint8Array(0);
    if (received + data.byteLength > buffer!.byteLength)
      throw new RefusedError(status.INVALID_ARGUMENT, "snapshot data exceeds total_bytes");
    buffer!.set(data, received);
    received += data.byteLength;
  };

  call.on("data", (chunk: PbSnapshotChunk) => {
    if (done) return;
    try {
      onChunk(chunk);
    } catch (e) {
      if (e instanceof RefusedError) fail(e.code, e.message);
      else if (e instanceof CodecError) fail(status.INVALID_ARGUMENT, e.message);
      else fail(status.INTERNAL, String(e));
    }
  });
  call.on("end", () => {
    if (done) return;
    if (header === undefined || buffer === undefined)
      return fail(status.INVALID_ARGUMENT, "no snapshot header");
    if (received !== buffer.byteLength)
      return fail(status.INVALID_ARGUMENT, `got ${received} of ${buffer.byteLength} snapshot bytes`);
    if (!deps.partition.canReceiveFrom(header.from)) return fail(status.UNAVAILABLE, "partitioned");
    const snap = header.snapshot!;
    done = true;
    deps.deliver({ ...header, snapshot: { metadata: snap.metadata, data: buffer } });
    callback(null, { received_bytes: u64(received) });
  });
  call.on("error", () => fail(status.CANCELLED, "sender went away"));
}

function checkHeader(deps: SnapshotReceiverDeps, chunk: PbSnapshotChunk): Message {
  if (chunk.cluster_id !== deps.clusterId)
    throw new RefusedError(status.FAILED_PRECONDITION, `cluster id ${chunk.cluster_id} is not ours`);
  const from = decodeNodeId(chunk.from, "from");
  if (!deps.partition.canReceiveFrom(from)) throw new RefusedError(status.UNAVAILABLE, "partitioned");
  if (chunk.message == null) throw new RefusedError(status.INVALID_ARGUMENT, "first chunk lacks the message");
  const m = decodeMessage(chunk.message);
  if (m.type !== "MsgSnap" || !m.snapshot || m.from !== from || m.to !== deps.self)
    throw new RefusedError(status.INVALID_ARGUMENT, "first chunk is not a MsgSnap from the sender to us");
  const total = decodeU64(chunk.total_bytes, "total_bytes");
  if (total > deps.limits.snapshotBytesMax)
    throw new RefusedError(
      status.RESOURCE_EXHAUSTED,
      `snapshot of ${total} bytes exceeds ${deps.limits.snapshotBytesMax}`,
    );
  return m;
}
