/**
 * One write transaction: every change it makes carries the same main revision (current + 1)
 * and its own sub-revision. Nothing is visible to other readers until `commit`, which moves
 * the current revision and hands the changes to the watch hub; a write txn that changed
 * nothing (a delete of no keys, a txn of ranges) takes no revision, as in etcd.
 *
 * Callers validate requests first (txn.ts, kv-store.ts): writes here cannot fail.
 */
import { bytesToLatin1, keySpan } from "./bytes.js";
import type { KeyHistory, KeyRecord } from "./key-history.js";
import { rangeAt } from "./range.js";
import type { StoreState } from "./state.js";
import type { TxnPlan } from "./txn.js";
import {
  type DeleteRangeRequest,
  type DeleteRangeResult,
  type KeyValue,
  NO_LEASE,
  type PutRequest,
  type PutResult,
  type RangeRequest,
  type RangeResult,
  type RequestOp,
  type ResponseOp,
  type TxnResult,
} from "./types.js";

const EMPTY = new Uint8Array(0);

/** One change of a committed revision, as the watch hub needs it. */
export interface Change {
  readonly record: KeyRecord;
  /** The key's live record before this change, if any. */
  readonly prev: KeyRecord | undefined;
  readonly history: KeyHistory;
}

/** Receives each committed revision's changes, in order (the watch hub). */
export interface ChangeSink {
  onCommit(rev: number, changes: readonly Change[]): void;
}

export class WriteTxn {
  /** The main revision every change of this txn takes. */
  readonly rev: number;
  private sub = 0;
  private readonly changes: Change[] = [];

  constructor(
    private readonly state: StoreState,
    private readonly sink: ChangeSink,
  ) {
    this.rev = state.currentRevision + 1;
  }

  put(req: PutRequest): PutResult {
    const { index, leases } = this.state;
    const k = bytesToLatin1(req.key);
    const h = index.getOrCreate(req.key, k);
    const prev = h.live();
    // ignore_value / ignore_lease were checked against an existing key by the caller.
    const value = req.ignoreValue === true && prev !== undefined ? prev.value : req.value;
    const lease = req.ignoreLease === true && prev !== undefined ? prev.lease : (req.lease ?? NO_LEASE);
    const record: KeyRecord = {
      key: h.key,
      createRevision: prev === undefined ? this.rev : prev.createRevision,
      modRevision: this.rev,
      version: prev === undefined ? 1 : prev.version + 1,
      value,
      lease,
      sub: this.sub++,
    };
    h.append(record);
    if (prev !== undefined && prev.lease !== NO_LEASE && prev.lease !== lease) leases.detach(prev.lease, k);
    if (lease !== NO_LEASE) leases.attach(lease, k);
    this.changes.push({ record, prev, history: h });
    return req.prevKv === true && prev !== undefined ? { prevKv: prev } : {};
  }

  deleteRange(req: DeleteRangeRequest): DeleteRangeResult {
    const doomed: KeyHistory[] = [];
    this.state.index.forSpan(keySpan(req.key, req.rangeEnd), (h) => {
      if (h.live() !== undefined) doomed.push(h);
      return true;
    });
    const prevKvs: KeyValue[] = [];
    for (const h of doomed) {
      const prev = this.deleteKey(h);
      if (req.prevKv === true) prevKvs.push(prev);
    }
    return { deleted: doomed.length, prevKvs };
  }

  /** Writes a tombstone for a live key; returns the record it ended. */
  deleteKey(h: KeyHistory): KeyRecord {
    const prev = h.live()!;
    const record: KeyRecord = {
      key: h.key,
      createRevision: 0,
      modRevision: this.rev,
      version: 0,
      value: EMPTY,
      lease: NO_LEASE,
      sub: this.sub++,
    };
    h.append(record);
    if (prev.lease !== NO_LEASE) this.state.leases.detach(prev.lease, h.keyLatin1);
    this.changes.push({ record, prev, history: h });
    return prev;
  }

  /** A range inside the txn: revision <= 0 reads this txn's own writes too. */
  range(req: RangeRequest): RangeResult {
    const rev = req.revision !== undefined && req.revision > 0 ? req.revision : this.rev;
    return rangeAt(this.state.index, req, rev);
  }

  /** Runs a planned txn path; its nested txns run inside this one revision. */
  runPlan(plan: TxnPlan): TxnResult {
    const responses = plan.ops.map((op, i) => this.runOp(op, plan.children[i]));
    return { succeeded: plan.succeeded, responses };
  }

  private runOp(op: RequestOp, child: TxnPlan | undefined): ResponseOp {
    switch (op.type) {
      case "range":
        return { type: "range", range: this.range(op.range) };
      case "put":
        return { type: "put", put: this.put(op.put) };
      case "deleteRange":
        return { type: "deleteRange", deleteRange: this.deleteRange(op.deleteRange) };
      case "txn":
        return { type: "txn", txn: this.runPlan(child!) };
    }
  }

  /** Publishes the changes; returns the store's revision afterwards. */
  commit(): number {
    if (this.changes.length === 0) return this.state.currentRevision;
    const { log } = this.state;
    for (const c of this.changes) log.append(c.record, c.history);
    this.state.currentRevision = this.rev;
    this.sink.onCommit(this.rev, this.changes);
    return this.rev;
  }
}
