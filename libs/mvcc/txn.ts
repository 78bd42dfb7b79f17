/**
 * The pure parts of a txn: request validation (etcd's checkTxnRequest and checkIntervals),
 * compare evaluation, and choosing the branch of every nested txn before any write, as etcd's
 * compareToPath does, so all compares see the state before the txn.
 */
import { bytesToLatin1, compareBytes, type KeySpan, keySpan, spanContains } from "./bytes.js";
import {
  DuplicateKeyError,
  EmptyKeyError,
  LeaseProvidedError,
  type MvccError,
  ValueProvidedError,
} from "./errors.js";
import type { KeyIndex } from "./key-index.js";
import type { Compare, KeyValue, PutRequest, RequestOp, TxnRequest } from "./types.js";
import { NO_LEASE } from "./types.js";

const ZERO_KV: KeyValue = {
  key: new Uint8Array(0),
  createRevision: 0,
  modRevision: 0,
  version: 0,
  value: new Uint8Array(0),
  lease: NO_LEASE,
};

/** Request checks that need no state (etcd does them at the API edge; we repeat them in apply). */
export function checkPutShape(req: PutRequest): MvccError | undefined {
  if (req.key.length === 0) return new EmptyKeyError();
  if (req.ignoreValue === true && req.value.length !== 0) return new ValueProvidedError();
  if (req.ignoreLease === true && (req.lease ?? NO_LEASE) !== NO_LEASE) return new LeaseProvidedError();
  return undefined;
}

function checkOpsShape(ops: readonly RequestOp[]): MvccError | undefined {
  for (const op of ops) {
    let err: MvccError | undefined;
    switch (op.type) {
      case "range":
        if (op.range.key.length === 0) err = new EmptyKeyError();
        break;
      case "put":
        err = checkPutShape(op.put);
        break;
      case "deleteRange":
        if (op.deleteRange.key.length === 0) err = new EmptyKeyError();
        break;
      case "txn":
        err = checkTxnShape(op.txn);
        break;
    }
    if (err !== undefined) return err;
  }
  return undefined;
}

/** Empty keys, ignore_* misuse, and keys written twice on one path through the txn. */
export function checkTxnShape(txn: TxnRequest): MvccError | undefined {
  for (const c of txn.compare) if (c.key.length === 0) return new EmptyKeyError();
  const err = checkOpsShape(txn.success) ?? checkOpsShape(txn.failure);
  if (err !== undefined) return err;
  const then = checkIntervals(txn.success);
  if (then instanceof DuplicateKeyError) return then;
  const otherwise = checkIntervals(txn.failure);
  if (otherwise instanceof DuplicateKeyError) return otherwise;
  return undefined;
}

interface Intervals {
  readonly puts: Set<string>;
  readonly dels: KeySpan[];
}

function intersectsAny(dels: readonly KeySpan[], key: string): boolean {
  for (const d of dels) if (spanContains(d, key)) return true;
  return false;
}

/**
 * etcd's checkIntervals: within one list of ops (and the txns nested in it) no key may be put
 * twice, nor put and deleted. The two branches of a nested txn exclude each other, so a key
 * put in both is fine. Delete ranges may overlap each other.
 */
function checkIntervals(ops: readonly RequestOp[]): Intervals | DuplicateKeyError {
  const dels: KeySpan[] = [];
  for (const op of ops) {
    if (op.type === "deleteRange") dels.push(keySpan(op.deleteRange.key, op.deleteRange.rangeEnd));
  }
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.type !== "txn") continue;
    const then = checkIntervals(op.txn.success);
    if (then instanceof DuplicateKeyError) return then;
    const otherwise = checkIntervals(op.txn.failure);
    if (otherwise instanceof DuplicateKeyError) return otherwise;
    for (const k of then.puts) {
      if (puts.has(k) || intersectsAny(dels, k)) return new DuplicateKeyError(k);
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      if ((puts.has(k) && !then.puts.has(k)) || intersectsAny(dels, k)) return new DuplicateKeyError(k);
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const op of ops) {
    if (op.type !== "put") continue;
    const k = bytesToLatin1(op.put.key);
    if (puts.has(k) || intersectsAny(dels, k)) return new DuplicateKeyError(k);
    puts.add(k);
  }
  return { puts, dels };
}

function compareKv(c: Compare, kv: KeyValue): boolean {
  let d: number;
  switch (c.target) {
    case "value":
      d = compareBytes(kv.value, c.value);
      break;
    case "version":
      d = kv.version - c.version;
      break;
    case "create":
      d = kv.createRevision - c.createRevision;
      break;
    case "mod":
      d = kv.modRevision - c.modRevision;
      break;
    case "lease":
      d = kv.lease - c.lease;
      break;
  }
  switch (c.result) {
    case "equal":
      return d === 0;
    case "notEqual":
      return d !== 0;
    case "greater":
      return d > 0;
    case "less":
      return d < 0;
  }
}

/**
 * etcd's applyCompare: every key of the range must satisfy the comparison. A missing key
 * compares as a zero KeyValue (version 0, revisions 0, lease 0), except that a value compare
 * on a missing key always fails: an empty value and no value cannot be told apart.
 */
export function compareHolds(index: KeyIndex, c: Compare, rev: number): boolean {
  let found = false;
  let holds = true;
  index.forSpan(keySpan(c.key, c.rangeEnd), (h) => {
    const r = h.at(rev);
    if (r === undefined) return true;
    found = true;
    holds = compareKv(c, r);
    return holds;
  });
  if (!found) return c.target !== "value" && compareKv(c, ZERO_KV);
  return holds;
}

/** The branch taken by a txn and, for each nested txn on it, that txn's plan. */
export interface TxnPlan {
  readonly succeeded: boolean;
  readonly ops: readonly RequestOp[];
  /** children[i] is the plan of ops[i] when it is a txn. */
  readonly children: readonly (TxnPlan | undefined)[];
}

/** Evaluates every compare on the taken path against the state at `rev`, before any write. */
export function planTxn(index: KeyIndex, txn: TxnRequest, rev: number): TxnPlan {
  let succeeded = true;
  for (const c of txn.compare) {
    if (!compareHolds(index, c, rev)) {
      succeeded = false;
      break;
    }
  }
  const ops = succeeded ? txn.success : txn.failure;
  const children = ops.map((op) => (op.type === "txn" ? planTxn(index, op.txn, rev) : undefined));
  return { succeeded, ops, children };
}
