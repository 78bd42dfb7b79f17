/**
 * The messages of RaftTransport.Stream (MessageBatch one way, StreamAck the other) encoded
 * and decoded by hand, in exactly the wire format of proto/raftpb/raft.proto: any protobuf
 * implementation reads what this writes and the other way round (stream-codec.test.ts checks
 * both against proto-loader).
 *
 * Why by hand: through proto-loader every frame became objects per field, every uint64 a
 * decimal string turned into a Long and back, on each entry, for each follower. Here the
 * leader writes core messages straight into one buffer per frame and the follower reads core
 * messages straight out of it. SendSnapshot, rare and large, keeps proto-loader (codec.ts).
 *
 * Decoding checks what codec.ts's decodeMessage checks (known types, safe integers, non-zero
 * member ids in a conf state, snapshot metadata present) and throws CodecError for anything
 * else; fields may come in any order and unknown ones are skipped, as protobuf requires.
 */
import type { ConfState, Entry, Message, NodeId, Snapshot } from "../../../libs/raft/index.js";
import { CodecError } from "./codec.js";
import { TYPE_NAMES, TYPE_NUMBERS } from "./message-type-numbers.js";
import {
  bytesFieldBytes,
  ProtoReader,
  tag,
  varintBytes,
  varintFieldBytes,
  WireType,
  writeVarint,
} from "./proto-wire.js";

/** One decoded MessageBatch. */
export interface StreamBatch {
  /** uint64 in decimal, as the transport's options name it. */
  readonly clusterId: string;
  readonly from: NodeId;
  readonly seq: number;
  readonly messages: Message[];
}

const { varint: VARINT, bytes: BYTES } = WireType;

// ------------------------------------------------------------------------ sizes

/** A varint field's size, or 0 for a zero (proto3 leaves defaults out). */
function optVarintBytes(n: number): number {
  return n === 0 ? 0 : varintFieldBytes(n);
}

function entryBodyBytes(e: Entry): number {
  return (
    optVarintBytes(e.term) +
    optVarintBytes(e.index) +
    (e.type === "normal" ? 0 : 2) +
    (e.data.byteLength === 0 ? 0 : bytesFieldBytes(e.data.byteLength))
  );
}

function packedBytes(ids: readonly number[]): number {
  let n = 0;
  for (const id of ids) n += varintBytes(id);
  return n;
}

function confStateBodyBytes(cs: ConfState): number {
  const v = packedBytes(cs.voters);
  const l = packedBytes(cs.learners);
  return (v === 0 ? 0 : bytesFieldBytes(v)) + (l === 0 ? 0 : bytesFieldBytes(l));
}

function metadataBodyBytes(s: Snapshot): number {
  const md = s.metadata;
  return (
    optVarintBytes(md.index) + optVarintBytes(md.term) + bytesFieldBytes(confStateBodyBytes(md.confState))
  );
}

function snapshotBodyBytes(s: Snapshot): number {
  return (
    bytesFieldBytes(metadataBodyBytes(s)) + (s.data.byteLength === 0 ? 0 : bytesFieldBytes(s.data.byteLength))
  );
}

function messageBodyBytes(m: Message): number {
  let n =
    varintFieldBytes(TYPE_NUMBERS[m.type]) +
    optVarintBytes(m.to) +
    optVarintBytes(m.from) +
    optVarintBytes(m.term) +
    optVarintBytes(m.logTerm) +
    optVarintBytes(m.index) +
    optVarintBytes(m.commit) +
    (m.reject ? 2 : 0) +
    optVarintBytes(m.rejectHint);
  for (const e of m.entries) n += bytesFieldBytes(entryBodyBytes(e));
  if (m.snapshot !== undefined) n += bytesFieldBytes(snapshotBodyBytes(m.snapshot));
  if (m.context !== undefined) n += bytesFieldBytes(m.context.byteLength);
  return n;
}

// ------------------------------------------------------------------------ encode

/** Writes into one buffer sized in advance. */
class Out {
  at = 0;
  constructor(readonly buf: Buffer) {}

  varintField(field: number, n: number): void {
    if (n === 0) return;
    this.buf[this.at++] = tag(field, VARINT);
    this.at = writeVarint(this.buf, this.at, n);
  }

  /** The tag and length of a length-delimited field; its body follows. */
  open(field: number, length: number): void {
    this.buf[this.at++] = tag(field, BYTES);
    this.at = writeVarint(this.buf, this.at, length);
  }

  bytesField(field: number, bytes: Uint8Array, always = false): void {
    if (bytes.byteLength === 0 && !always) return;
    this.open(field, bytes.byteLength);
    this.buf.set(bytes, this.at);
    this.at += bytes.byteLength;
  }

  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.at);
    this.at += bytes.byteLength;
  }
}

