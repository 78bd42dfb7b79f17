/**
 * Conversion between the Raft core's messages (NodeId numbers, Uint8Array data) and the
 * proto shapes of proto/raftpb/raft.proto as proto-loader presents them (snake_case,
 * uint64 as decimal strings, enums as names, bytes as Buffers). The only place that knows
 * both; everything the network hands us is checked here (CodecError) before Raft sees it.
 */
import {
  type ConfState,
  type Entry,
  type Message,
  type MessageType,
  type NodeId,
  nodeId,
  type Snapshot,
} from "../../../libs/raft/index.js";

/** uint64 as proto-loader decodes it (`longs: String`); numbers are accepted when encoding. */
export type U64 = string;

/** raftpb.Entry as proto-loader presents it. */
export interface PbEntry {
  term: U64;
  index: U64;
  type: "EntryNormal" | "EntryConfChange";
  data: Uint8Array;
}

/** raftpb.ConfState. */
export interface PbConfState {
  voters: U64[];
  learners: U64[];
}

/** raftpb.Snapshot; `metadata` is null when absent on the wire. */
export interface PbSnapshot {
  metadata: { index: U64; term: U64; conf_state: PbConfState | null } | null;
  data: Uint8Array;
}

/** raftpb.Message; `type` is a MessageType name (checked on decode). */
export interface PbMessage {
  type: string;
  to: U64;
  from: U64;
  term: U64;
  log_term: U64;
  index: U64;
  entries: PbEntry[];
  commit: U64;
  snapshot?: PbSnapshot | null;
  reject: boolean;
  reject_hint: U64;
  /** Presence matters: absent and empty differ for Raft. */
  context?: Uint8Array;
}

/** One Stream frame: every message of one Ready for one peer. */
export interface PbMessageBatch {
  cluster_id: U64;
  from: U64;
  messages: PbMessage[];
  seq: U64;
}

/** Cumulative acknowledgement of Stream frames. */
export interface PbStreamAck {
  seq: U64;
}

/** One SendSnapshot chunk; the first carries the header (message, total_bytes). */
export interface PbSnapshotChunk {
  cluster_id: U64;
  from: U64;
  message?: PbMessage | null;
  total_bytes: U64;
  offset: U64;
  data: Uint8Array;
  last: boolean;
}

/** The answer to a complete SendSnapshot. */
export interface PbSnapshotAck {
  received_bytes: U64;
}

/** Bytes from the network that do not make a valid Raft message. */
export class CodecError extends Error {
  override readonly name = "CodecError";
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>([
  "MsgHup",
  "MsgBeat",
  "MsgProp",
  "MsgApp",
  "MsgAppResp",
  "MsgVote",
  "MsgVoteResp",
  "MsgPreVote",
  "MsgPreVoteResp",
  "MsgSnap",
  "MsgHeartbeat",
  "MsgHeartbeatResp",
  "MsgUnreachable",
  "MsgSnapStatus",
  "MsgCheckQuorum",
  "MsgTransferLeader",
  "MsgTimeoutNow",
  "MsgReadIndex",
  "MsgReadIndexResp",
]);

/** Types only a node itself may generate; a peer sending one is refused. */
export const LOCAL_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  "MsgHup",
  "MsgBeat",
  "MsgUnreachable",
  "MsgSnapStatus",
  "MsgCheckQuorum",
]);

// ------------------------------------------------------------------------ encode

/** A safe integer as a uint64 string. */
export function u64(n: number): U64 {
  return String(n);
}

/** Core entry → proto entry. */
export function encodeEntry(e: Entry): PbEntry {
  return {
    term: u64(e.term),
    index: u64(e.index),
    type: e.type === "normal" ? "EntryNormal" : "EntryConfChange",
    data: e.data,
  };
}

/** Core membership → proto membership. */
export function encodeConfState(cs: ConfState): PbConfState {
  return { voters: cs.voters.map(u64), learners: cs.learners.map(u64) };
}

/** Core snapshot → proto snapshot (the data is not copied). */
export function encodeSnapshot(s: Snapshot): PbSnapshot {
  const md = s.metadata;
  return {
    metadata: { index: u64(md.index), term: u64(md.term), conf_state: encodeConfState(md.confState) },
    data: s.data,
  };
}

/** Core message → proto message; `context` is set only when present. */
export function encodeMessage(m: Message): PbMessage {
  const out: PbMessage = {
    type: m.type,
    to: u64(m.to),
    from: u64(m.from),
    term: u64(m.term),
    log_term: u64(m.logTerm),
    index: u64(m.index),
    entries: m.entries.map(encodeEntry),
    commit: u64(m.commit),
    reject: m.reject,
    reject_hint: u64(m.rejectHint),
  };
  if (m.snapshot) out.snapshot = encodeSnapshot(m.snapshot);
  if (m.context) out.context = m.context;
  return out;
}

