/**
 * What the peer transport's parts share: the handler the runtime gives it, its limits, the
 * typed gRPC method definitions and the channel options.
 */
import type { ChannelOptions, MethodDefinition } from "@grpc/grpc-js";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import type { FlotillaProtos } from "../../../proto/load.js";
import type { PbSnapshotAck, PbSnapshotChunk } from "./codec.js";

/** What the transport calls back into; every call is synchronous, on the event loop. */
export interface TransportHandler {
  /** Messages from one peer, in the order it sent them (MsgSnap arrives with its data). */
  deliver(messages: readonly Message[]): void;
  /** A message to `peer` was lost (queue full, stream broken, peer unknown): etcd's ReportUnreachable. */
  reportUnreachable(peer: NodeId): void;
  /** A MsgSnap to `peer` finished: `ok` when the peer acknowledged all of it. */
  reportSnapshot(peer: NodeId, ok: boolean): void;
}

/** Connection-level events: streams up and down, snapshots sent. */
export interface TransportLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The wire between masters: see transport.ts. */
export type PeerProtocol = "tcp" | "grpc";

/** Bounds of the transport; every queue and buffer has one. Also its protocol. */
export interface TransportLimits {
  /**
   * The peer protocol; every member of a cluster must use the same one. Here rather than in
   * an option of its own because the runtime hands the transport only these limits. gRPC is
   * the default (one long-lived stream per peer pair, as the masters' other traffic); "tcp"
   * is the leaner framing measured in bench:kv (`flotilla master --peer-protocol tcp`).
   * @default "grpc"
   */
  readonly protocol: PeerProtocol;
  /** Frames waiting to be written to one peer; beyond it frames are dropped. @default 1024 */
  readonly queuedFramesMax: number;
  /** Frames written but not yet acknowledged on one gRPC stream (TCP: flow control bounds them). @default 64 */
  readonly framesInFlightMax: number;
  /** A frame is cut when its messages exceed this many bytes. @default 8 MiB */
  readonly frameBytesMax: number;
  /** The largest gRPC message (TCP: frame) either side accepts. @default 64 MiB */
  readonly grpcMessageBytesMax: number;
  /** First reconnect delay after a stream breaks. @default 50 */
  readonly backoffMsMin: number;
  /** Reconnect delays double up to this. @default 2000 */
  readonly backoffMsMax: number;
  /** Snapshot data per SendSnapshot chunk. @default 1 MiB */
  readonly snapshotChunkBytes: number;
  /** The largest snapshot a receiver buffers. @default 1 GiB */
  readonly snapshotBytesMax: number;
  /** A snapshot transfer taking longer fails (and is reported failed). @default 120000 */
  readonly snapshotTimeoutMs: number;
  /** Frames (in and out) held back by partition delays, over all peers. @default 4096 */
  readonly delayedFramesMax: number;
}

const MiB = 1024 * 1024;

/** The production limits. */
export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  protocol: "grpc",
  queuedFramesMax: 1024,
  framesInFlightMax: 64,
  frameBytesMax: 8 * MiB,
  grpcMessageBytesMax: 64 * MiB,
  backoffMsMin: 50,
  backoffMsMax: 2000,
  snapshotChunkBytes: MiB,
  snapshotBytesMax: 1024 * MiB,
  snapshotTimeoutMs: 120_000,
  delayedFramesMax: 4096,
};

/**
 * The two RaftTransport methods with their message types. Stream carries raw bytes both
 * ways: its MessageBatch and StreamAck are encoded by hand (stream-codec.ts), so a frame that
 * does not decode is answered with a status by the transport rather than failed inside grpc-js.
 */
export interface RaftMethods {
  readonly stream: MethodDefinition<Buffer, Buffer>;
  readonly sendSnapshot: MethodDefinition<PbSnapshotChunk, PbSnapshotAck>;
}

/** The typed RaftTransport method definitions from the loaded protos. */
export function raftMethods(protos: FlotillaProtos): RaftMethods {
  const svc = protos.raftpb.RaftTransport.service;
  const stream = svc["Stream"];
  const sendSnapshot = svc["SendSnapshot"];
  if (!stream || !sendSnapshot) throw new Error("RaftTransport service lacks Stream or SendSnapshot");
  const raw = (b: Buffer): Buffer => b;
  return {
    stream: {
      ...stream,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    },
    sendSnapshot,
  };
}

/** Channel options for a peer client: our own backoff bounds instead of gRPC's 1 s .. 120 s. */
export function clientChannelOptions(limits: TransportLimits): ChannelOptions {
  return {
    "grpc.max_send_message_length": limits.grpcMessageBytesMax,
    "grpc.max_receive_message_length": limits.grpcMessageBytesMax,
    "grpc.initial_reconnect_backoff_ms": limits.backoffMsMin,
    "grpc.min_reconnect_backoff_ms": limits.backoffMsMin,
    "grpc.max_reconnect_backoff_ms": limits.backoffMsMax,
    "grpc.keepalive_time_ms": 10_000,
    "grpc.keepalive_timeout_ms": 5_000,
    "grpc.keepalive_permit_without_calls": 1,
    // Each peer gets its own connection: a restarted peer's backoff must not leak into others.
    "grpc.use_local_subchannel_pool": 1,
  };
}
