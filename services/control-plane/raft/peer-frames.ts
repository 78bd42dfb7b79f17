/**
 * The binary frames of the TCP peer transport (tcp-transport.ts): a hand-written codec of
 * Raft messages, because the protobuf path (proto-loader objects, uint64 as strings, one
 * JS object per field) cost more CPU per entry than Raft itself.
 *
 *   frame   = [length u32 BE: bytes after this field][kind u8][body]
 *   HELLO   = [version u8][purpose u8][from u64][to u64][cluster id length u8][cluster id ASCII]
 *   WELCOME = (empty)                      the receiver accepted the HELLO
 *   REFUSED = [code u8][reason UTF-8]      the receiver refuses; it closes the connection next
 *   BATCH   = [count u32][message]*        every message of one Ready for this peer, in order
 *   SNAP_HEADER = [total bytes u64][message]   a MsgSnap whose snapshot data is empty
 *   SNAP_CHUNK  = [offset u64][data]
 *   SNAP_END    = (empty)
 *   SNAP_ACK    = [received bytes u64]
 *
 *   message = [type u8][flags u8: 1 reject, 2 context, 4 snapshot][to][from][term][log term]
 *             [index][commit][reject hint] (u64 each) [entry count u32][entry]*
 *             [context: length u32, bytes]? [snapshot]?
 *   entry   = [term u64][index u64][type u8: 0 normal, 1 conf change][length u32][data]
 *   snapshot = [index u64][term u64][voters u32][u64]*[learners u32][u64]*[length u32][data]
 *
 * u64 is two u32 BE words; values above 2^53 - 1 are refused. Message type numbers are those
 * of proto/raftpb/raft.proto's MessageType. Every length is checked against the frame before
 * it is read, and a frame must be consumed exactly: a mismatch is a FrameError, never a
 * partial message handed to Raft (peer-frames-decode.ts).
 */
import type { ConfState, Entry, Message, NodeId, Snapshot } from "../../../libs/raft/index.js";
import { TYPE_NUMBERS } from "./message-type-numbers.js";

/** Bumped on any incompatible change of this format; a peer with another version is refused. */
export const PEER_PROTOCOL_VERSION = 1;

