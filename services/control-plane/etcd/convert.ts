/**
 * Wire (etcdserverpb, as decoded by proto-loader) ↔ store (libs/mvcc) conversion.
 *
 * Integers: the wire's int64 arrive as decimal strings; the store holds safe integers, and
 * its command codec holds signed values down to -2^52. A value outside that is refused with
 * INVALID_ARGUMENT naming the field, never truncated. Bytes: decoded Buffers are Uint8Arrays
 * and go to the store as they are; store bytes go to the encoder as they are.
 */
import {
  type Compare,
  type CompareResult,
  type DeleteRangeRequest,
  EmptyKeyError,
  type KeyValue,
  LEASE_TTL_SEC_MAX,
  type LeaseId,
  LeaseTtlTooLargeError,
  leaseId,
  type PutRequest,
  type RangeRequest,
  type RangeResult,
  type RequestOp,
  type ResponseOp,
  type SortOrder,
  type SortTarget,
  TXN_DEPTH_MAX,
  type TxnRequest,
  type TxnResult,
  type WatchEvent,
  type WatchRequest,
} from "../../../libs/mvcc/index.js";
import { InvalidArgumentError, TooManyOpsError } from "./errors.js";
import type {
  WireCompare,
  WireDeleteRangeRequest,
  WireDeleteRangeResponse,
  WireEvent,
  WireHeader,
  WireKeyValue,
  WireLong,
  WirePutRequest,
  WirePutResponse,
  WireRangeRequest,
  WireRangeResponse,
  WireRequestOp,
  WireResponseOp,
  WireTxnRequest,
  WireTxnResponse,
  WireWatchCreateRequest,
} from "./wire.js";

/** Smallest signed value the store's command codec holds. */
export const INT_MIN = -(2 ** 52);
/** Largest value the store holds. */
export const INT_MAX = Number.MAX_SAFE_INTEGER;
const INT_MIN_BIG = BigInt(INT_MIN);
const INT_MAX_BIG = BigInt(INT_MAX);

function parseBig(value: WireLong, field: string): bigint {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new InvalidArgumentError(`${field} must be an integer, got ${value}`);
    return BigInt(value);
  }
  if (!/^-?\d{1,20}$/.test(value)) throw new InvalidArgumentError(`${field} is not an integer: ${value}`);
  return BigInt(value);
}

/** A signed int64 field as a number in [INT_MIN, INT_MAX]; refused outside. */
export function int64(value: WireLong, field: string): number {
  const n = parseBig(value, field);
  if (n < INT_MIN_BIG || n > INT_MAX_BIG)
    throw new InvalidArgumentError(`${field} ${n} is out of the supported range [${INT_MIN}, ${INT_MAX}]`);
  return Number(n);
}

/** A lease id: 0 (none) or a positive safe integer. Negative or larger ids are refused. */
export function leaseIdOf(value: WireLong, field: string): LeaseId {
  const n = parseBig(value, field);
  if (n < 0n || n > INT_MAX_BIG)
    throw new InvalidArgumentError(`${field} ${n} is out of the supported range [0, ${INT_MAX}]`);
  return leaseId(Number(n));
}

/** A lease TTL: above etcd's maximum is etcd's own error, whatever its size. */
export function ttlSecOf(value: WireLong, field: string): number {
  const n = parseBig(value, field);
  if (n > BigInt(LEASE_TTL_SEC_MAX)) throw new LeaseTtlTooLargeError(Number(n), LEASE_TTL_SEC_MAX);
  return int64(value, field);
}

const SORT_ORDER_BY_NAME: Readonly<Record<string, SortOrder>> = {
  NONE: "none",
  ASCEND: "ascend",
  DESCEND: "descend",
};
const SORT_TARGET_BY_NAME: Readonly<Record<string, SortTarget>> = {
  KEY: "key",
  VERSION: "version",
  CREATE: "create",
  MOD: "mod",
  VALUE: "value",
};
const COMPARE_RESULT_BY_NAME: Readonly<Record<string, CompareResult>> = {
  EQUAL: "equal",
  GREATER: "greater",
  LESS: "less",
  NOT_EQUAL: "notEqual",
};

