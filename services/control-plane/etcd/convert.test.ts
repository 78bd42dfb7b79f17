import { describe, expect, it } from "vitest";
import {
  EmptyKeyError,
  type KeyValue,
  LeaseTtlTooLargeError,
  leaseId,
  TXN_DEPTH_MAX,
} from "../../../libs/mvcc/index.js";
import {
  compareFromWire,
  eventToWire,
  INT_MAX,
  INT_MIN,
  int64,
  kvToWire,
  leaseIdOf,
  putFromWire,
  rangeFromWire,
  ttlSecOf,
  txnFromWire,
  watchFromWire,
} from "./convert.js";
import { InvalidArgumentError, TooManyOpsError } from "./errors.js";
import type { WireCompare, WireRangeRequest, WireRequestOp, WireTxnRequest } from "./wire.js";

const b = (s: string): Buffer => Buffer.from(s);
const EMPTY = Buffer.alloc(0);

/** A RangeRequest as proto-loader decodes it with defaults. */
function rangeReq(over: Partial<WireRangeRequest> = {}): WireRangeRequest {
  return {
    key: b("k"),
    range_end: EMPTY,
    limit: "0",
    revision: "0",
    sort_order: "NONE",
    sort_target: "KEY",
    serializable: false,
    keys_only: false,
    count_only: false,
    min_mod_revision: "0",
    max_mod_revision: "0",
    min_create_revision: "0",
    max_create_revision: "0",
    ...over,
  };
}

function compare(over: Partial<WireCompare>): WireCompare {
  return { result: "EQUAL", target: "VERSION", key: b("k"), range_end: EMPTY, ...over };
}

const putOp = (key: string): WireRequestOp => ({
  request: "request_put",
  request_put: {
    key: b(key),
    value: b("v"),
    lease: "0",
    prev_kv: false,
    ignore_value: false,
    ignore_lease: false,
  },
});

