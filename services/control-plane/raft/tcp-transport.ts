/**
 * The peer transport over plain TCP: one long-lived connection per (sender, receiver) pair
 * carrying length-prefixed binary frames (peer-frames.ts), every message of one Ready for a
 * peer in one frame; snapshots on a connection of their own (tcp-snapshot.ts).
 *
 * Why not gRPC here: between masters we control both ends, and a gRPC stream message costs
 * an HTTP/2 DATA frame, grpc-js's stream machinery and a protobuf object per field on each
 * side; measured in the KV benchmark, that was a large share of a put's CPU. The gRPC
 * transport (grpc-transport.ts) stays available for comparison.
 *
 * Same contract as the gRPC transport: the partition table is consulted on both sides;
 * losses are reported (reportUnreachable); a connection from another cluster, for another
 * member, or speaking another protocol version is refused with a reason the sender logs.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import { checkIncoming } from "./codec.js";
import { FrameReader } from "./frame-reader.js";
import { PartitionTable } from "./partition.js";
import {
  encodeBatch,
  encodedMessageBytes,
  encodeEmpty,
  encodeRefused,
  FrameError,
  FrameKind,
  type Hello,
  Purpose,
  RefusalCode,
} from "./peer-frames.js";
import { decodeBatch, decodeHello } from "./peer-frames-decode.js";
import { PeerLink, splitAddress } from "./tcp-link.js";
import { sendSnapshotTcp, snapshotReceiver } from "./tcp-snapshot.js";
import {
  DEFAULT_TRANSPORT_LIMITS,
  type TransportHandler,
  type TransportLimits,
  type TransportLogger,
} from "./transport-types.js";

/** Options of TcpTransport.listen. */
export interface TcpTransportOptions {
  readonly id: NodeId;
  /** uint64 as a decimal string; connections from another cluster are refused. */
  readonly clusterId: string;
  /** Address to serve on, "host:port"; port 0 picks a free one (see `port`). */
  readonly listen: string;
  /** @default a new, empty table */
  readonly partition?: PartitionTable;
  readonly limits?: Partial<TransportLimits>;
  /** @default silent */
  readonly logger?: TransportLogger;
}

interface Peer {
  readonly url: string;
  readonly link: PeerLink;
  snapshotInFlight: boolean;
}

/** A connection that sent no valid HELLO within this long is closed. */
const HELLO_TIMEOUT_MS = 10_000;
/** A refused connection is closed after this long even if the sender keeps it open. */
const REFUSED_LINGER_MS = 1000;
const SILENT: TransportLogger = { info() {}, warn() {} };

