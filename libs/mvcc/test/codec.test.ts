import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Command,
  type Compare,
  crc32,
  decodeCommand,
  encodeCommand,
  type RangeRequest,
  type RequestOp,
  TXN_DEPTH_MAX,
  type TxnRequest,
} from "../index.js";
import { b } from "./helpers.js";

const bytes = fc.uint8Array({ minLength: 1, maxLength: 12 });
const int64ish = fc.integer({ min: -(2 ** 52), max: Number.MAX_SAFE_INTEGER }).filter((n) => n !== 0);
const lease = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((n) => n as never);
const yes = fc.constant(true);

const range: fc.Arbitrary<RangeRequest> = fc.record(
  {
    key: bytes,
    rangeEnd: bytes,
    limit: int64ish,
    revision: int64ish,
    sortOrder: fc.constantFrom("ascend", "descend"),
    sortTarget: fc.constantFrom("version", "create", "mod", "value"),
    keysOnly: yes,
    countOnly: yes,
    minModRevision: int64ish,
    maxModRevision: int64ish,
    minCreateRevision: int64ish,
    maxCreateRevision: int64ish,
  },
  { requiredKeys: ["key"] },
) as fc.Arbitrary<RangeRequest>;

const put = fc.record(
  {
    key: bytes,
    value: fc.uint8Array({ maxLength: 64 }),
    lease,
    prevKv: yes,
    ignoreValue: yes,
    ignoreLease: yes,
  },
  { requiredKeys: ["key", "value"] },
);
const del = fc.record({ key: bytes, rangeEnd: bytes, prevKv: yes }, { requiredKeys: ["key"] });

const compare: fc.Arbitrary<Compare> = fc
  .oneof(
    fc.record({ target: fc.constant("version" as const), version: int64ish }),
    fc.record({ target: fc.constant("create" as const), createRevision: fc.integer() }),
    fc.record({ target: fc.constant("mod" as const), modRevision: fc.integer() }),
    fc.record({ target: fc.constant("value" as const), value: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ target: fc.constant("lease" as const), lease: fc.nat().map((n) => n as never) }),
  )
  .chain((t) =>
    fc
      .record(
        { key: bytes, rangeEnd: bytes, result: fc.constantFrom("equal", "greater", "less", "notEqual") },
        { requiredKeys: ["key", "result"] },
      )
      .map((base) => ({ ...base, ...t }) as Compare),
  );

const { txn } = fc.letrec<{ txn: TxnRequest; op: RequestOp }>((tie) => ({
  op: fc.oneof(
    { depthSize: "small" },
    range.map((r): RequestOp => ({ type: "range", range: r })),
    put.map((p): RequestOp => ({ type: "put", put: p })),
    del.map((d): RequestOp => ({ type: "deleteRange", deleteRange: d })),
    tie("txn").map((t): RequestOp => ({ type: "txn", txn: t as TxnRequest })),
  ),
  txn: fc.record({
    compare: fc.array(compare, { maxLength: 3 }),
    success: fc.array(tie("op") as fc.Arbitrary<RequestOp>, { maxLength: 3 }),
    failure: fc.array(tie("op") as fc.Arbitrary<RequestOp>, { maxLength: 3 }),
  }),
}));

const command: fc.Arbitrary<Command> = fc.oneof(
  range.map((r): Command => ({ type: "range", range: r })),
  put.map((p): Command => ({ type: "put", put: p })),
  del.map((d): Command => ({ type: "deleteRange", deleteRange: d })),
  txn.map((t): Command => ({ type: "txn", txn: t })),
  fc
    .record({ revision: int64ish, physical: yes }, { requiredKeys: ["revision"] })
    .map((c): Command => ({ type: "compact", compact: c })),
  fc
    .record({ id: fc.nat().map((n) => n as never), ttlSec: fc.integer() })
    .map((g): Command => ({ type: "leaseGrant", leaseGrant: g })),
  lease.map((id): Command => ({ type: "leaseRevoke", leaseRevoke: { id } })),
);

describe("command codec", () => {
  it("every command round-trips with every field", () => {
    fc.assert(
      fc.property(command, (cmd) => {
        const decoded = decodeCommand(encodeCommand(cmd));
        expect(decoded).toEqual({ ok: true, command: cmd });
      }),
      { numRuns: 2000 },
    );
  });

  it("a put encodes compactly: key and value plus a few bytes", () => {
    const data = encodeCommand({ type: "put", put: { key: new Uint8Array(8), value: new Uint8Array(256) } });
    expect(data.length).toBeLessThanOrEqual(8 + 256 + 8);
  });

  it("random garbage never throws: it decodes or gives a typed decode error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        const r = decodeCommand(garbage);
        if (!r.ok) expect(r.error.code).toBe("commandDecode");
      }),
      { numRuns: 5000 },
    );
  });

  it("every truncation and every single-bit flip of a valid command is handled without a throw", () => {
    fc.assert(
      fc.property(command, fc.nat(), (cmd, seed) => {
        const data = encodeCommand(cmd);
        for (let cut = 0; cut < data.length; cut++)
          expect(decodeCommand(data.subarray(0, cut)).ok).toBe(false);
        const flipped = Uint8Array.from(data);
        const bit = seed % (data.length * 8);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const r = decodeCommand(flipped);
        if (!r.ok) expect(r.error.name).toBe("CommandDecodeError");
      }),
      { numRuns: 300 },
    );
  });

  it("unknown versions, tags, trailing bytes and absurd nesting are refused", () => {
    const good = encodeCommand({ type: "leaseRevoke", leaseRevoke: { id: 1 as never } });
    expect(decodeCommand(Uint8Array.from([9, ...good.subarray(1)])).ok).toBe(false);
    expect(decodeCommand(Uint8Array.from([1, 200])).ok).toBe(false);
    expect(decodeCommand(Uint8Array.from([...good, 0])).ok).toBe(false);
    let deep: TxnRequest = { compare: [], success: [], failure: [] };
    for (let i = 0; i < TXN_DEPTH_MAX + 1; i++)
      deep = { compare: [], success: [{ type: "txn", txn: deep }], failure: [] };
    const r = decodeCommand(encodeCommand({ type: "txn", txn: deep }));
    expect(!r.ok && r.error.message).toMatch(/nested deeper/);
  });

  it("a huge claimed count is refused before any allocation", () => {
    // version 1, tag txn, compare count = 2^35
    const r = decodeCommand(Uint8Array.from([1, 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expect(!r.ok && r.error.message).toMatch(/exceeds the input/);
  });
});

describe("crc32", () => {
  it("matches the IEEE check value", () => {
    expect(crc32(b("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