function writeEntry(o: Out, e: Entry): void {
  o.open(7, entryBodyBytes(e));
  o.varintField(1, e.term);
  o.varintField(2, e.index);
  if (e.type !== "normal") o.varintField(3, 1);
  o.bytesField(4, e.data);
}

function writePacked(o: Out, field: number, ids: readonly number[]): void {
  const n = packedBytes(ids);
  if (n === 0) return;
  o.open(field, n);
  for (const id of ids) o.at = writeVarint(o.buf, o.at, id);
}

function writeSnapshot(o: Out, s: Snapshot): void {
  const md = s.metadata;
  o.open(9, snapshotBodyBytes(s));
  o.open(1, metadataBodyBytes(s));
  o.varintField(1, md.index);
  o.varintField(2, md.term);
  o.open(3, confStateBodyBytes(md.confState));
  writePacked(o, 1, md.confState.voters);
  writePacked(o, 2, md.confState.learners);
  o.bytesField(2, s.data);
}

function writeMessage(o: Out, m: Message, bodyBytes: number): void {
  o.open(3, bodyBytes);
  o.varintField(1, TYPE_NUMBERS[m.type]);
  o.varintField(2, m.to);
  o.varintField(3, m.from);
  o.varintField(4, m.term);
  o.varintField(5, m.logTerm);
  o.varintField(6, m.index);
  for (const e of m.entries) writeEntry(o, e);
  o.varintField(8, m.commit);
  if (m.snapshot !== undefined) writeSnapshot(o, m.snapshot);
  if (m.reject) o.varintField(10, 1);
  o.varintField(11, m.rejectHint);
  // Optional in the .proto: an empty context differs from none.
  if (m.context !== undefined) o.bytesField(12, m.context, true);
}

/**
 * The fixed head of every frame one member sends: cluster_id (field 1, the full uint64) and
 * from (field 2). Computed once per peer stream.
 */
export function encodeBatchHead(clusterIdVarint: Uint8Array, from: NodeId): Uint8Array {
  const head = Buffer.allocUnsafe(1 + clusterIdVarint.byteLength + varintFieldBytes(from));
  const o = new Out(head);
  o.buf[o.at++] = tag(1, VARINT);
  o.raw(clusterIdVarint);
  o.varintField(2, from);
  return head;
}

/** One MessageBatch: `head` (encodeBatchHead), the messages, then seq. */
export function encodeBatch(head: Uint8Array, messages: readonly Message[], seq: number): Buffer {
  const bodies = new Array<number>(messages.length);
  let size = head.byteLength + optVarintBytes(seq);
  for (let i = 0; i < messages.length; i++) {
    bodies[i] = messageBodyBytes(messages[i]!);
    size += bytesFieldBytes(bodies[i]!);
  }
  const o = new Out(Buffer.allocUnsafe(size));
  o.raw(head);
  for (let i = 0; i < messages.length; i++) writeMessage(o, messages[i]!, bodies[i]!);
  o.varintField(4, seq);
  if (o.at !== size) throw new Error(`MessageBatch encoding wrote ${o.at} of ${size} bytes`);
  return o.buf;
}

/** StreamAck{seq}. */
export function encodeAck(seq: number): Buffer {
  const o = new Out(Buffer.allocUnsafe(optVarintBytes(seq)));
  o.varintField(1, seq);
  return o.buf;
}

// ------------------------------------------------------------------------ decode

function readEntry(buf: Buffer, start: number, end: number): Entry {
  const r = new ProtoReader(buf, start, end, "entry");
  let term = 0;
  let index = 0;
  let type = 0;
  let data: Uint8Array = new Uint8Array(0);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) term = varintOf(r, wireType, "term");
    else if (field === 2) index = varintOf(r, wireType, "index");
    else if (field === 3) type = varintOf(r, wireType, "type");
    else if (field === 4) data = bytesOf(r, wireType, "data");
    else r.skip(wireType);
  }
  if (type > 1) throw new CodecError(`entry: unknown type ${type}`);
  return { term, index, type: type === 0 ? "normal" : "confChange", data };
}

function readConfState(buf: Buffer, start: number, end: number): ConfState {
  const r = new ProtoReader(buf, start, end, "conf_state");
  const voters: number[] = [];
  const learners: number[] = [];
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) r.repeatedVarint(wireType, "voters", voters);
    else if (field === 2) r.repeatedVarint(wireType, "learners", learners);
    else r.skip(wireType);
  }
  if (voters.includes(0) || learners.includes(0)) throw new CodecError("conf_state: member id 0");
  return { voters: voters as NodeId[], learners: learners as NodeId[] };
}

