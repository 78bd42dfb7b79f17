/**
 * The replicated state machine: applies committed Raft entries to a revisioned key space with
 * leases and watches, and serves local reads. Deterministic: the same entries in the same
 * order give every member the same state, the same responses and the same hash.
 *
 * Apply is idempotent across a restart: the store remembers the last applied Raft index
 * (etcd's consistent index, carried in snapshots), and an entry at or below it is a no-op.
 */
import { bytesToLatin1 } from "./bytes.js";
import { decodeCommand } from "./command-codec.js";
import {
  CompactedError,
  EmptyKeyError,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LeaseTtlTooLargeError,
  type MvccError,
} from "./errors.js";
import { hashKv, type KvHash } from "./hash.js";
import { LEASE_TTL_SEC_MAX } from "./lease-table.js";
import { Lessor, type LessorOptions } from "./lessor.js";
import { rangeAt } from "./range.js";
import { freezeState, readSnapshot, writeSnapshot } from "./snapshot.js";
import { StoreState } from "./state.js";
import { checkPutShape, checkTxnShape, planTxn, type TxnPlan } from "./txn.js";
import {
  type ApplyResult,
  type Command,
  type CommandResponse,
  type CompactRequest,
  type DeleteRangeRequest,
  type LeaseGrantRequest,
  type LeaseId,
  type LeaseRevokeRequest,
  NO_LEASE,
  type Outcome,
  type PutRequest,
  type RangeRequest,
  type RangeResult,
  type ResponseHeader,
  type TxnRequest,
} from "./types.js";
import { WatchHub, type WatchHubOptions } from "./watch-hub.js";
import { WriteTxn } from "./write-txn.js";

export interface MvccStoreOptions {
  /**
   * Leases granted with a shorter TTL get this one (etcd's minLeaseTTL). Replicated
   * behaviour: every member must use the same value. @default 1
   */
  leaseTtlSecMin?: number;
  watch?: WatchHubOptions;
  lessor?: LessorOptions;
}

function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

function fail<T>(error: MvccError): Outcome<T> {
  return { ok: false, error };
}

export class MvccStore {
  private state = new StoreState();
  private readonly leaseTtlSecMin: number;
  /** Watches over this store; fed by every committed revision. */
  readonly watches: WatchHub;
  /** The leader-only lease clock. */
  readonly lessor: Lessor;

  constructor(options: MvccStoreOptions = {}) {
    this.leaseTtlSecMin = options.leaseTtlSecMin ?? 1;
    this.watches = new WatchHub(() => this.state, options.watch);
    this.lessor = new Lessor(() => this.state.leases, options.lessor);
    this.state.leases.listener = this.lessor;
  }

  /** The revision of the last write (1 on a fresh store, as etcd). */
  get currentRevision(): number {
    return this.state.currentRevision;
  }

  /** Reads below this revision fail as compacted (0: never compacted). */
  get compactRevision(): number {
    return this.state.compactRevision;
  }

  /** The last applied Raft index. */
  get consistentIndex(): number {
    return this.state.consistentIndex;
  }

  /** Number of keys with stored history (live, or deleted and not yet compacted). */
  get keyCount(): number {
    return this.state.index.size;
  }

  /** Applies a committed entry. Rejections are results, not throws; an index <= consistentIndex is a no-op. */
  apply(index: number, command: Command): ApplyResult {
    if (index <= this.state.consistentIndex) return { kind: "alreadyApplied", index };
    this.state.consistentIndex = index;
    const out = this.execute(index, command);
    return out.ok
      ? { kind: "applied", index, response: out.value }
      : { kind: "rejected", index, error: out.error };
  }

  /** Decodes and applies an entry's data; undecodable data is rejected (and still counts as applied). */
  applyEntry(index: number, data: Uint8Array): ApplyResult {
    if (index <= this.state.consistentIndex) return { kind: "alreadyApplied", index };
    const decoded = decodeCommand(data);
    if (!decoded.ok) {
      this.state.consistentIndex = index;
      return { kind: "rejected", index, error: decoded.error };
    }
    return this.apply(index, decoded.command);
  }

