import { describe, expect, it } from "vitest";
import { type Message, msg } from "../../../libs/raft/index.js";
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
import { app, bytes, EVERY_SHAPE, heartbeatEmptyCtx, rejected, snap } from "./test-support/peer-messages.js";
import { raftMethods } from "./transport-types.js";

const methods = raftMethods(loadProtos());
/** proto-loader's own MessageBatch serializers (the transport's Stream encodes by hand: stream-codec.ts). */
const protoLoaderStream = loadProtos().raftpb.RaftTransport.service["Stream"]!;

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

describe("codec", () => {
  it("round-trips every kind of message through proto-loader's serializers unchanged", () => {
    const all = EVERY_SHAPE;
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
