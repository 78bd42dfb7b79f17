import { describe, expect, it } from "vitest";
import { type Message, msg, nodeId } from "../../../libs/raft/index.js";
import { loadProtos } from "../../../proto/load.js";
import {
  CodecError,
  decodeMessage,
  decodeU64,
  encodeMessage,
  type PbMessage,
  type PbMessageBatch,
  type PbSnapshotChunk,
} from "./codec.js";
import { raftMethods } from "./transport-types.js";

const methods = raftMethods(loadProtos());
/** proto-loader's own MessageBatch serializers (the transport's Stream encodes by hand: stream-codec.ts). */
const protoLoaderStream = loadProtos().raftpb.RaftTransport.service["Stream"]!;
const n = nodeId;
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** Through proto-loader's serializers, as SendSnapshot's header message travels. */
function wireRoundTrip(messages: readonly Message[]): Message[] {
  const batch: PbMessageBatch = {
    cluster_id: "7",
    from: "1",
    seq: "3",
    messages: messages.map(encodeMessage),
  };
  const s = protoLoaderStream;
  const decoded = s.requestDeserialize(s.requestSerialize(batch)) as PbMessageBatch;
  expect(decoded.cluster_id).toBe("7");
  expect(decoded.seq).toBe("3");
  return decoded.messages.map(decodeMessage);
}

const app = msg({
  type: "MsgApp",
  to: n(2),
  from: n(1),
  term: 5,
  logTerm: 4,
  index: 100,
  commit: 99,
  entries: [
    { term: 5, index: 101, type: "normal", data: bytes(1, 2, 3) },
    { term: 5, index: 102, type: "confChange", data: bytes(9) },
    { term: 5, index: 103, type: "normal", data: bytes() },
  ],
});
const snap = msg({
  type: "MsgSnap",
  to: n(3),
  from: n(1),
  term: 5,
  snapshot: {
    metadata: { index: 90, term: 4, confState: { voters: [n(1), n(2), n(3)], learners: [n(4)] } },
    data: bytes(7, 7, 7),
  },
});
const heartbeatEmptyCtx = msg({
  type: "MsgHeartbeat",
  to: n(2),
  from: n(1),
  term: 5,
  commit: 3,
  context: bytes(),
});
const readIndex = msg({ type: "MsgReadIndex", to: n(1), from: n(2), context: bytes(1, 2, 3, 4) });
const rejected = msg({
  type: "MsgAppResp",
  to: n(1),
  from: n(2),
  term: 5,
  index: 100,
  reject: true,
  rejectHint: 50,
});
const bigIds = msg({
  type: "MsgVote",
  to: n(2 ** 53 - 1),
  from: n(2 ** 40 + 3),
  term: 2 ** 52,
  logTerm: 1,
  index: 2,
});

describe("codec", () => {
  it("round-trips every kind of message through proto-loader's serializers unchanged", () => {
    const all = [app, snap, heartbeatEmptyCtx, readIndex, rejected, bigIds];
    expect(wireRoundTrip(all)).toEqual(all);
  });

  it("keeps an empty context apart from an absent one", () => {
    const [withEmpty, without] = wireRoundTrip([
      heartbeatEmptyCtx,
      msg({ ...heartbeatEmptyCtx, context: undefined }),
    ]);
    expect(withEmpty?.context).toEqual(bytes());
    expect(without).not.toHaveProperty("context");
  });

  it("hands out plain Uint8Arrays, not Buffers", () => {
    const [m] = wireRoundTrip([app]);
    expect(m?.entries[0]?.data.constructor).toBe(Uint8Array);
  });

  it("round-trips a snapshot chunk with its header message", () => {
    const chunk: PbSnapshotChunk = {
      cluster_id: "7",
      from: "1",
      message: encodeMessage({ ...snap, snapshot: { ...snap.snapshot!, data: bytes() } }),
      total_bytes: "3",
      offset: "0",
      data: bytes(7, 7, 7),
      last: true,
    };
    const s = methods.sendSnapshot;
    const back = s.requestDeserialize(s.requestSerialize(chunk)) as PbSnapshotChunk;
    expect(decodeMessage(back.message!)).toEqual({ ...snap, snapshot: { ...snap.snapshot!, data: bytes() } });
    expect(back.last).toBe(true);
    expect(decodeU64(back.total_bytes, "total")).toBe(3);
  });

  it("refuses integers above 2^53 - 1, unknown types and member id 0", () => {
    const base = encodeMessage(rejected);
    expect(() => decodeMessage({ ...base, term: "9007199254740993" })).toThrow(CodecError);
    expect(() => decodeMessage({ ...base, type: "MsgUnknown" })).toThrow(CodecError);
    expect(() => decodeMessage({ ...base, index: "-1" })).toThrow(CodecError);
    const withZeroVoter: PbMessage = {
      ...encodeMessage(snap),
      snapshot: {
        metadata: { index: "1", term: "1", conf_state: { voters: ["0"], learners: [] } },
        data: bytes(),
      },
    };
    expect(() => decodeMessage(withZeroVoter)).toThrow(CodecError);
    expect(() =>
      decodeMessage({ ...encodeMessage(snap), snapshot: { metadata: null, data: bytes() } }),
    ).toThrow(CodecError);
  });
});