/** An enum value by name; unknown values (decoded as numbers, or other names) are refused. */
function enumOf<T>(table: Readonly<Record<string, T>>, value: string | number, field: string): T {
  const v = typeof value === "string" ? table[value] : undefined;
  if (v === undefined) throw new InvalidArgumentError(`${field} has an unknown value ${value}`);
  return v;
}

/** An optional field: left out when zero, as the store's types read absent as zero. */
function nonZero<K extends string>(key: K, n: number): { [P in K]?: number } {
  return (n === 0 ? {} : { [key]: n }) as { [P in K]?: number };
}

export function rangeFromWire(r: WireRangeRequest): RangeRequest {
  if (r.key.length === 0) throw new EmptyKeyError();
  return {
    key: r.key,
    ...(r.range_end.length > 0 ? { rangeEnd: r.range_end } : {}),
    ...nonZero("limit", int64(r.limit, "limit")),
    ...nonZero("revision", int64(r.revision, "revision")),
    sortOrder: enumOf(SORT_ORDER_BY_NAME, r.sort_order, "sort_order"),
    sortTarget: enumOf(SORT_TARGET_BY_NAME, r.sort_target, "sort_target"),
    ...(r.keys_only ? { keysOnly: true } : {}),
    ...(r.count_only ? { countOnly: true } : {}),
    ...nonZero("minModRevision", int64(r.min_mod_revision, "min_mod_revision")),
    ...nonZero("maxModRevision", int64(r.max_mod_revision, "max_mod_revision")),
    ...nonZero("minCreateRevision", int64(r.min_create_revision, "min_create_revision")),
    ...nonZero("maxCreateRevision", int64(r.max_create_revision, "max_create_revision")),
  };
}

export function putFromWire(p: WirePutRequest): PutRequest {
  if (p.key.length === 0) throw new EmptyKeyError();
  const lease = leaseIdOf(p.lease, "lease");
  return {
    key: p.key,
    value: p.value,
    ...(lease !== 0 ? { lease } : {}),
    ...(p.prev_kv ? { prevKv: true } : {}),
    ...(p.ignore_value ? { ignoreValue: true } : {}),
    ...(p.ignore_lease ? { ignoreLease: true } : {}),
  };
}

export function deleteFromWire(d: WireDeleteRangeRequest): DeleteRangeRequest {
  if (d.key.length === 0) throw new EmptyKeyError();
  return {
    key: d.key,
    ...(d.range_end.length > 0 ? { rangeEnd: d.range_end } : {}),
    ...(d.prev_kv ? { prevKv: true } : {}),
  };
}

/** The union member `target` names; etcd reads an absent one as zero. */
export function compareFromWire(c: WireCompare): Compare {
  const base = {
    key: c.key,
    ...(c.range_end.length > 0 ? { rangeEnd: c.range_end } : {}),
    result: enumOf(COMPARE_RESULT_BY_NAME, c.result, "compare.result"),
  };
  switch (c.target) {
    case "VERSION":
      return { ...base, target: "version", version: int64(c.version ?? 0, "compare.version") };
    case "CREATE":
      return {
        ...base,
        target: "create",
        createRevision: int64(c.create_revision ?? 0, "compare.create_revision"),
      };
    case "MOD":
      return { ...base, target: "mod", modRevision: int64(c.mod_revision ?? 0, "compare.mod_revision") };
    case "VALUE":
      return { ...base, target: "value", value: c.value ?? new Uint8Array(0) };
    case "LEASE":
      return { ...base, target: "lease", lease: leaseIdOf(c.lease ?? 0, "compare.lease") };
    default:
      throw new InvalidArgumentError(`compare.target has an unknown value ${c.target}`);
  }
}

export interface TxnLimits {
  /** etcd's --max-txn-ops: compares, and ops per branch, at every level. */
  readonly maxTxnOps: number;
}

