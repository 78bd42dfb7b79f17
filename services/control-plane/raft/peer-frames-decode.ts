/**
 * Decoding of the TCP peer transport's frames (the format is described in peer-frames.ts).
 * Every read is bounds-checked against the frame, and a frame must be consumed exactly: a
 * mismatch is a FrameError, never a partial message handed to Raft.
 */
import type { ConfState, Entry, Message, NodeId } from "../../../libs/raft/index.js";
import { TYPE_NAMES } from "./message-type-numbers.js";
import {
  ENTRY_FIXED_BYTES,
  FrameError,
  type Hello,
  MESSAGE_FIXED_BYTES,
  PEER_PROTOCOL_VERSION,
  Purpose,
  TWO_32,
} from "./peer-frames.js";

/** Reads one frame's body; every read is bounds-checked. */
export class FrameBody {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.at;
  }

  private need(n: number, what: string): void {
    if (this.at + n > this.buf.length)
      throw new FrameError(`${what}: needs ${n} bytes, ${this.buf.length - this.at} left in the frame`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.at++]!;
  }

  u32(what: string): number {
    this.need(4, what);
    const n = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return n;
  }

  u64(what: string): number {
    this.need(8, what);
    const hi = this.buf.readUInt32BE(this.at);
    const lo = this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    const n = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(n)) throw new FrameError(`${what}: exceeds 2^53 - 1`);
    return n;
  }

  /** `n` bytes as a copy: entries outlive the read buffer (they sit in the Raft log). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return out;
  }

  /** The rest of the frame as a view (the caller copies it where it keeps it). */
  rest(): Buffer {
    const out = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return out;
  }

  /** The frame must have been consumed exactly. */
  end(what: string): void {
    if (this.at !== this.buf.length)
      throw new FrameError(`${what}: ${this.buf.length - this.at} bytes left over in the frame`);
  }
}

function readConfState(r: FrameBody): ConfState {
  const voters: NodeId[] = [];
  const nv = r.u32("conf_state.voters");
  if (nv * 8 > r.remaining) throw new FrameError("conf_state.voters: count exceeds the frame");
  for (let i = 0; i < nv; i++) voters.push(readMemberId(r, "conf_state.voters"));
  const learners: NodeId[] = [];
  const nl = r.u32("conf_state.learners");
  if (nl * 8 > r.remaining) throw new FrameError("conf_state.learners: count exceeds the frame");
  for (let i = 0; i < nl; i++) learners.push(readMemberId(r, "conf_state.learners"));
  return { voters, learners };
}

function readMemberId(r: FrameBody, what: string): NodeId {
  const n = r.u64(what);
  if (n === 0) throw new FrameError(`${what}: member id 0`);
  return n as NodeId;
}

function readEntry(r: FrameBody): Entry {
  const term = r.u64("entry.term");
  const index = r.u64("entry.index");
  const t = r.u8("entry.type");
  if (t > 1) throw new FrameError(`entry.type: unknown type ${t}`);
  const data = r.bytes(r.u32("entry.data length"), "entry.data");
  return { term, index, type: t === 0 ? "normal" : "confChange", data };
}

/** One message; throws FrameError on anything Raft must not see. */
export function readMessage(r: FrameBody): Message {
  const typeNumber = r.u8("message.type");
  const type = TYPE_NAMES[typeNumber];
  if (type === undefined) throw new FrameError(`message.type: unknown type ${typeNumber}`);
  const flags = r.u8("message.flags");
  if (flags > 7) throw new FrameError(`message.flags: unknown bits ${flags}`);
  const to = r.u64("message.to") as NodeId;
  const from = r.u64("message.from") as NodeId;
  const term = r.u64("message.term");
  const logTerm = r.u64("message.log_term");
  const index = r.u64("message.index");
  const commit = r.u64("message.commit");
  const rejectHint = r.u64("message.reject_hint");
  const count = r.u32("message.entries");
  if (count * ENTRY_FIXED_BYTES > r.remaining)
    throw new FrameError("message.entries: count exceeds the frame");
  const entries: Entry[] = new Array<Entry>(count);
  for (let i = 0; i < count; i++) entries[i] = readEntry(r);
  const m: { -readonly [K in keyof Message]: Message[K] } = {
    type,
    to,
    from,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject: (flags & 1) !== 0,
    rejectHint,
  };
  if (flags & 2) m.context = r.bytes(r.u32("message.context length"), "message.context");
  if (flags & 4) {
    const sIndex = r.u64("snapshot.index");
    const sTerm = r.u64("snapshot.term");
    const confState = readConfState(r);
    const data = r.bytes(r.u32("snapshot.data length"), "snapshot.data");
    m.snapshot = { metadata: { index: sIndex, term: sTerm, confState }, data };
  }
  return m;
}

/** The messages of a BATCH body. */
export function decodeBatch(body: Buffer): Message[] {
  const r = new FrameBody(body);
  const count = r.u32("batch.count");
  if (count * MESSAGE_FIXED_BYTES > r.remaining) throw new FrameError("batch.count exceeds the frame");
  const out: Message[] = new Array<Message>(count);
  for (let i = 0; i < count; i++) out[i] = readMessage(r);
  r.end("batch");
  return out;
}

export function decodeHello(body: Buffer): Hello {
  const r = new FrameBody(body);
  const version = r.u8("hello.version");
  if (version !== PEER_PROTOCOL_VERSION)
    throw new FrameError(`peer protocol version ${version}, this member speaks ${PEER_PROTOCOL_VERSION}`);
  const purpose = r.u8("hello.purpose");
  if (purpose !== Purpose.messages && purpose !== Purpose.snapshot)
    throw new FrameError(`hello.purpose: unknown purpose ${purpose}`);
  const from = readMemberId(r, "hello.from");
  const to = r.u64("hello.to") as NodeId;
  const cluster = r.bytes(r.u8("hello.cluster_id length"), "hello.cluster_id");
  r.end("hello");
  return { version, purpose, from, to, clusterId: Buffer.from(cluster).toString("latin1") };
}

export function decodeRefused(body: Buffer): { code: number; reason: string } {
  const r = new FrameBody(body);
  const code = r.u8("refused.code");
  return { code, reason: r.rest().toString("utf8") };
}

export function decodeSnapHeader(body: Buffer): { totalBytes: number; message: Message } {
  const r = new FrameBody(body);
  const totalBytes = r.u64("snap.total_bytes");
  const message = readMessage(r);
  r.end("snap header");
  return { totalBytes, message };
}

/** A SNAP_CHUNK: its offset and a view of its data (valid until the next read). */
export function decodeSnapChunk(body: Buffer): { offset: number; data: Buffer } {
  const r = new FrameBody(body);
  return { offset: r.u64("snap.offset"), data: r.rest() };
}

export function decodeSnapAck(body: Buffer): number {
  const r = new FrameBody(body);
  const n = r.u64("snap_ack.received_bytes");
  r.end("snap ack");
  return n;
}
