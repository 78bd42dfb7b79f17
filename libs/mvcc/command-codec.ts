/**
 * The replicated command format: what a Raft entry's data holds. Binary, not JSON: every
 * master decodes every entry on the write path. Layout: a format version byte, a command tag,
 * then the fields in a fixed order (varints, zigzag varints for int64 fields that may be
 * negative, length-prefixed byte strings, one flags byte for booleans). Defaults decode as
 * absent fields, so decode(encode(c)) equals c when c leaves defaults out.
 *
 * Enum codes are etcd's proto numbers, so the gRPC edge can pass them through.
 *
 * Decoded byte strings are views into the entry's buffer (no copy): the store keeps values as
 * given, so a decoded entry's buffer lives as long as its value does.
 */
import { ByteReader, type ByteSource, ByteWriter } from "./binary.js";
import { CommandDecodeError } from "./errors.js";
import type {
  Command,
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  LeaseId,
  PutRequest,
  RangeRequest,
  RequestOp,
  SortOrder,
  SortTarget,
  TxnRequest,
} from "./types.js";

const FORMAT_VERSION = 1;
/** Deeper nesting is refused: decoding recurses once per level. */
export const TXN_DEPTH_MAX = 32;

/** etcd's RangeRequest.SortOrder numbers. */
export const SORT_ORDERS: readonly SortOrder[] = ["none", "ascend", "descend"];
/** etcd's RangeRequest.SortTarget numbers. */
export const SORT_TARGETS: readonly SortTarget[] = ["key", "version", "create", "mod", "value"];
/** etcd's Compare.CompareResult numbers. */
export const COMPARE_RESULTS: readonly CompareResult[] = ["equal", "greater", "less", "notEqual"];
/** etcd's Compare.CompareTarget numbers. */
export const COMPARE_TARGETS: readonly CompareTarget[] = ["version", "create", "mod", "value", "lease"];

const TAGS = ["range", "put", "deleteRange", "txn", "compact", "leaseGrant", "leaseRevoke"] as const;
const OP_TAGS = ["range", "put", "deleteRange", "txn"] as const;
const EMPTY = new Uint8Array(0);

function fail(reason: string): CommandDecodeError {
  return new CommandDecodeError(reason);
}

// ---- encode ----

function writeRange(w: ByteWriter, r: RangeRequest): void {
  w.bytes(r.key);
  w.bytes(r.rangeEnd ?? EMPTY);
  w.u8((r.keysOnly === true ? 1 : 0) | (r.countOnly === true ? 2 : 0));
  w.svarint(r.limit ?? 0);
  w.svarint(r.revision ?? 0);
  w.u8(SORT_ORDERS.indexOf(r.sortOrder ?? "none"));
  w.u8(SORT_TARGETS.indexOf(r.sortTarget ?? "key"));
  w.svarint(r.minModRevision ?? 0);
  w.svarint(r.maxModRevision ?? 0);
  w.svarint(r.minCreateRevision ?? 0);
  w.svarint(r.maxCreateRevision ?? 0);
}

function writePut(w: ByteWriter, p: PutRequest): void {
  w.bytes(p.key);
  w.bytes(p.value);
  w.uvarint(p.lease ?? 0);
  w.u8((p.prevKv === true ? 1 : 0) | (p.ignoreValue === true ? 2 : 0) | (p.ignoreLease === true ? 4 : 0));
}

function writeDelete(w: ByteWriter, d: DeleteRangeRequest): void {
  w.bytes(d.key);
  w.bytes(d.rangeEnd ?? EMPTY);
  w.u8(d.prevKv === true ? 1 : 0);
}

function writeCompare(w: ByteWriter, c: Compare): void {
  w.bytes(c.key);
  w.bytes(c.rangeEnd ?? EMPTY);
  w.u8(COMPARE_TARGETS.indexOf(c.target));
  w.u8(COMPARE_RESULTS.indexOf(c.result));
  switch (c.target) {
    case "version":
      w.svarint(c.version);
      break;
    case "create":
      w.svarint(c.createRevision);
      break;
    case "mod":
      w.svarint(c.modRevision);
      break;
    case "value":
      w.bytes(c.value);
      break;
    case "lease":
      w.uvarint(c.lease);
      break;
  }
}