/** The TCP peer transport of one member: serves what peers send and sends to every peer. */
export class TcpTransport {
  readonly partition: PartitionTable;
  private readonly peers = new Map<NodeId, Peer>();
  private readonly logger: TransportLogger;
  private readonly delayTimers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly options: TcpTransportOptions,
    private readonly handler: TransportHandler,
    private readonly server: Server,
    /** The port the server is bound to. */
    readonly port: number,
    private readonly limits: TransportLimits,
  ) {
    this.partition = options.partition ?? new PartitionTable();
    this.logger = options.logger ?? SILENT;
  }

  /** Binds the server and returns a transport that sends nothing until peers are added. */
  static async listen(options: TcpTransportOptions, handler: TransportHandler): Promise<TcpTransport> {
    const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
    const { host, port: wanted } = splitAddress(options.listen, true);
    const server = createServer({ noDelay: true });
    const bound = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(wanted, host, () => {
        server.off("error", reject);
        const a = server.address();
        resolve(typeof a === "object" && a !== null ? a.port : wanted);
      });
    });
    const t = new TcpTransport(options, handler, server, bound, limits);
    server.on("connection", (socket) => t.serve(socket));
    return t;
  }

  /** Starts (or re-points) the link to a peer; our own id is ignored. */
  addPeer(id: NodeId, url: string): void {
    if (this.closed || id === this.options.id) return;
    const existing = this.peers.get(id);
    if (existing?.url === url) return;
    if (existing) this.removePeer(id);
    const link = new PeerLink({
      self: this.options.id,
      peer: id,
      clusterId: this.options.clusterId,
      address: url,
      limits: this.limits,
      logger: this.logger,
      onUnreachable: (p) => this.handler.reportUnreachable(p),
    });
    this.peers.set(id, { url, link, snapshotInFlight: false });
  }

  removePeer(id: NodeId): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    peer.link.close();
  }

  /** The peers we send to, with their URLs. */
  peerUrls(): Map<NodeId, string> {
    return new Map([...this.peers].map(([id, p]) => [id, p.url]));
  }

  /** Sends the messages of one Ready: one frame per peer (MsgSnap separately, on its own connection). */
  send(messages: readonly Message[]): void {
    if (this.closed || messages.length === 0) return;
    if (messages.length === 1) {
      this.sendTo(messages[0]!.to, messages as Message[]);
      return;
    }
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
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sendTo(to: NodeId, list: Message[]): void {
    const peer = this.peers.get(to);
    if (!peer || !this.partition.canSendTo(to)) {
      // Unknown peer: a real loss. Blocked: a simulated one, reported like a real one.
      this.handler.reportUnreachable(to);
      for (const m of list) if (m.type === "MsgSnap") this.handler.reportSnapshot(to, false);
      return;
    }
    const delay = this.partition.delayMs(to);
    let frame: Message[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (frame.length === 0) return;
      const encoded = encodeBatch(frame);
      if (delay > 0) this.later(delay, to, () => peer.link.enqueue(encoded));
      else peer.link.enqueue(encoded);
      frame = [];
      bytes = 0;
    };
    for (const m of list) {
      if (m.type === "MsgSnap") {
        this.startSnapshot(to, peer, m);
        continue;
      }
      const size = encodedMessageBytes(m);
      if (frame.length > 0 && bytes + size > this.limits.frameBytesMax) flush();
      frame.push(m);
      bytes += size;
    }
    flush();
  }

  private startSnapshot(to: NodeId, peer: Peer, m: Message): void {
    if (peer.snapshotInFlight) {
      // One transfer per peer: a second one would double the memory for the same outcome.
      this.handler.reportSnapshot(to, false);
      return;
    }
    peer.snapshotInFlight = true;
    const deps = { ...this.options, self: this.options.id, address: peer.url, limits: this.limits };
    void sendSnapshotTcp({ ...deps, logger: this.logger }, m).then((ok) => {
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

  /** One incoming connection: a HELLO, then message batches or one snapshot. */
  private serve(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
    const helloTimer = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
    helloTimer.unref();
    // Says why, reads nothing more, and closes (at once if the sender does not).
    const refuse = (code: RefusalCode, reason: string): void => {
      onFrame = () => {};
      socket.pause();
      socket.end(encodeRefused(code, reason));
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
    };
    let onFrame: (kind: number, body: Buffer) => void = (kind, body) => {
      clearTimeout(helloTimer);
      if (kind !== FrameKind.hello) throw new FrameError(`the first frame is kind ${kind}, not HELLO`);
      const hello = decodeHello(body);
      const refusal = this.checkHello(hello);
      if (refusal) {
        refuse(refusal.code, refusal.reason);
        return;
      }
      socket.write(encodeEmpty(FrameKind.welcome));
      onFrame =
        hello.purpose === Purpose.snapshot
          ? snapshotReceiver(
              {
                self: this.options.id,
                limits: this.limits,
                partition: this.partition,
                deliver: (m) => {
                  if (!this.closed) this.handler.deliver([m]);
                },
              },
              hello.from,
              socket,
            )
          : (k, b) => this.onBatch(hello.from, k, b);
    };
    const reader = new FrameReader(this.limits.grpcMessageBytesMax, (kind, body) => onFrame(kind, body));
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        refuse(RefusalCode.badFrame, e instanceof Error ? e.message : String(e));
      }
    });
  }

  private checkHello(h: Hello): { code: RefusalCode; reason: string } | undefined {
    if (h.clusterId !== this.options.clusterId)
      return { code: RefusalCode.otherCluster, reason: `cluster id ${h.clusterId} is not ours` };
    if (h.to !== this.options.id)
      return { code: RefusalCode.notForMe, reason: `this is member ${this.options.id}, not ${h.to}` };
    return undefined;
  }

  private onBatch(from: NodeId, kind: number, body: Buffer): void {
    if (this.closed) return;
    if (kind !== FrameKind.batch) throw new FrameError(`unexpected frame kind ${kind} on a message link`);
    const messages = decodeBatch(body);
    checkIncoming(messages, from, this.options.id);
    if (!this.partition.canReceiveFrom(from)) return;
    const delay = this.partition.delayMs(from);
    if (delay > 0) this.later(delay, from, () => this.handler.deliver(messages));
    else this.handler.deliver(messages);
  }
}
