import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Message, type MessageType, msg, nodeId } from "../../../libs/raft/index.js";
import { FrameReader } from "./frame-reader.js";
import {
  encodeBatch,
  encodeHello,
  encodeSnapHeader,
  FRAME_HEADER_BYTES,
  FrameError,
  FrameKind,
  PEER_PROTOCOL_VERSION,
  Purpose,
} from "./peer-frames.js";
import { decodeBatch, decodeHello, decodeSnapHeader } from "./peer-frames-decode.js";

const TYPES: MessageType[] = [
  "MsgProp",
  "MsgApp",
  "MsgAppResp",
  "MsgVote",
  "MsgVoteResp",
  "MsgPreVote",
  "MsgPreVoteResp",
  "MsgHeartbeat",
  "MsgHeartbeatResp",
  "MsgTransferLeader",
  "MsgTimeoutNow",
  "MsgReadIndex",
  "MsgReadIndexResp",
];

const u64 = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER));
const bytes = fc.uint8Array({ maxLength: 40 });
const entry = fc.record({
  term: u64,
  index: u64,
  type: fc.constantFrom("normal" as const, "confChange" as const),
  data: bytes,
});
const message: fc.Arbitrary<Message> = fc
  .record({
    type: fc.constantFrom(...TYPES),
    to: fc.integer({ min: 1, max: 2 ** 40 }),
    from: fc.integer({ min: 1, max: 2 ** 40 }),
    term: u64,
    logTerm: u64,
    index: u64,
    entries: fc.array(entry, { maxLength: 4 }),
    commit: u64,
    reject: fc.boolean(),
    rejectHint: u64,
    context: fc.option(bytes, { nil: undefined }),
  })
  .map(({ context, to, from, ...m }) =>
    msg({ ...m, to: nodeId(to), from: nodeId(from), ...(context !== undefined ? { context } : {}) }),
  );

/** The body of a single encoded frame, checked to be of `kind`. */
function body(frame: Buffer, kind: number): Buffer {
  expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
  expect(frame[4]).toBe(kind);
  return frame.subarray(FRAME_HEADER_BYTES);
}

describe("peer frames", () => {
  it("decode every batch of messages to what was encoded, presence of context included", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (messages) => {
        const decoded = decodeBatch(body(encodeBatch(messages), FrameKind.batch));
        expect(decoded).toEqual(messages);
        expect(decoded.map((m) => "context" in m)).toEqual(messages.map((m) => m.context !== undefined));
      }),
    );
  });

  it("refuse a batch cut short at any byte, or with bytes left over", () => {
    const m = msg({
      type: "MsgApp",
      to: nodeId(2),
      from: nodeId(1),
      term: 3,
      entries: [{ term: 3, index: 7, type: "normal", data: new Uint8Array([1, 2, 3]) }],
      context: new Uint8Array([9]),
    });
    const full = body(encodeBatch([m]), FrameKind.batch);
    for (let cut = 0; cut < full.length; cut++)
      expect(() => decodeBatch(full.subarray(0, cut)), `cut at ${cut}`).toThrow(FrameError);
    expect(() => decodeBatch(Buffer.concat([full, Buffer.from([0])]))).toThrow(/left over/);
  });

  it("refuse unknown message types, flags and values above 2^53 - 1", () => {
    const m = msg({ type: "MsgHeartbeat", to: nodeId(2), from: nodeId(1), term: 1 });
    const good = body(encodeBatch([m]), FrameKind.batch);
    const withByte = (at: number, v: number): Buffer => {
      const b = Buffer.from(good);
      b[at] = v;
      return b;
    };
    expect(() => decodeBatch(withByte(4, 0))).toThrow(/unknown type 0/);
    expect(() => decodeBatch(withByte(4, 99))).toThrow(/unknown type 99/);
    expect(() => decodeBatch(withByte(5, 8))).toThrow(/unknown bits/);
    expect(() => decodeBatch(withByte(6 + 16, 0xff))).toThrow(/exceeds 2\^53 - 1/);
  });

  it("carry a MsgSnap header with its metadata and the data's length, without the data", () => {
    const m = msg({
      type: "MsgSnap",
      to: nodeId(2),
      from: nodeId(1),
      term: 4,
      snapshot: {
        metadata: {
          index: 40,
          term: 3,
          confState: { voters: [nodeId(1), nodeId(2)], learners: [nodeId(5)] },
        },
        data: new Uint8Array(1000),
      },
    });
    const h = decodeSnapHeader(body(encodeSnapHeader(m, 1000), FrameKind.snapHeader));
    expect(h.totalBytes).toBe(1000);
    expect(h.message).toEqual({
      ...m,
      snapshot: { metadata: m.snapshot!.metadata, data: new Uint8Array(0) },
    });
  });

  it("say who is calling in a HELLO, and refuse another protocol version", () => {
    const hello = {
      purpose: Purpose.messages,
      from: nodeId(3),
      to: nodeId(1),
      clusterId: "18446744073709551615",
    };
    const b = body(encodeHello(hello), FrameKind.hello);
    expect(decodeHello(b)).toEqual({ ...hello, version: PEER_PROTOCOL_VERSION });
    const other = Buffer.from(b);
    other[0] = PEER_PROTOCOL_VERSION + 1;
    expect(() => decodeHello(other)).toThrow(/version/);
  });
});

describe("frame reader", () => {
  const frames = [
    encodeBatch([msg({ type: "MsgHeartbeat", to: nodeId(2), from: nodeId(1), term: 1, commit: 1 })]),
    encodeHello({ purpose: Purpose.snapshot, from: nodeId(1), to: nodeId(2), clusterId: "7" }),
    encodeBatch([]),
  ];
  const stream = Buffer.concat(frames);

  it("hands on the same frames however the stream is split into chunks", () => {
    for (let a = 0; a <= stream.length; a++) {
      for (const b of [a, Math.min(stream.length, a + 1), Math.min(stream.length, a + 7)]) {
        const got: Array<[number, string]> = [];
        const r = new FrameReader(1024, (kind, bodyBytes) => got.push([kind, bodyBytes.toString("hex")]));
        r.push(stream.subarray(0, a));
        r.push(stream.subarray(a, b));
        r.push(stream.subarray(b));
        expect(got, `split at ${a} and ${b}`).toEqual(
          frames.map((f) => [f[4], f.subarray(FRAME_HEADER_BYTES).toString("hex")]),
        );
      }
    }
  });

  it("refuses a frame announcing more than the limit before buffering it", () => {
    const r = new FrameReader(16, () => {});
    const header = Buffer.from([0, 0, 1, 0, FrameKind.batch]);
    expect(() => r.push(header)).toThrow(/exceeds the limit of 16/);
    expect(() => new FrameReader(16, () => {}).push(Buffer.from([0, 0, 0, 0, 1]))).toThrow(/without a kind/);
  });
});
