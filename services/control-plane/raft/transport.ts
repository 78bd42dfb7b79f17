/**
 * The peer transport of a member, over one of two protocols (`limits.protocol`):
 *  - "tcp" (the default): one long-lived TCP connection per peer pair with hand-encoded
 *    binary frames (tcp-transport.ts);
 *  - "grpc": one long-lived gRPC stream per peer pair (grpc-transport.ts), issue 4's
 *    original design, kept for comparison and as a fallback.
 * Both keep the same contract: one frame per peer per Ready, the partition table consulted
 * on both sides, losses reported to Raft, snapshots in chunks, reconnect with backoff. The
 * two do not interoperate: every member of a cluster must use the same protocol.
 */
import type { Message, NodeId } from "../../../libs/raft/index.js";
import type { FlotillaProtos } from "../../../proto/load.js";
import { GrpcPeerTransport } from "./grpc-transport.js";
import type { PartitionTable } from "./partition.js";
import { TcpTransport } from "./tcp-transport.js";
import type { TransportHandler, TransportLimits, TransportLogger } from "./transport-types.js";

/** Options of PeerTransport.listen. */
export interface PeerTransportOptions {
  readonly id: NodeId;
  /** uint64 as a decimal string; traffic from another cluster is refused. */
  readonly clusterId: string;
  /** Address to serve on, "host:port"; port 0 picks a free one (see `port`). */
  readonly listen: string;
  /** Used by the gRPC protocol only. @default loadProtos() */
  readonly protos?: FlotillaProtos;
  /** @default a new, empty table */
  readonly partition?: PartitionTable;
  /** Bounds, and the protocol (`protocol`, default "grpc"). */
  readonly limits?: Partial<TransportLimits>;
  /** @default silent */
  readonly logger?: TransportLogger;
}

/** What both protocols implement. */
interface Implementation {
  readonly port: number;
  readonly partition: PartitionTable;
  addPeer(id: NodeId, url: string): void;
  removePeer(id: NodeId): void;
  peerUrls(): Map<NodeId, string>;
  send(messages: readonly Message[]): void;
  close(): Promise<void>;
}

/** The peer transport of one member: serves what peers send us and sends to every peer. */
export class PeerTransport {
  private constructor(
    private readonly impl: Implementation,
    /** The protocol in use. */
    readonly protocol: "tcp" | "grpc",
  ) {}

  /** Binds the server and returns a transport that sends nothing until peers are added. */
  static async listen(options: PeerTransportOptions, handler: TransportHandler): Promise<PeerTransport> {
    if (options.limits?.protocol === "grpc")
      return new PeerTransport(await GrpcPeerTransport.listen(options, handler), "grpc");
    return new PeerTransport(await TcpTransport.listen(options, handler), "tcp");
  }

  /** The port the server is bound to. */
  get port(): number {
    return this.impl.port;
  }

  /** The fault-injection table, consulted for every frame sent and received. */
  get partition(): PartitionTable {
    return this.impl.partition;
  }

  /** Starts (or re-points) the connection to a peer; our own id is ignored. */
  addPeer(id: NodeId, url: string): void {
    this.impl.addPeer(id, url);
  }

  removePeer(id: NodeId): void {
    this.impl.removePeer(id);
  }

  /** The peers we send to, with their URLs. */
  peerUrls(): Map<NodeId, string> {
    return this.impl.peerUrls();
  }

  /** Sends the messages of one Ready: one frame per peer (MsgSnap separately, in chunks). */
  send(messages: readonly Message[]): void {
    this.impl.send(messages);
  }

  close(): Promise<void> {
    return this.impl.close();
  }
}

/**
 * The name the runtime (runtime.ts, ready-loop.ts) still uses; both name the transport
 * above, whatever its protocol.
 */
export { PeerTransport as GrpcTransport, type PeerTransportOptions as GrpcTransportOptions };