  /** Records an entry that carries no command (a leader's empty entry, a membership change). */
  markApplied(index: number): void {
    if (index > this.state.consistentIndex) {
      this.state.consistentIndex = index;
    }
  }

  /** A local (serializable) read. */
  range(req: RangeRequest): Outcome<{ header: ResponseHeader; range: RangeResult }> {
    const err = this.checkRange(req);
    if (err !== undefined) return fail(err);
    const rev = req.revision !== undefined && req.revision > 0 ? req.revision : this.state.currentRevision;
    return ok({ header: this.header(), range: rangeAt(this.state.index, req, rev) });
  }

  /** etcd's HashKV at `rev` (0 = current). */
  hashKv(rev = 0): Outcome<KvHash> {
    const st = this.state;
    const at = rev > 0 ? rev : st.currentRevision;
    if (at > st.currentRevision) return fail(new FutureRevisionError(at, st.currentRevision));
    if (at < st.compactRevision) return fail(new CompactedError(at, st.compactRevision));
    return ok(hashKv(st, at));
  }

  /** Every lease id, ascending (etcd's LeaseLeases). */
  leaseIds(): LeaseId[] {
    return this.state.leases.ids();
  }

  /**
   * The whole state as of this call, as chunks of at most `chunkBytesMax` bytes. The state is
   * frozen now (cheap); the chunks are encoded as they are read, which may be later, while
   * further entries are applied.
   */
  snapshot(chunkBytesMax = 1 << 20): Generator<Uint8Array> {
    return writeSnapshot(freezeState(this.state), chunkBytesMax);
  }

  /**
   * Replaces the whole state with a snapshot's. Watchers survive and catch up from the restored
   * history (or end as compacted). Throws SnapshotCorruptError and keeps the old state on bad input.
   */
  restore(chunks: Iterable<Uint8Array>): void {
    const next = readSnapshot(chunks);
    this.watches.resetForRestore(this.state.currentRevision);
    next.leases.listener = this.lessor;
    this.state = next;
    this.lessor.onReset();
  }

  private header(): ResponseHeader {
    return { revision: this.state.currentRevision };
  }

  private execute(index: number, cmd: Command): Outcome<CommandResponse> {
    switch (cmd.type) {
      case "range": {
        const out = this.range(cmd.range);
        return out.ok ? ok({ type: "range", ...out.value }) : out;
      }
      case "put":
        return this.put(cmd.put);
      case "deleteRange":
        return this.deleteRange(cmd.deleteRange);
      case "txn":
        return this.txn(cmd.txn);
      case "compact":
        return this.compact(cmd.compact);
      case "leaseGrant":
        return this.leaseGrant(index, cmd.leaseGrant);
      case "leaseRevoke":
        return this.leaseRevoke(cmd.leaseRevoke);
    }
  }

  private checkRange(req: RangeRequest): MvccError | undefined {
    if (req.key.length === 0) return new EmptyKeyError();
    const st = this.state;
    const rev = req.revision ?? 0;
    if (rev > st.currentRevision) return new FutureRevisionError(rev, st.currentRevision);
    if (rev > 0 && rev < st.compactRevision) return new CompactedError(rev, st.compactRevision);
    return undefined;
  }

  /** Checks of a put against the state: its lease exists, ignore_* find a key. */
  private checkPutState(req: PutRequest): MvccError | undefined {
    const lease = req.lease ?? NO_LEASE;
    if (lease !== NO_LEASE && !this.state.leases.has(lease)) return new LeaseNotFoundError(lease);
    if (req.ignoreValue === true || req.ignoreLease === true) {
      const k = bytesToLatin1(req.key);
      if (this.state.index.get(k)?.live() === undefined) return new KeyNotFoundError(k);
    }
    return undefined;
  }

  private put(req: PutRequest): Outcome<CommandResponse> {
    const err = checkPutShape(req) ?? this.checkPutState(req);
    if (err !== undefined) return fail(err);
    const w = new WriteTxn(this.state, this.watches);
    const put = w.put(req);
    return ok({ type: "put", header: { revision: w.commit() }, put });
  }