function readSnapshot(buf: Buffer, start: number, end: number): Snapshot {
  const r = new ProtoReader(buf, start, end, "snapshot");
  let metadata: Snapshot["metadata"] | undefined;
  let data: Uint8Array = new Uint8Array(0);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      r.expect("metadata", wireType, BYTES);
      const span = r.span("metadata");
      const m = new ProtoReader(buf, span.start, span.end, "snapshot.metadata");
      let index = 0;
      let term = 0;
      let confState: ConfState = { voters: [], learners: [] };
      while (!m.done) {
        const f = m.tag();
        if (f.field === 1) index = varintOf(m, f.wireType, "index");
        else if (f.field === 2) term = varintOf(m, f.wireType, "term");
        else if (f.field === 3) {
          m.expect("conf_state", f.wireType, BYTES);
          const cs = m.span("conf_state");
          confState = readConfState(buf, cs.start, cs.end);
        } else m.skip(f.wireType);
      }
      metadata = { index, term, confState };
    } else if (field === 2) data = bytesOf(r, wireType, "data");
    else r.skip(wireType);
  }
  if (metadata === undefined) throw new CodecError("snapshot without metadata");
  return { metadata, data };
}

function readMessage(buf: Buffer, start: number, end: number): Message {
  const r = new ProtoReader(buf, start, end, "message");
  let typeNumber = 0;
  let to = 0;
  let from = 0;
  let term = 0;
  let logTerm = 0;
  let index = 0;
  const entries: Entry[] = [];
  let commit = 0;
  let snapshot: Snapshot | undefined;
  let reject = false;
  let rejectHint = 0;
  let context: Uint8Array | undefined;
  while (!r.done) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1:
        typeNumber = varintOf(r, wireType, "type");
        break;
      case 2:
        to = varintOf(r, wireType, "to");
        break;
      case 3:
        from = varintOf(r, wireType, "from");
        break;
      case 4:
        term = varintOf(r, wireType, "term");
        break;
      case 5:
        logTerm = varintOf(r, wireType, "log_term");
        break;
      case 6:
        index = varintOf(r, wireType, "index");
        break;
      case 7: {
        r.expect("entries", wireType, BYTES);
        const span = r.span("entries");
        entries.push(readEntry(buf, span.start, span.end));
        break;
      }
      case 8:
        commit = varintOf(r, wireType, "commit");
        break;
      case 9: {
        r.expect("snapshot", wireType, BYTES);
        const span = r.span("snapshot");
        snapshot = readSnapshot(buf, span.start, span.end);
        break;
      }
      case 10:
        reject = varintOf(r, wireType, "reject") !== 0;
        break;
      case 11:
        rejectHint = varintOf(r, wireType, "reject_hint");
        break;
      case 12:
        context = bytesOf(r, wireType, "context");
        break;
      default:
        r.skip(wireType);
    }
  }
  const type = TYPE_NAMES[typeNumber];
  if (type === undefined) throw new CodecError(`message: unknown type ${typeNumber}`);
  const m: { -readonly [K in keyof Message]: Message[K] } = {
    type,
    to: to as NodeId,
    from: from as NodeId,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject,
    rejectHint,
  };
  if (snapshot !== undefined) m.snapshot = snapshot;
  if (context !== undefined) m.context = context;
  return m;
}

function varintOf(r: ProtoReader, wireType: number, field: string): number {
  r.expect(field, wireType, VARINT);
  return r.varint(field);
}

function bytesOf(r: ProtoReader, wireType: number, field: string): Uint8Array {
  r.expect(field, wireType, BYTES);
  return r.bytes(field);
}

/** One MessageBatch; throws CodecError for anything Raft must not see. */
export function decodeBatch(buf: Buffer): StreamBatch {
  const r = new ProtoReader(buf, 0, buf.byteLength, "batch");
  let clusterId = "0";
  let from = 0;
  let seq = 0;
  const messages: Message[] = [];
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      r.expect("cluster_id", wireType, VARINT);
      clusterId = r.varintDecimal("cluster_id");
    } else if (field === 2) from = varintOf(r, wireType, "from");
    else if (field === 3) {
      r.expect("messages", wireType, BYTES);
      const span = r.span("messages");
      messages.push(readMessage(buf, span.start, span.end));
    } else if (field === 4) seq = varintOf(r, wireType, "seq");
    else r.skip(wireType);
  }
  if (from === 0) throw new CodecError("batch.from: member id 0");
  return { clusterId, from: from as NodeId, seq, messages };
}

/** StreamAck's seq. */
export function decodeAck(buf: Buffer): number {
  const r = new ProtoReader(buf, 0, buf.byteLength, "ack");
  let seq = 0;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) seq = varintOf(r, wireType, "seq");
    else r.skip(wireType);
  }
  return seq;
}