function opFromWire(op: WireRequestOp, limits: TxnLimits, depth: number): RequestOp {
  switch (op.request) {
    case "request_range":
      if (op.request_range == null) break;
      return { type: "range", range: rangeFromWire(op.request_range) };
    case "request_put":
      if (op.request_put == null) break;
      return { type: "put", put: putFromWire(op.request_put) };
    case "request_delete_range":
      if (op.request_delete_range == null) break;
      return { type: "deleteRange", deleteRange: deleteFromWire(op.request_delete_range) };
    case "request_txn":
      if (op.request_txn == null) break;
      return { type: "txn", txn: txnFromWire(op.request_txn, limits, depth + 1) };
    case undefined:
      break;
  }
  throw new InvalidArgumentError("a txn request op carries no request");
}

export function txnFromWire(t: WireTxnRequest, limits: TxnLimits, depth = 0): TxnRequest {
  if (depth >= TXN_DEPTH_MAX) throw new InvalidArgumentError(`txn nesting deeper than ${TXN_DEPTH_MAX}`);
  if (Math.max(t.compare.length, t.success.length, t.failure.length) > limits.maxTxnOps)
    throw new TooManyOpsError();
  return {
    compare: t.compare.map(compareFromWire),
    success: t.success.map((op) => opFromWire(op, limits, depth)),
    failure: t.failure.map((op) => opFromWire(op, limits, depth)),
  };
}

export function kvToWire(kv: KeyValue): WireKeyValue {
  return {
    key: kv.key,
    create_revision: kv.createRevision,
    mod_revision: kv.modRevision,
    version: kv.version,
    value: kv.value,
    lease: kv.lease,
  };
}

export function rangeToWire(r: RangeResult, header: WireHeader): WireRangeResponse {
  return { header, kvs: r.kvs.map(kvToWire), more: r.more, count: r.count };
}

export function putToWire(prevKv: KeyValue | undefined, header: WireHeader): WirePutResponse {
  return { header, prev_kv: prevKv === undefined ? null : kvToWire(prevKv) };
}

export function deleteToWire(
  r: { deleted: number; prevKvs: readonly KeyValue[] },
  header: WireHeader,
): WireDeleteRangeResponse {
  return { header, deleted: r.deleted, prev_kvs: r.prevKvs.map(kvToWire) };
}

function responseOpToWire(op: ResponseOp, header: WireHeader): WireResponseOp {
  switch (op.type) {
    case "range":
      return { response_range: rangeToWire(op.range, header) };
    case "put":
      return { response_put: putToWire(op.put.prevKv, header) };
    case "deleteRange":
      return { response_delete_range: deleteToWire(op.deleteRange, header) };
    case "txn":
      return { response_txn: txnToWire(op.txn, header) };
  }
}

/** Nested responses carry the txn's header, as etcd fills their revision with the txn's. */
export function txnToWire(t: TxnResult, header: WireHeader): WireTxnResponse {
  return {
    header,
    succeeded: t.succeeded,
    responses: t.responses.map((op) => responseOpToWire(op, header)),
  };
}

const ZERO_KEY = new Uint8Array([0]);

/**
 * A watch create request. As etcd: an empty key means "\0" (the smallest key), so
 * `key="" range_end="\0"` watches everything; filters name event types to drop.
 */
export function watchFromWire(c: WireWatchCreateRequest): WatchRequest {
  const start = int64(c.start_revision, "start_revision");
  let noPut = false;
  let noDelete = false;
  for (const f of c.filters) {
    if (f === "NOPUT") noPut = true;
    else if (f === "NODELETE") noDelete = true;
    else throw new InvalidArgumentError(`filters has an unknown value ${f}`);
  }
  return {
    key: c.key.length === 0 ? ZERO_KEY : c.key,
    ...(c.range_end.length > 0 ? { rangeEnd: c.range_end } : {}),
    ...(start !== 0 ? { startRevision: start } : {}),
    ...(c.prev_kv ? { prevKv: true } : {}),
    ...(noPut ? { noPut: true } : {}),
    ...(noDelete ? { noDelete: true } : {}),
    ...(c.progress_notify ? { progressNotify: true } : {}),
  };
}

export function eventToWire(e: WatchEvent): WireEvent {
  return {
    type: e.type === "put" ? "PUT" : "DELETE",
    kv: kvToWire(e.kv),
    prev_kv: e.prevKv === undefined ? null : kvToWire(e.prevKv),
  };
}
