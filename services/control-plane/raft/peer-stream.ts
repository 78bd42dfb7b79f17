/**
 * The one long-lived outgoing stream to one peer (RaftTransport.Stream). Frames (every
 * message of one Ready for this peer) are written in order with a per-stream seq; the peer
 * acknowledges cumulatively, and at most `framesInFlightMax` frames are unacknowledged.
 *
 * Loss is reported, never hidden: a frame dropped because the queue is full or the stream is
 * down, or frames lost with a broken stream, make the transport call reportUnreachable, so
 * the leader falls back to probing instead of streaming into the void (etcd's contract).
 */
import type { Client, ClientDuplexStream } from "@grpc/grpc-js";
import type { Message, NodeId } from "../../../libs/raft/index.js";
import { varintOfDecimal } from "./proto-wire.js";
import { decodeAck, encodeBatch, encodeBatchHead } from "./stream-codec.js";
import type { RaftMethods, TransportLimits, TransportLogger } from "./transport-types.js";

/** What a PeerStream needs from its transport. */
export interface PeerStreamDeps {
  readonly self: NodeId;
  readonly peer: NodeId;
  readonly clusterId: string;
  readonly client: Client;
  readonly methods: RaftMethods;
  readonly limits: TransportLimits;
  readonly logger: TransportLogger;
  /** Called whenever frames to this peer were lost. */
  readonly onUnreachable: (peer: NodeId) => void;
}

/** The outgoing Stream to one peer, reconnecting with bounded exponential backoff. */
export class PeerStream {
  /** Frames not yet written. Invariant: length <= limits.queuedFramesMax. */
  private queue: Message[][] = [];
  private call: ClientDuplexStream<Buffer, Buffer> | undefined;
  /** cluster_id and from, the same at the head of every frame. */
  private readonly head: Uint8Array;
  /** Invariant: ackedSeq <= sentSeq; both restart at 0 with each new stream. */
  private sentSeq = 0;
  private ackedSeq = 0;
  private waitingDrain = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Whether the last stream got an ack: only the first failure after a success is logged. */
  private healthy = true;
  private closed = false;

  constructor(private readonly deps: PeerStreamDeps) {
    this.backoffMs = deps.limits.backoffMsMin;
    this.head = encodeBatchHead(varintOfDecimal(deps.clusterId), deps.self);
    this.connect();
  }

  /** Frames waiting plus frames unacknowledged, for status and tests. */
  get backlog(): number {
    return this.queue.length + (this.sentSeq - this.ackedSeq);
  }

  /**
   * Queues one frame. Returns false (and reports the peer unreachable) when the frame is
   * dropped: the stream is down and waiting to reconnect, or the queue is full.
   */
  enqueue(frame: Message[]): boolean {
    if (this.closed) return false;
    if (this.call === undefined || this.queue.length >= this.deps.limits.queuedFramesMax) {
      this.deps.onUnreachable(this.deps.peer);
      return false;
    }
    this.queue.push(frame);
    this.pump();
    return true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.queue = [];
    const call = this.call;
    this.call = undefined;
    call?.cancel();
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    const m = this.deps.methods.stream;
    const call = this.deps.client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize);
    this.call = call;
    this.sentSeq = 0;
    this.ackedSeq = 0;
    this.waitingDrain = false;
    call.on("data", (ack: Buffer) => this.onAck(call, ack));
    call.on("error", (err: Error) => this.broken(call, err));
    call.on("end", () => this.broken(call, undefined));
    this.pump();
  }

  private onAck(call: ClientDuplexStream<Buffer, Buffer>, ack: Buffer): void {
    if (call !== this.call) return;
    let seq: number;
    try {
      seq = decodeAck(ack);
    } catch {
      this.broken(call, new Error(`peer ${this.deps.peer} sent a malformed ack`));
      return;
    }
    if (seq > this.sentSeq) {
      this.broken(call, new Error(`peer ${this.deps.peer} acked seq ${seq} beyond ${this.sentSeq}`));
      return;
    }
    this.ackedSeq = Math.max(this.ackedSeq, seq);
    if (!this.healthy) this.deps.logger.info(`raft transport: stream to ${this.deps.peer} is up`);
    this.healthy = true;
    this.backoffMs = this.deps.limits.backoffMsMin;
    this.pump();
  }

  private pump(): void {
    const call = this.call;
    if (call === undefined || this.waitingDrain) return;
    while (this.queue.length > 0 && this.sentSeq - this.ackedSeq < this.deps.limits.framesInFlightMax) {
      const messages = this.queue.shift()!;
      this.sentSeq++;
      if (!call.write(encodeBatch(this.head, messages, this.sentSeq))) {
        // The HTTP/2 buffer is full: wait for it before writing more (bounded memory).
        this.waitingDrain = true;
        call.once("drain", () => {
          if (call !== this.call) return;
          this.waitingDrain = false;
          this.pump();
        });
        return;
      }
    }
  }

  /** The stream failed or ended: whatever was in flight is lost; reconnect after a backoff. */
  private broken(call: ClientDuplexStream<Buffer, Buffer>, err: Error | undefined): void {
    if (call !== this.call) return;
    this.call = undefined;
    call.cancel();
    if (this.closed) return;
    if (this.healthy) {
      this.deps.logger.warn(
        `raft transport: stream to ${this.deps.peer} broke (${err?.message ?? "ended by peer"}); reconnecting`,
      );
    }
    this.healthy = false;
    // Queued frames are stale by the time we reconnect; Raft resends what matters.
    const lost = this.queue.length + (this.sentSeq - this.ackedSeq);
    this.queue = [];
    if (lost > 0 || err !== undefined) this.deps.onUnreachable(this.deps.peer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.deps.limits.backoffMsMax, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
