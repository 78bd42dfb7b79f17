import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Message, msg, nodeId } from "../../../libs/raft/index.js";
import { loadProtos } from "../../../proto/load.js";
import { CodecError, decodeMessage, encodeMessage, type PbMessageBatch, type PbStreamAck } from "./codec.js";
import { varintOfDecimal } from "./proto-wire.js";
import { decodeAck, decodeBatch, encodeAck, encodeBatch, encodeBatchHead } from "./stream-codec.js";
import { app, bytes, EVERY_SHAPE, heartbeatEmptyCtx, snap } from "./test-support/peer-messages.js";

/** proto-loader's serializers of the same .proto: the reference the hand codec must match. */
const reference = loadProtos().raftpb.RaftTransport.service["Stream"]!;
const n = nodeId;
/** The largest uint64: the cluster id is the one field that uses all 64 bits. */
const CLUSTER = "18446744073709551615";
const head = encodeBatchHead(varintOfDecimal(CLUSTER), n(1));

const bigApp = msg({
  ...app,
  entries: [...app.entries, { term: 5, index: 2 ** 40, type: "normal", data: new Uint8Array(300).fill(7) }],
});
const bigSnap = msg({
  ...snap,
  snapshot: {
    ...snap.snapshot!,
    metadata: { ...snap.snapshot!.metadata, confState: { voters: [n(1), n(300)], learners: [n(4)] } },
  },
});
const ALL: Message[] = [...EVERY_SHAPE, bigApp, bigSnap];

/** Hand-made protobuf fields for the refusal cases. */
const varintField = (field: number, v: number[]): number[] => [(field << 3) | 0, ...v];
const lenField = (field: number, body: number[]): number[] => [(field << 3) | 2, body.length, ...body];
const batchOf = (message: number[]): Buffer => Buffer.from([...varintField(2, [1]), ...lenField(3, message)]);

describe("stream codec (RaftTransport.Stream by hand)", () => {
  it("round-trips every kind of message, the full 64-bit cluster id and the seq", () => {
    const batch = decodeBatch(encodeBatch(head, ALL, 2 ** 33));
    expect(batch).toEqual({ clusterId: CLUSTER, from: n(1), seq: 2 ** 33, messages: ALL });
    expect(decodeAck(encodeAck(2 ** 33))).toBe(2 ** 33);
    expect(decodeAck(encodeAck(0))).toBe(0);
  });

  it("writes what proto-loader reads, and reads what proto-loader writes", () => {
    const ours = encodeBatch(head, ALL, 3);
    const read = reference.requestDeserialize(ours) as PbMessageBatch;
    expect(read.cluster_id).toBe(CLUSTER);
    expect(read.seq).toBe("3");
    expect(read.messages.map(decodeMessage)).toEqual(ALL);

    const theirs = reference.requestSerialize({
      cluster_id: CLUSTER,
      from: "1",
      seq: "3",
      messages: ALL.map(encodeMessage),
    } satisfies PbMessageBatch);
    expect(decodeBatch(theirs)).toEqual({ clusterId: CLUSTER, from: n(1), seq: 3, messages: ALL });
    expect(decodeAck(reference.responseSerialize({ seq: "12" } satisfies PbStreamAck))).toBe(12);
    expect((reference.responseDeserialize(encodeAck(12)) as PbStreamAck).seq).toBe("12");
  });

  it("keeps an empty context apart from an absent one, and hands out plain Uint8Arrays", () => {
    const [withEmpty, without] = decodeBatch(
      encodeBatch(head, [heartbeatEmptyCtx, msg({ ...heartbeatEmptyCtx, context: undefined })], 1),
    ).messages;
    expect(withEmpty?.context).toEqual(bytes());
    expect(without).not.toHaveProperty("context");
    expect(decodeBatch(encodeBatch(head, [app], 1)).messages[0]?.entries[0]?.data.constructor).toBe(
      Uint8Array,
    );
  });

  it("skips fields it does not know and accepts unpacked repeated ids", () => {
    const known = [...varintField(1, [4]), ...varintField(2, [2]), ...varintField(3, [1])];
    const unknown = [...varintField(15, [0x80, 0x01]), ...lenField(14, [1, 2, 3]), (13 << 3) | 5, 0, 0, 0, 0];
    const plain = decodeBatch(batchOf(known)).messages[0];
    expect(decodeBatch(batchOf([...unknown, ...known, ...unknown])).messages[0]).toEqual(plain);

    // ConfState{voters: 1, voters: 2} unpacked, inside Snapshot{metadata{conf_state}}.
    const confState = [...varintField(1, [1]), ...varintField(1, [2])];
    const snapshot = lenField(1, lenField(3, confState));
    const m = decodeBatch(batchOf([...varintField(1, [10]), ...lenField(9, snapshot)])).messages[0];
    expect(m?.snapshot?.metadata.confState.voters).toEqual([1, 2]);
  });

  it("refuses what Raft must not see, each with a CodecError naming the field", () => {
    const refusals: Array<[Buffer, RegExp]> = [
      [batchOf(varintField(1, [0])), /unknown type 0/],
      [batchOf(varintField(1, [20])), /unknown type 20/],
      // 2^53: one above the largest safe integer.
      [
        batchOf([
          ...varintField(1, [4]),
          ...varintField(4, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]),
        ]),
        /term: exceeds/,
      ],
      [batchOf([...varintField(1, [4]), ...lenField(7, varintField(3, [2]))]), /entry: unknown type 2/],
      [
        batchOf([...varintField(1, [10]), ...lenField(9, lenField(1, lenField(3, varintField(1, [0]))))]),
        /member id 0/,
      ],
      [batchOf([...varintField(1, [10]), ...lenField(9, [])]), /snapshot without metadata/],
      [batchOf([...varintField(1, [4]), ...lenField(2, [1])]), /message.to: wire type 2, expected 0/],
      [Buffer.from(lenField(3, varintField(1, [4]))), /batch.from: member id 0/],
      [Buffer.from([...varintField(1, Array(10).fill(0xff)), 1]), /cluster_id/],
      [Buffer.from([(3 << 3) | 2, 50, 1, 2]), /messages: 50 bytes, 2 left/],
      [Buffer.from([(15 << 3) | 6]), /unsupported wire type 6/],
    ];
    for (const [wire, why] of refusals) {
      expect(() => decodeBatch(wire)).toThrow(CodecError);
      expect(() => decodeBatch(wire)).toThrow(why);
    }
  });

  it("answers every cut and every flipped byte with a CodecError or a decoded batch, nothing else", () => {
    const wire = encodeBatch(head, ALL, 9);
    const outcome = (b: Buffer): "ok" | "refused" => {
      try {
        decodeBatch(b);
        return "ok";
      } catch (e) {
        if (e instanceof CodecError) return "refused";
        throw e;
      }
    };
    let refused = 0;
    for (let cut = 0; cut < wire.length; cut++) if (outcome(wire.subarray(0, cut)) === "refused") refused++;
    // Protobuf has no end marker: a cut between two batch fields is a valid, shorter batch.
    expect(refused).toBeGreaterThan(wire.length * 0.9);
    for (let i = 0; i < wire.length; i++) {
      const flipped = Buffer.from(wire);
      flipped[i] = flipped[i]! ^ 0xff;
      outcome(flipped);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
        outcome(Buffer.from(junk));
      }),
      { seed: 4, numRuns: 2000 },
    );
  });
});