function writeOps(w: ByteWriter, ops: readonly RequestOp[]): void {
  w.uvarint(ops.length);
  for (const op of ops) {
    w.u8(OP_TAGS.indexOf(op.type));
    switch (op.type) {
      case "range":
        writeRange(w, op.range);
        break;
      case "put":
        writePut(w, op.put);
        break;
      case "deleteRange":
        writeDelete(w, op.deleteRange);
        break;
      case "txn":
        writeTxn(w, op.txn);
        break;
    }
  }
}

function writeTxn(w: ByteWriter, t: TxnRequest): void {
  w.uvarint(t.compare.length);
  for (const c of t.compare) writeCompare(w, c);
  writeOps(w, t.success);
  writeOps(w, t.failure);
}

/** Encodes a command for a Raft entry. */
export function encodeCommand(cmd: Command): Uint8Array {
  const w = new ByteWriter(cmd.type === "put" ? cmd.put.key.length + cmd.put.value.length + 24 : 128);
  w.u8(FORMAT_VERSION);
  w.u8(TAGS.indexOf(cmd.type));
  switch (cmd.type) {
    case "range":
      writeRange(w, cmd.range);
      break;
    case "put":
      writePut(w, cmd.put);
      break;
    case "deleteRange":
      writeDelete(w, cmd.deleteRange);
      break;
    case "txn":
      writeTxn(w, cmd.txn);
      break;
    case "compact":
      w.svarint(cmd.compact.revision);
      w.u8(cmd.compact.physical === true ? 1 : 0);
      break;
    case "leaseGrant":
      w.uvarint(cmd.leaseGrant.id);
      w.svarint(cmd.leaseGrant.ttlSec);
      break;
    case "leaseRevoke":
      w.uvarint(cmd.leaseRevoke.id);
      break;
  }
  return w.finish();
}

// ---- decode ----

function flags(r: ByteSource, allowed: number): number {
  const f = r.u8();
  if ((f & ~allowed) !== 0) throw fail(`unknown flag bits ${f}`);
  return f;
}

function pick<T>(table: readonly T[], code: number, what: string): T {
  const v = table[code];
  if (v === undefined) throw fail(`unknown ${what} ${code}`);
  return v;
}

/** Decoders build requests field by field, leaving defaults out. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readRange(r: ByteSource): RangeRequest {
  const out: Mutable<RangeRequest> = { key: r.bytes(Number.MAX_SAFE_INTEGER) };
  const rangeEnd = r.bytes(Number.MAX_SAFE_INTEGER);
  if (rangeEnd.length > 0) out.rangeEnd = rangeEnd;
  const f = flags(r, 3);
  if (f & 1) out.keysOnly = true;
  if (f & 2) out.countOnly = true;
  const limit = r.svarint();
  if (limit !== 0) out.limit = limit;
  const revision = r.svarint();
  if (revision !== 0) out.revision = revision;
  const order = pick(SORT_ORDERS, r.u8(), "sort order");
  if (order !== "none") out.sortOrder = order;
  const target = pick(SORT_TARGETS, r.u8(), "sort target");
  if (target !== "key") out.sortTarget = target;
  const minMod = r.svarint();
  if (minMod !== 0) out.minModRevision = minMod;
  const maxMod = r.svarint();
  if (maxMod !== 0) out.maxModRevision = maxMod;
  const minCreate = r.svarint();
  if (minCreate !== 0) out.minCreateRevision = minCreate;
  const maxCreate = r.svarint();
  if (maxCreate !== 0) out.maxCreateRevision = maxCreate;
  return out;
}

function readPut(r: ByteSource): PutRequest {
  const out: Mutable<PutRequest> = {
    key: r.bytes(Number.MAX_SAFE_INTEGER),
    value: r.bytes(Number.MAX_SAFE_INTEGER),
  };
  const lease = r.uvarint() as LeaseId;
  if (lease !== 0) out.lease = lease;
  const f = flags(r, 7);
  if (f & 1) out.prevKv = true;
  if (f & 2) out.ignoreValue = true;
  if (f & 4) out.ignoreLease = true;
  return out;
}

function readDelete(r: ByteSource): DeleteRangeRequest {
  const out: Mutable<DeleteRangeRequest> = { key: r.bytes(Number.MAX_SAFE_INTEGER) };
  const rangeEnd = r.bytes(Number.MAX_SAFE_INTEGER);
  if (rangeEnd.length > 0) out.rangeEnd = rangeEnd;
  if (flags(r, 1) & 1) out.prevKv = true;
  return out;
}

function readCompare(r: ByteSource): Compare {
  const key = r.bytes(Number.MAX_SAFE_INTEGER);
  const rangeEnd = r.bytes(Number.MAX_SAFE_INTEGER);
  const target = pick(COMPARE_TARGETS, r.u8(), "compare target");
  const result = pick(COMPARE_RESULTS, r.u8(), "compare result");
  const base = rangeEnd.length > 0 ? { key, rangeEnd, result } : { key, result };
  switch (target) {
    case "version":
      return { ...base, target, version: r.svarint() };
    case "create":
      return { ...base, target, createRevision: r.svarint() };
    case "mod":
      return { ...base, target, modRevision: r.svarint() };
    case "value":
      return { ...base, target, value: r.bytes(Number.MAX_SAFE_INTEGER) };
    case "lease":
      return { ...base, target, lease: r.uvarint() as LeaseId };
  }
}

/** A count read from the input can claim at most one item per remaining byte; refuse more up front. */
function count(r: ByteSource, remaining: number): number {
  const n = r.uvarint();
  if (n > remaining) throw fail(`count ${n} exceeds the input`);
  return n;
}

