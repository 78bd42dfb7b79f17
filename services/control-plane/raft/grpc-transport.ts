/**
 * The peer transport over gRPC (RaftTransport), the alternative to the TCP transport
 * (tcp-transport.ts; transport.ts picks one): a server for what peers send us, and per
 * peer one PeerStream for our frames plus SendSnapshot calls for MsgSnap. Everything one
 * Ready sends to one peer goes in one frame (cut only above `frameBytesMax`). The partition
 * table is consulted on both sides, so an admin can cut links without root.
 */
import {
  Client,
  credentials,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerReadableStream,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import { type FlotillaProtos, loadProtos } from "../../../proto/load.js";
import { checkIncoming, messageBytes, type PbSnapshotAck, type PbSnapshotChunk } from "./codec.js";
import { PartitionTable } from "./partition.js";
import { PeerStream } from "./peer-stream.js";
import { receiveSnapshot } from "./snapshot-receiver.js";
import { sendSnapshot } from "./snapshot-sender.js";
import { decodeBatch, encodeAck } from "./stream-codec.js";
import {
  clientChannelOptions,
  DEFAULT_TRANSPORT_LIMITS,
  type RaftMethods,
  raftMethods,
  type TransportHandler,
  type TransportLimits,
  type TransportLogger,
} from "./transport-types.js";

/** Options of GrpcPeerTransport.listen. */
export interface GrpcTransportOptions {
  readonly id: NodeId;
  /** uint64 as a decimal string; frames from another cluster are refused. */
  readonly clusterId: string;
  /** Address to serve on, "host:port"; port 0 picks a free one (see `port`). */
  readonly listen: string;
  /** @default loadProtos() */
  readonly protos?: FlotillaProtos;
  /** @default a new, empty table */
  readonly partition?: PartitionTable;
  readonly limits?: Partial<TransportLimits>;
  /** @default silent */
  readonly logger?: TransportLogger;
}

interface Peer {
  readonly url: string;
  readonly client: Client;
  readonly stream: PeerStream;
  snapshotInFlight: boolean;
}

const SILENT: TransportLogger = { info() {}, warn() {} };

/** The gRPC peer transport of one member: serves RaftTransport and sends to every peer. */
export class GrpcPeerTransport {
  readonly partition: PartitionTable;
  private readonly peers = new Map<NodeId, Peer>();
  private readonly limits: TransportLimits;
  private readonly logger: TransportLogger;
  private readonly delayTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    private readonly options: GrpcTransportOptions,
    private readonly handler: TransportHandler,
    private readonly methods: RaftMethods,
    private readonly server: Server,
    /** The port the server is bound to. */
    readonly port: number,
    limits: TransportLimits,
    partition: PartitionTable,
  ) {
    this.limits = limits;
    this.partition = partition;
    this.logger = options.logger ?? SILENT;
  }

  /** Binds the server and returns a transport that sends nothing until peers are added. */
  static async listen(options: GrpcTransportOptions, handler: TransportHandler): Promise<GrpcPeerTransport> {
    const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
    const methods = raftMethods(options.protos ?? loadProtos());
    const server = new Server({
      "grpc.max_receive_message_length": limits.grpcMessageBytesMax,
      "grpc.max_send_message_length": limits.grpcMessageBytesMax,
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(options.listen, ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const t = new GrpcPeerTransport(
      options,
      handler,
      methods,
      server,
      port,
      limits,
      options.partition ?? new PartitionTable(),
    );
    server.addService(
      { Stream: methods.stream, SendSnapshot: methods.sendSnapshot },
      {
        Stream: (call: ServerDuplexStream<Buffer, Buffer>) => t.serveStream(call),
        SendSnapshot: (
          call: ServerReadableStream<PbSnapshotChunk, PbSnapshotAck>,
          cb: sendUnaryData<PbSnapshotAck>,
        ) => t.serveSnapshot(call, cb),
      },
    );
    return t;
  }

  /** Starts (or re-points) the connection to a peer; our own id is ignored. */
  addPeer(id: NodeId, url: string): void {
    if (this.closed || id === this.options.id) return;
    const existing = this.peers.get(id);
    if (existing?.url === url) return;
    if (existing) this.removePeer(id);
    const client = new Client(url, credentials.createInsecure(), clientChannelOptions(this.limits));
    const stream = new PeerStream({
      self: this.options.id,
      peer: id,
      clusterId: this.options.clusterId,
      client,
      methods: this.methods,
      limits: this.limits,
      logger: this.logger,
      onUnreachable: (p) => this.handler.reportUnreachable(p),
    });
    this.peers.set(id, { url, client, stream, snapshotInFlight: false });
  }

  removePeer(id: NodeId): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    peer.stream.close();
    peer.client.close();
  }

  /** The peers we send to, with their URLs. */
  peerUrls(): Map<NodeId, string> {
    return new Map([...this.peers].map(([id, p]) => [id, p.url]));
  }

  /** Sends the messages of one Ready: one frame per peer (MsgSnap separately, as a snapshot stream). */
  send(messages: readonly Message[]): void {
    if (this.closed) return;
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      const list = byPeer.get(m.to);
      if (list) list.push(m);
      else byPeer.set(m.to, [m]);
    }
    for (const [to, list] of byPeer) this.sendTo(to, list);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.delayTimers) clearTimeout(t);
    this.delayTimers.clear();
    for (const id of [...this.peers.keys()]) this.removePeer(id);
    // Peer streams never end on their own: waiting for them (tryShutdown) would hang.
    this.server.forceShutdown();
  }

  private sendTo(to: NodeId, list: Message[]): void {
    const peer = this.peers.get(to);
    const snaps = list.filter((m) => m.type === "MsgSnap");
    if (!peer || !this.partition.canSendTo(to)) {
      // Unknown peer: a real loss. Blocked: a simulated one, reported like a real one.
      this.handler.reportUnreachable(to);
      for (const _ of snaps) this.handler.reportSnapshot(to, false);
      return;
    }
    const delay = this.partition.delayMs(to);
    for (const frame of this.cutFrames(list.filter((m) => m.type !== "MsgSnap"))) {
      if (delay > 0) this.later(delay, to, () => peer.stream.enqueue(frame));
      else peer.stream.enqueue(frame);
    }
    for (const snap of snaps) this.startSnapshot(to, peer, snap);
  }

  /** Groups messages into frames of at most frameBytesMax (a single larger message gets its own). */
  private cutFrames(list: readonly Message[]): Message[][] {
    const frames: Message[][] = [];
    let frame: Message[] = [];
    let bytes = 0;
    for (const m of list) {
      const size = messageBytes(m);
      if (frame.length > 0 && bytes + size > this.limits.frameBytesMax) {
        frames.push(frame);
        frame = [];
        bytes = 0;
      }
      frame.push(m);
      bytes += size;
    }
    if (frame.length > 0) frames.push(frame);
    return frames;
  }

  private startSnapshot(to: NodeId, peer: Peer, m: Message): void {
    if (peer.snapshotInFlight) {
      // One transfer per peer: a second one would double the memory for the same outcome.
      this.handler.reportSnapshot(to, false);
      return;
    }
    peer.snapshotInFlight = true;
    const deps = { ...this.options, self: this.options.id, client: peer.client, methods: this.methods };
    void sendSnapshot({ ...deps, limits: this.limits, logger: this.logger }, m).then((ok) => {
      peer.snapshotInFlight = false;
      if (!this.closed) this.handler.reportSnapshot(to, ok);
    });
  }

  /** Runs `fn` after `ms`, within the bound on delayed frames (over it: dropped). */
  private later(ms: number, peer: NodeId, fn: () => void): void {
    if (this.delayTimers.size >= this.limits.delayedFramesMax) {
      this.handler.reportUnreachable(peer);
      return;
    }
    const t = setTimeout(() => {
      this.delayTimers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.delayTimers.add(t);
  }

  private serveStream(call: ServerDuplexStream<Buffer, Buffer>): void {
    let ackSeq = 0;
    let ackScheduled = false;
    const ack = (): void => {
      ackScheduled = false;
      if (!call.writable) return;
      call.write(encodeAck(ackSeq));
    };
    call.on("data", (batch: Buffer) => {
      if (this.closed) return;
      let decoded: { from: NodeId; seq: number; messages: Message[] };
      try {
        decoded = this.decodeBatch(batch);
      } catch (e) {
        const code = e instanceof StreamRefused ? e.code : status.INVALID_ARGUMENT;
        call.emit("error", { code, details: e instanceof Error ? e.message : String(e) });
        return;
      }
      const { from, seq, messages } = decoded;
      if (this.partition.canReceiveFrom(from)) {
        const delay = this.partition.delayMs(from);
        if (delay > 0) this.later(delay, from, () => this.handler.deliver(messages));
        else this.handler.deliver(messages);
      }
      // Acks coalesce: one per event-loop turn acknowledges every batch read in it.
      ackSeq = seq;
      if (!ackScheduled) {
        ackScheduled = true;
        setImmediate(ack);
      }
    });
    call.on("end", () => call.end());
    call.on("error", () => {});
  }

  private serveSnapshot(
    call: ServerReadableStream<PbSnapshotChunk, PbSnapshotAck>,
    cb: sendUnaryData<PbSnapshotAck>,
  ): void {
    receiveSnapshot(
      {
        self: this.options.id,
        clusterId: this.options.clusterId,
        limits: this.limits,
        partition: this.partition,
        deliver: (m) => {
          if (!this.closed) this.handler.deliver([m]);
        },
      },
      call,
      cb,
    );
  }

  private decodeBatch(bytes: Buffer): { from: NodeId; seq: number; messages: Message[] } {
    const batch = decodeBatch(bytes);
    if (batch.clusterId !== this.options.clusterId)
      throw new StreamRefused(status.FAILED_PRECONDITION, `cluster id ${batch.clusterId} is not ours`);
    checkIncoming(batch.messages, batch.from, this.options.id);
    return batch;
  }
}

class StreamRefused extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}