export const FrameKind = {
  hello: 1,
  welcome: 2,
  refused: 3,
  batch: 4,
  snapHeader: 5,
  snapChunk: 6,
  snapEnd: 7,
  snapAck: 8,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** What a connection carries, named in its HELLO. */
export const Purpose = { messages: 1, snapshot: 2 } as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** Why a receiver refused, sent in REFUSED. */
export const RefusalCode = {
  badHello: 1,
  otherCluster: 2,
  notForMe: 3,
  badFrame: 4,
  partitioned: 5,
  tooLarge: 6,
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];

/** Bytes of the length prefix plus the kind. */
export const FRAME_HEADER_BYTES = 5;
export const MESSAGE_FIXED_BYTES = 2 + 7 * 8 + 4;
export const ENTRY_FIXED_BYTES = 8 + 8 + 1 + 4;
export const TWO_32 = 2 ** 32;

/** A frame that does not parse; the connection carrying it is closed. */
export class FrameError extends Error {
  override readonly name = "FrameError";
}

const EMPTY = new Uint8Array(0);

// ------------------------------------------------------------------------ sizes

function entryBytes(e: Entry): number {
  return ENTRY_FIXED_BYTES + e.data.byteLength;
}

function snapshotBytes(s: Snapshot): number {
  const cs = s.metadata.confState;
  return 16 + 4 + 8 * cs.voters.length + 4 + 8 * cs.learners.length + 4 + s.data.byteLength;
}

/** Exact encoded size of one message. */
export function encodedMessageBytes(m: Message): number {
  let n = MESSAGE_FIXED_BYTES;
  for (const e of m.entries) n += entryBytes(e);
  if (m.context !== undefined) n += 4 + m.context.byteLength;
  if (m.snapshot !== undefined) n += snapshotBytes(m.snapshot);
  return n;
}

// ------------------------------------------------------------------------ writer

/** Writes into one preallocated buffer; the size was computed beforehand, exactly. */
class Writer {
  at = 0;
  constructor(readonly buf: Buffer) {}

  u8(n: number): void {
    this.buf[this.at++] = n;
  }

  u32(n: number): void {
    this.buf.writeUInt32BE(n, this.at);
    this.at += 4;
  }

  u64(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a u64 safe integer: ${n}`);
    this.buf.writeUInt32BE(Math.floor(n / TWO_32), this.at);
    this.buf.writeUInt32BE(n % TWO_32, this.at + 4);
    this.at += 8;
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.at);
    this.at += b.byteLength;
  }

  frameStart(kind: FrameKind, bodyBytes: number): void {
    this.u32(bodyBytes + 1);
    this.u8(kind);
  }
}

function writeConfState(w: Writer, cs: ConfState): void {
  w.u32(cs.voters.length);
  for (const v of cs.voters) w.u64(v);
  w.u32(cs.learners.length);
  for (const l of cs.learners) w.u64(l);
}

function writeMessage(w: Writer, m: Message): void {
  const type = TYPE_NUMBERS[m.type];
  w.u8(type);
  w.u8((m.reject ? 1 : 0) | (m.context !== undefined ? 2 : 0) | (m.snapshot !== undefined ? 4 : 0));
  w.u64(m.to);
  w.u64(m.from);
  w.u64(m.term);
  w.u64(m.logTerm);
  w.u64(m.index);
  w.u64(m.commit);
  w.u64(m.rejectHint);
  w.u32(m.entries.length);
  for (const e of m.entries) {
    w.u64(e.term);
    w.u64(e.index);
    w.u8(e.type === "normal" ? 0 : 1);
    w.u32(e.data.byteLength);
    w.bytes(e.data);
  }
  if (m.context !== undefined) {
    w.u32(m.context.byteLength);
    w.bytes(m.context);
  }
  if (m.snapshot !== undefined) {
    const md = m.snapshot.metadata;
    w.u64(md.index);
    w.u64(md.term);
    writeConfState(w, md.confState);
    w.u32(m.snapshot.data.byteLength);
    w.bytes(m.snapshot.data);
  }
}

/** A BATCH frame carrying `messages` in order. */
export function encodeBatch(messages: readonly Message[]): Buffer {
  let body = 4;
  for (const m of messages) body += encodedMessageBytes(m);
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + body));
  w.frameStart(FrameKind.batch, body);
  w.u32(messages.length);
  for (const m of messages) writeMessage(w, m);
  return w.buf;
}

/** What a HELLO says. */
export interface Hello {
  readonly version: number;
  readonly purpose: Purpose;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly clusterId: string;
}

export function encodeHello(h: Omit<Hello, "version">): Buffer {
  const cluster = Buffer.from(h.clusterId, "latin1");
  if (cluster.length > 255) throw new RangeError("cluster id longer than 255 bytes");
  const body = 1 + 1 + 8 + 8 + 1 + cluster.length;
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + body));
  w.frameStart(FrameKind.hello, body);
  w.u8(PEER_PROTOCOL_VERSION);
  w.u8(h.purpose);
  w.u64(h.from);
  w.u64(h.to);
  w.u8(cluster.length);
  w.bytes(cluster);
  return w.buf;
}

/** A frame without a body (WELCOME, SNAP_END). */
export function encodeEmpty(kind: FrameKind): Buffer {
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES));
  w.frameStart(kind, 0);
  return w.buf;
}

export function encodeRefused(code: RefusalCode, reason: string): Buffer {
  const text = Buffer.from(reason.slice(0, 1000), "utf8");
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + 1 + text.length));
  w.frameStart(FrameKind.refused, 1 + text.length);
  w.u8(code);
  w.bytes(text);
  return w.buf;
}

/** SNAP_HEADER: the MsgSnap `m` with its snapshot data left out, and the data's length. */
export function encodeSnapHeader(m: Message, totalBytes: number): Buffer {
  const snap = m.snapshot;
  if (m.type !== "MsgSnap" || snap === undefined) throw new RangeError("not a MsgSnap with a snapshot");
  const header: Message = { ...m, snapshot: { metadata: snap.metadata, data: EMPTY } };
  const body = 8 + encodedMessageBytes(header);
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + body));
  w.frameStart(FrameKind.snapHeader, body);
  w.u64(totalBytes);
  writeMessage(w, header);
  return w.buf;
}

/** SNAP_CHUNK: the prefix holds the offset; the data is written after it (no copy). */
export function encodeSnapChunkPrefix(offset: number, dataBytes: number): Buffer {
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8));
  w.frameStart(FrameKind.snapChunk, 8 + dataBytes);
  w.u64(offset);
  return w.buf;
}

export function encodeSnapAck(receivedBytes: number): Buffer {
  const w = new Writer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8));
  w.frameStart(FrameKind.snapAck, 8);
  w.u64(receivedBytes);
  return w.buf;
}
