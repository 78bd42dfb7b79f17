/**
 * The one long-lived outgoing TCP connection to one peer (the TCP transport's PeerStream):
 * HELLO first, then BATCH frames in order; the peer answers WELCOME or REFUSED. Reconnects
 * with bounded exponential backoff.
 *
 * Loss is reported, never hidden: a frame dropped because the queue is full or the link is
 * down, or frames lost with a broken connection, make the transport call reportUnreachable,
 * so the leader falls back to probing instead of streaming into the void (etcd's contract).
 * TCP's own flow control bounds what is in flight; frames waiting for the socket to drain
 * are bounded by `queuedFramesMax`.
 */
import { connect, type Socket } from "node:net";
import type { NodeId } from "../../../libs/raft/index.js";
import { FrameReader } from "./frame-reader.js";
import { encodeHello, FrameKind, Purpose } from "./peer-frames.js";
import { decodeRefused } from "./peer-frames-decode.js";
import type { TransportLimits, TransportLogger } from "./transport-types.js";

/** What a link needs from its transport. */
export interface PeerLinkDeps {
  readonly self: NodeId;
  readonly peer: NodeId;
  readonly clusterId: string;
  /** "host:port" of the peer's transport. */
  readonly address: string;
  readonly limits: TransportLimits;
  readonly logger: TransportLogger;
  /** Called whenever frames to this peer were lost. */
  readonly onUnreachable: (peer: NodeId) => void;
}

/** "host:port" (IPv6 hosts in brackets) as the parts net.connect wants; port 0 only to listen. */
export function splitAddress(address: string, portZeroAllowed = false): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, "$1");
  const port = Number(address.slice(i + 1));
  const lowest = portZeroAllowed ? 0 : 1;
  if (i <= 0 || !Number.isInteger(port) || port < lowest || port > 65535)
    throw new RangeError(`not a host:port address: ${address}`);
  return { host, port };
}

/** The outgoing connection to one peer. */
export class PeerLink {
  private socket: Socket | undefined;
  /** Frames waiting for the socket to drain. Invariant: length <= limits.queuedFramesMax. */
  private queue: Buffer[] = [];
  private waitingDrain = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Whether the last connection was welcomed: only the first failure after a success is logged. */
  private healthy = true;
  private closed = false;

  constructor(private readonly deps: PeerLinkDeps) {
    this.backoffMs = deps.limits.backoffMsMin;
    this.connect();
  }

  /** Frames waiting for the socket, for status and tests. */
  get backlog(): number {
    return this.queue.length;
  }

  /**
   * Sends one frame. Returns false (and reports the peer unreachable) when the frame is
   * dropped: the link is down and waiting to reconnect, or the queue is full.
   */
  enqueue(frame: Buffer): boolean {
    const socket = this.socket;
    if (this.closed) return false;
    if (socket === undefined || this.queue.length >= this.deps.limits.queuedFramesMax) {
      this.deps.onUnreachable(this.deps.peer);
      return false;
    }
    if (this.waitingDrain) {
      this.queue.push(frame);
      return true;
    }
    if (!socket.write(frame)) this.waitDrain(socket);
    return true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.queue = [];
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    const { host, port } = splitAddress(this.deps.address);
    const socket = connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 10_000 });
    this.socket = socket;
    this.queue = [];
    this.waitingDrain = false;
    const reader = new FrameReader(this.deps.limits.grpcMessageBytesMax, (kind, body) =>
      this.onFrame(socket, kind, body),
    );
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        this.broken(socket, e instanceof Error ? e : new Error(String(e)));
      }
    });
    socket.on("error", (err) => this.broken(socket, err));
    socket.on("close", () => this.broken(socket, new Error("connection dropped")));
    socket.write(
      encodeHello({
        purpose: Purpose.messages,
        from: this.deps.self,
        to: this.deps.peer,
        clusterId: this.deps.clusterId,
      }),
    );
  }

  private onFrame(socket: Socket, kind: number, body: Buffer): void {
    if (socket !== this.socket) return;
    switch (kind) {
      case FrameKind.welcome:
        if (!this.healthy) this.deps.logger.info(`raft transport: stream to ${this.deps.peer} is up`);
        this.healthy = true;
        this.backoffMs = this.deps.limits.backoffMsMin;
        return;
      case FrameKind.refused: {
        const { reason } = decodeRefused(body);
        this.broken(socket, new Error(`refused by ${this.deps.peer}: ${reason}`));
        return;
      }
      default:
        this.broken(socket, new Error(`peer ${this.deps.peer} sent an unexpected frame kind ${kind}`));
    }
  }

  private waitDrain(socket: Socket): void {
    this.waitingDrain = true;
    socket.once("drain", () => {
      if (socket !== this.socket) return;
      this.waitingDrain = false;
      // Everything queued goes out in one write: the frames are already in order.
      const frames = this.queue;
      this.queue = [];
      if (frames.length === 0) return;
      const ok = socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
      if (!ok) this.waitDrain(socket);
    });
  }

  /** The connection failed or ended: whatever was queued is lost; reconnect after a backoff. */
  private broken(socket: Socket, err: Error): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    socket.destroy();
    if (this.closed) return;
    if (this.healthy) {
      // Worded as the gRPC transport's, which `flotilla up` shortens (services/cli log-follow.ts).
      this.deps.logger.warn(
        `raft transport: stream to ${this.deps.peer} broke (${err.message}); reconnecting`,
      );
    }
    this.healthy = false;
    // Queued frames are stale by the time we reconnect; Raft resends what matters.
    this.queue = [];
    this.deps.onUnreachable(this.deps.peer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.deps.limits.backoffMsMax, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