  private deleteRange(req: DeleteRangeRequest): Outcome<CommandResponse> {
    if (req.key.length === 0) return fail(new EmptyKeyError());
    const w = new WriteTxn(this.state, this.watches);
    const deleteRange = w.deleteRange(req);
    return ok({ type: "deleteRange", header: { revision: w.commit() }, deleteRange });
  }

  /** Every op on the planned path is checked before any runs: a txn applies whole or not at all. */
  private checkPlan(plan: TxnPlan): MvccError | undefined {
    for (let i = 0; i < plan.ops.length; i++) {
      const op = plan.ops[i]!;
      let err: MvccError | undefined;
      if (op.type === "range") err = this.checkRange(op.range);
      else if (op.type === "put") err = this.checkPutState(op.put);
      else if (op.type === "txn") err = this.checkPlan(plan.children[i]!);
      if (err !== undefined) return err;
    }
    return undefined;
  }

  private txn(req: TxnRequest): Outcome<CommandResponse> {
    const shapeErr = checkTxnShape(req);
    if (shapeErr !== undefined) return fail(shapeErr);
    const plan = planTxn(this.state.index, req, this.state.currentRevision);
    const err = this.checkPlan(plan);
    if (err !== undefined) return fail(err);
    const w = new WriteTxn(this.state, this.watches);
    const txn = w.runPlan(plan);
    return ok({ type: "txn", header: { revision: w.commit() }, txn });
  }

  private compact(req: CompactRequest): Outcome<CommandResponse> {
    const st = this.state;
    const rev = req.revision;
    if (rev <= st.compactRevision) return fail(new CompactedError(rev, st.compactRevision));
    if (rev > st.currentRevision) return fail(new FutureRevisionError(rev, st.currentRevision));
    // Only keys changed since the last compaction can hold records to drop: every other key
    // already has a single live record at or below the old compact revision.
    const log = st.log;
    const end = log.lowerBound(rev + 1);
    for (let i = 0; i < end; i++) {
      const h = log.historyAt(i);
      if (h.compact(rev) && st.index.get(h.keyLatin1) === h) st.index.remove(h.keyLatin1);
    }
    log.dropBelow(rev);
    st.compactRevision = rev;
    return ok({ type: "compact", header: this.header() });
  }

  private leaseGrant(index: number, req: LeaseGrantRequest): Outcome<CommandResponse> {
    const leases = this.state.leases;
    if (req.ttlSec > LEASE_TTL_SEC_MAX) return fail(new LeaseTtlTooLargeError(req.ttlSec, LEASE_TTL_SEC_MAX));
    let id = req.id;
    if (id === NO_LEASE) {
      // Derived from the entry index so every member picks the same id; probing up past ids
      // chosen by clients keeps it unique. Bounded: at most one step per existing lease.
      id = index as LeaseId;
      while (leases.has(id)) id = (id + 1) as LeaseId;
    } else if (leases.has(id)) {
      return fail(new LeaseExistsError(id));
    }
    const ttlSec = Math.max(req.ttlSec, this.leaseTtlSecMin);
    leases.grant(id, ttlSec);
    return ok({ type: "leaseGrant", header: this.header(), leaseGrant: { id, ttlSec } });
  }

  private leaseRevoke(req: LeaseRevokeRequest): Outcome<CommandResponse> {
    const st = this.state;
    const lease = st.leases.get(req.id);
    if (lease === undefined) return fail(new LeaseNotFoundError(req.id));
    // Sorted: set order differs between a member that applied the log and one restored from
    // a snapshot, and sub-revisions must not.
    const keys = [...lease.keys].sort();
    const w = new WriteTxn(st, this.watches);
    for (const k of keys) {
      const h = st.index.get(k);
      if (h?.live() !== undefined) w.deleteKey(h);
    }
    st.leases.remove(req.id);
    return ok({ type: "leaseRevoke", header: { revision: w.commit() } });
  }
}