function readOps(r: ByteSource, depth: number, inputBytes: number): RequestOp[] {
  const n = count(r, inputBytes);
  const ops: RequestOp[] = [];
  for (let i = 0; i < n; i++) {
    const tag = pick(OP_TAGS, r.u8(), "op");
    switch (tag) {
      case "range":
        ops.push({ type: "range", range: readRange(r) });
        break;
      case "put":
        ops.push({ type: "put", put: readPut(r) });
        break;
      case "deleteRange":
        ops.push({ type: "deleteRange", deleteRange: readDelete(r) });
        break;
      case "txn":
        ops.push({ type: "txn", txn: readTxn(r, depth + 1, inputBytes) });
        break;
    }
  }
  return ops;
}

function readTxn(r: ByteSource, depth: number, inputBytes: number): TxnRequest {
  if (depth > TXN_DEPTH_MAX) throw fail(`txn nested deeper than ${TXN_DEPTH_MAX}`);
  const n = count(r, inputBytes);
  const compare: Compare[] = [];
  for (let i = 0; i < n; i++) compare.push(readCompare(r));
  const success = readOps(r, depth, inputBytes);
  const failure = readOps(r, depth, inputBytes);
  return { compare, success, failure };
}

function readCommand(r: ByteSource, inputBytes: number): Command {
  const version = r.u8();
  if (version !== FORMAT_VERSION) throw fail(`unknown format version ${version}`);
  const tag = pick(TAGS, r.u8(), "command");
  switch (tag) {
    case "range":
      return { type: "range", range: readRange(r) };
    case "put":
      return { type: "put", put: readPut(r) };
    case "deleteRange":
      return { type: "deleteRange", deleteRange: readDelete(r) };
    case "txn":
      return { type: "txn", txn: readTxn(r, 1, inputBytes) };
    case "compact": {
      const revision = r.svarint();
      return { type: "compact", compact: flags(r, 1) & 1 ? { revision, physical: true } : { revision } };
    }
    case "leaseGrant": {
      const id = r.uvarint() as LeaseId;
      return { type: "leaseGrant", leaseGrant: { id, ttlSec: r.svarint() } };
    }
    case "leaseRevoke":
      return { type: "leaseRevoke", leaseRevoke: { id: r.uvarint() as LeaseId } };
  }
}

/** Decodes a command; any malformed input yields a CommandDecodeError, never another throw. */
export function decodeCommand(
  data: Uint8Array,
): { ok: true; command: Command } | { ok: false; error: CommandDecodeError } {
  try {
    const r = new ByteReader(data, fail);
    const command = readCommand(r, data.length);
    if (!r.atEnd()) return { ok: false, error: fail("trailing bytes after the command") };
    return { ok: true, command };
  } catch (e) {
    if (e instanceof CommandDecodeError) return { ok: false, error: e };
    return { ok: false, error: new CommandDecodeError("unexpected failure", { cause: e }) };
  }
}