// ------------------------------------------------------------------------ decode

/** A uint64 from the wire as a safe integer; refuses anything above 2^53 - 1. */
export function decodeU64(v: string | number | null | undefined, field: string): number {
  const s = typeof v === "number" ? String(v) : (v ?? "0");
  if (!/^\d{1,16}$/.test(s)) throw new CodecError(`${field}: not a uint64 safe integer: ${s}`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new CodecError(`${field}: ${s} exceeds 2^53 - 1`);
  return n;
}

/** A member id: a uint64 that is not 0. */
export function decodeNodeId(v: string | number | null | undefined, field: string): NodeId {
  const n = decodeU64(v, field);
  if (n === 0) throw new CodecError(`${field}: member id 0`);
  return nodeId(n);
}

/** Zero allowed (no leader, no vote). */
function decodeNodeIdOrNone(v: string | number | null | undefined, field: string): NodeId {
  return decodeU64(v, field) as NodeId;
}

/** A Buffer (or any Uint8Array) as a plain Uint8Array view over the same bytes. */
export function bytes(b: Uint8Array | null | undefined): Uint8Array {
  if (!b) return new Uint8Array(0);
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Proto entry → core entry; throws CodecError. */
export function decodeEntry(e: PbEntry): Entry {
  let type: Entry["type"];
  if (e.type === "EntryNormal") type = "normal";
  else if (e.type === "EntryConfChange") type = "confChange";
  else throw new CodecError(`entry: unknown type ${String(e.type)}`);
  return {
    term: decodeU64(e.term, "entry.term"),
    index: decodeU64(e.index, "entry.index"),
    type,
    data: bytes(e.data),
  };
}

/** Proto membership → core membership; member ids must be non-zero. */
export function decodeConfState(cs: PbConfState | null | undefined): ConfState {
  return {
    voters: (cs?.voters ?? []).map((v) => decodeNodeId(v, "conf_state.voters")),
    learners: (cs?.learners ?? []).map((v) => decodeNodeId(v, "conf_state.learners")),
  };
}

/** Proto snapshot → core snapshot; metadata is required. */
export function decodeSnapshot(s: PbSnapshot): Snapshot {
  const md = s.metadata;
  if (md == null) throw new CodecError("snapshot without metadata");
  return {
    metadata: {
      index: decodeU64(md.index, "snapshot.index"),
      term: decodeU64(md.term, "snapshot.term"),
      confState: decodeConfState(md.conf_state),
    },
    data: bytes(s.data),
  };
}

/** Proto message → core message; throws CodecError for anything Raft must not see. */
export function decodeMessage(m: PbMessage): Message {
  if (!MESSAGE_TYPES.has(m.type)) throw new CodecError(`message: unknown type ${String(m.type)}`);
  return {
    type: m.type as MessageType,
    to: decodeNodeIdOrNone(m.to, "message.to"),
    from: decodeNodeIdOrNone(m.from, "message.from"),
    term: decodeU64(m.term, "message.term"),
    logTerm: decodeU64(m.log_term, "message.log_term"),
    index: decodeU64(m.index, "message.index"),
    entries: (m.entries ?? []).map(decodeEntry),
    commit: decodeU64(m.commit, "message.commit"),
    ...(m.snapshot != null ? { snapshot: decodeSnapshot(m.snapshot) } : {}),
    reject: m.reject === true,
    rejectHint: decodeU64(m.reject_hint, "message.reject_hint"),
    ...(m.context != null ? { context: bytes(m.context) } : {}),
  };
}

/**
 * Refuses messages a peer may not send us on its message stream: a `from` other than the
 * sender (forwarded proposals and transfer requests keep their origin, etcd's rule), a `to`
 * other than us, local-only types, and MsgSnap (which has its own path).
 */
export function checkIncoming(messages: readonly Message[], from: NodeId, self: NodeId): void {
  for (const m of messages) {
    const forwarded = m.type === "MsgProp" || m.type === "MsgTransferLeader";
    if (m.from !== from && !forwarded) throw new CodecError(`message from ${m.from} in a batch from ${from}`);
    if (m.to !== self) throw new CodecError(`message to ${m.to} sent to ${self}`);
    if (LOCAL_MESSAGE_TYPES.has(m.type) || m.type === "MsgSnap")
      throw new CodecError(`${m.type} is not accepted on the message stream`);
  }
}

/** Approximate encoded size, to cut frames below the gRPC message limit. */
export function messageBytes(m: Message): number {
  let n = 64 + (m.context?.byteLength ?? 0) + (m.snapshot?.data.byteLength ?? 0);
  for (const e of m.entries) n += 32 + e.data.byteLength;
  return n;
}
