/**
 * The proposals this member made and is waiting on. Each gets a tag (see envelope.ts); the
 * promise settles exactly once:
 *  - resolved when an entry with its tag is applied here;
 *  - rejected "overwritten" once its entry was in this member's log at index i (learned from
 *    the Ready's entries, on the leader and on followers alike) and another entry has since
 *    been appended or applied at i: a new leader replaced it, so it was not applied. Exact,
 *    because Raft appends a proposal at most once (a MsgProp is appended or forwarded, never both);
 *  - rejected "leaderChanged" when a snapshot covered its known index (outcome unknown);
 *  - rejected "timeout" after `timeoutMs` (outcome unknown: e.g. a forwarded proposal the
 *    leader dropped, or this member is partitioned);
 *  - rejected by the runtime on refusal by the core, and on stop.
 * Bounded: at most `limit` proposals at once; more are refused at once ("tooManyRequests").
 */
import { decodeConfChange, type Entry, type Index, type Term } from "../../../libs/raft/index.js";
import { decodeEnvelope, ENVELOPE_HEADER_BYTES, type ProposalTag } from "./envelope.js";
import { RaftRuntimeError } from "./errors.js";
import { decodeConfContext } from "./membership.js";
import type { AppliedResult, RuntimeObserver } from "./runtime-types.js";

interface Pending {
  readonly seq: number;
  readonly deadlineMs: number;
  readonly resolve: (r: AppliedResult) => void;
  readonly reject: (e: RaftRuntimeError) => void;
  /** Where its entry is in this member's log, once it got there. */
  index?: Index;
}

/** `member`/`incarnation` make the tags; `limit` bounds, `timeoutMs` expires proposals. */
export interface ProposalTrackerOptions {
  readonly member: number;
  readonly incarnation: number;
  readonly limit: number;
  readonly timeoutMs: number;
  /** Told when a proposal starts and how it settles (metrics). @default none */
  readonly observer?: Pick<RuntimeObserver, "proposalStarted" | "proposalSettled">;
}

/** The pending proposals of this member, by sequence number. */
export class ProposalTracker {
  // Insertion order is seq order is deadline order (one timeout for all): expiry scans a prefix.
  private readonly pending = new Map<number, Pending>();
  private readonly byIndex = new Map<Index, number>();
  private nextSeq = 1;

  constructor(private readonly o: ProposalTrackerOptions) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers a proposal, or throws RaftRuntimeError("tooManyRequests") over the bound. */
  create(nowMs: number): { tag: ProposalTag; promise: Promise<AppliedResult> } {
    if (this.pending.size >= this.o.limit) {
      throw new RaftRuntimeError(
        "tooManyRequests",
        `${this.pending.size} proposals in flight on this member (maxInflightProposals ${this.o.limit})`,
      );
    }
    const seq = this.nextSeq++;
    let resolve!: (r: AppliedResult) => void;
    let reject!: (e: RaftRuntimeError) => void;
    const promise = new Promise<AppliedResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const observer = this.o.observer;
    if (observer !== undefined) {
      // Every pending proposal leaves through resolve or reject exactly once (take/rejectAll).
      const [res, rej] = [resolve, reject];
      resolve = (r) => {
        observer.proposalSettled?.("committed");
        res(r);
      };
      reject = (e) => {
        observer.proposalSettled?.("failed");
        rej(e);
      };
      observer.proposalStarted?.();
    }
    this.pending.set(seq, { seq, deadlineMs: nowMs + this.o.timeoutMs, resolve, reject });
    return { tag: { member: this.o.member, incarnation: this.o.incarnation, seq }, promise };
  }

  /**
   * Entries just appended to this member's log (a Ready's `entries`): learns where our
   * proposals landed, and rejects ours that the new entries replaced.
   */
  noteAppended(entries: readonly Entry[]): void {
    for (const e of entries) {
      const tag = entryTag(e);
      const seq = tag && this.isMine(tag) && this.pending.has(tag.seq) ? tag.seq : undefined;
      const previous = this.byIndex.get(e.index);
      if (previous !== undefined && previous !== seq) this.take(previous)?.reject(overwritten(e.index));
      if (seq === undefined) continue;
      const p = this.pending.get(seq)!;
      if (p.index !== undefined && p.index !== e.index) this.byIndex.delete(p.index);
      p.index = e.index;
      this.byIndex.set(e.index, seq);
    }
  }

  fail(seq: number, err: RaftRuntimeError): void {
    const p = this.take(seq);
    p?.reject(err);
  }

  /** An entry was applied here; `tag` is undefined for untagged entries (no-ops). */
  applied(index: Index, term: Term, tag: ProposalTag | undefined, result: unknown): void {
    if (tag !== undefined && this.isMine(tag)) this.take(tag.seq)?.resolve({ index, term, result });
    const seqAtIndex = this.byIndex.get(index);
    if (seqAtIndex !== undefined) this.take(seqAtIndex)?.reject(overwritten(index));
  }

  /** A snapshot up to `index` was installed: proposals at known indexes <= it have unknown fate. */
  coveredBySnapshot(index: Index): void {
    for (const [i, seq] of [...this.byIndex]) {
      if (i > index) continue;
      this.take(seq)?.reject(
        new RaftRuntimeError("leaderChanged", `index ${i} was installed from a snapshot; outcome unknown`),
      );
    }
  }

  has(seq: number): boolean {
    return this.pending.has(seq);
  }

  /** Rejects proposals past their deadline; returns how many. */
  expire(nowMs: number): number {
    let n = 0;
    for (const p of this.pending.values()) {
      if (p.deadlineMs > nowMs) break;
      this.take(p.seq);
      n++;
      p.reject(
        new RaftRuntimeError(
          "timeout",
          `proposal not applied within ${this.o.timeoutMs} ms; outcome unknown`,
        ),
      );
    }
    return n;
  }

  rejectAll(err: RaftRuntimeError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.byIndex.clear();
    for (const p of all) p.reject(err);
  }

  private isMine(tag: ProposalTag): boolean {
    return tag.member === this.o.member && tag.incarnation === this.o.incarnation;
  }

  private take(seq: number): Pending | undefined {
    const p = this.pending.get(seq);
    if (!p) return undefined;
    this.pending.delete(seq);
    if (p.index !== undefined) this.byIndex.delete(p.index);
    return p;
  }
}

function overwritten(index: Index): RaftRuntimeError {
  return new RaftRuntimeError("overwritten", `a new leader replaced the proposal at index ${index}; retry`);
}

/** The proposer's tag of an entry; undefined for untagged ones (a new leader's no-op). */
export function entryTag(e: Entry): ProposalTag | undefined {
  if (e.type === "confChange") return decodeConfContext(decodeConfChange(e.data)).tag;
  if (e.data.byteLength < ENVELOPE_HEADER_BYTES) return undefined;
  return decodeEnvelope(e.data).tag;
}