describe("int64 fields", () => {
  it("decimal strings within the store's range become numbers, at both ends", () => {
    expect(int64("0", "f")).toBe(0);
    expect(int64("-1", "f")).toBe(-1);
    expect(int64(String(INT_MAX), "f")).toBe(INT_MAX);
    expect(int64(String(INT_MIN), "f")).toBe(INT_MIN);
    expect(int64(42, "f")).toBe(42);
  });

  it("values beyond the store's range are refused with the field and the bound, never rounded", () => {
    expect(() => int64("9007199254740992", "revision")).toThrow(InvalidArgumentError);
    expect(() => int64("9223372036854775807", "revision")).toThrow(
      "flotilla: revision 9223372036854775807 is out of the supported range [-4503599627370496, 9007199254740991]",
    );
    expect(() => int64(String(INT_MIN - 1), "limit")).toThrow(/^flotilla: limit -4503599627370497 is out/);
    expect(() => int64("1.5", "f")).toThrow(InvalidArgumentError);
    expect(() => int64(0.5, "f")).toThrow(InvalidArgumentError);
  });

  it("lease ids are 0 or positive safe integers", () => {
    expect(leaseIdOf("0", "lease")).toBe(0);
    expect(leaseIdOf("7587868340071940616".slice(0, 15), "lease")).toBe(758786834007194);
    expect(() => leaseIdOf("-1", "lease")).toThrow(/lease -1 is out of the supported range \[0,/);
    expect(() => leaseIdOf("7587868340071940616", "lease")).toThrow(InvalidArgumentError);
  });

  it("a TTL above etcd's maximum is etcd's own error, however large", () => {
    expect(ttlSecOf("60", "TTL")).toBe(60);
    expect(() => ttlSecOf("9000000001", "TTL")).toThrow(LeaseTtlTooLargeError);
    expect(() => ttlSecOf("9223372036854775807", "TTL")).toThrow(LeaseTtlTooLargeError);
  });
});

describe("requests", () => {
  it("a range keeps bytes as given, maps enums, and leaves zero fields out", () => {
    const key = Buffer.from([0, 0xff, 0x80]);
    const r = rangeFromWire(
      rangeReq({ key, range_end: Buffer.from([0]), limit: "10", sort_order: "DESCEND", sort_target: "MOD" }),
    );
    expect(r).toEqual({
      key,
      rangeEnd: Buffer.from([0]),
      limit: 10,
      sortOrder: "descend",
      sortTarget: "mod",
    });
    expect(r.key).toBe(key);
  });

  it("an empty key is etcd's 'key is not provided'; unknown enum values are refused", () => {
    expect(() => rangeFromWire(rangeReq({ key: EMPTY }))).toThrow(EmptyKeyError);
    expect(() => rangeFromWire(rangeReq({ sort_order: 9 }))).toThrow(/sort_order has an unknown value 9/);
  });

  it("a put carries lease and flags only when set", () => {
    const p = putFromWire({
      key: b("k"),
      value: b("v"),
      lease: "5",
      prev_kv: true,
      ignore_value: false,
      ignore_lease: false,
    });
    expect(p).toEqual({ key: b("k"), value: b("v"), lease: leaseId(5), prevKv: true });
  });

  it("a compare reads the union member its target names; an absent one is zero", () => {
    expect(
      compareFromWire(compare({ target: "MOD", target_union: "mod_revision", mod_revision: "12" })),
    ).toEqual({
      key: b("k"),
      result: "equal",
      target: "mod",
      modRevision: 12,
    });
    expect(compareFromWire(compare({ target: "VERSION", result: "NOT_EQUAL" }))).toMatchObject({
      target: "version",
      version: 0,
      result: "notEqual",
    });
    expect(compareFromWire(compare({ target: "VALUE", value: b("x") }))).toMatchObject({
      target: "value",
      value: b("x"),
    });
    expect(compareFromWire(compare({ target: "LEASE", lease: "3" }))).toMatchObject({
      target: "lease",
      lease: 3,
    });
    expect(() => compareFromWire(compare({ target: 9 }))).toThrow(/compare.target/);
  });

  it("a txn converts nested branches and refuses too many ops, too deep nesting and empty ops", () => {
    const t: WireTxnRequest = {
      compare: [compare({ target: "CREATE", create_revision: "0" })],
      success: [
        putOp("a"),
        { request: "request_txn", request_txn: { compare: [], success: [putOp("b")], failure: [] } },
      ],
      failure: [],
    };
    const out = txnFromWire(t, { maxTxnOps: 128 });
    expect(out.success.map((op) => op.type)).toEqual(["put", "txn"]);
    expect(() =>
      txnFromWire({ compare: [], success: [putOp("a"), putOp("b")], failure: [] }, { maxTxnOps: 1 }),
    ).toThrow(TooManyOpsError);
    let deep: WireTxnRequest = { compare: [], success: [], failure: [] };
    for (let i = 0; i < TXN_DEPTH_MAX; i++)
      deep = { compare: [], success: [{ request: "request_txn", request_txn: deep }], failure: [] };
    expect(() => txnFromWire(deep, { maxTxnOps: 128 })).toThrow(/nesting deeper/);
    expect(() => txnFromWire({ compare: [], success: [{}], failure: [] }, { maxTxnOps: 128 })).toThrow(
      /no request/,
    );
  });

  it("a watch create maps an empty key to \\0, filters to flags, and leaves zeros out", () => {
    const w = watchFromWire({
      key: EMPTY,
      range_end: Buffer.from([0]),
      start_revision: "0",
      progress_notify: true,
      filters: ["NOPUT"],
      prev_kv: true,
      watch_id: "0",
      fragment: false,
    });
    expect(w).toEqual({
      key: new Uint8Array([0]),
      rangeEnd: Buffer.from([0]),
      prevKv: true,
      noPut: true,
      progressNotify: true,
    });
  });
});

describe("responses", () => {
  const kv: KeyValue = {
    key: new Uint8Array([1, 2]),
    createRevision: 3,
    modRevision: 4,
    version: 2,
    value: new Uint8Array([9]),
    lease: leaseId(7),
  };

  it("a kv keeps its bytes and numbers under etcd's field names", () => {
    expect(kvToWire(kv)).toEqual({
      key: kv.key,
      create_revision: 3,
      mod_revision: 4,
      version: 2,
      value: kv.value,
      lease: 7,
    });
  });

  it("events carry their type by name and prev_kv only when present", () => {
    expect(eventToWire({ type: "delete", kv })).toMatchObject({ type: "DELETE", prev_kv: null });
    expect(eventToWire({ type: "put", kv, prevKv: kv }).prev_kv).toMatchObject({ mod_revision: 4 });
  });
});
