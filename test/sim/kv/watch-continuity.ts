import type { WatchEvent } from "../../../libs/mvcc/index.js";
import { bytesToLatin1 } from "../../../libs/mvcc/index.js";
import { describeEvent, sameKv, describeKv as show } from "./kv-compare.js";
import type { RefEvent, ReferenceEvents } from "./reference-history.js";

/**
 * One logical watch stream over every key, checked against the reference history: every
 * event is delivered exactly once, in revision order, without gaps, equal to the reference
 * (with prev_kv when asked for, which compaction may have removed), and all events of one
 * revision arrive in one response. The stream may be served by several watchers one after
 * another (resumed from the last revision seen + 1, possibly on another node): the check
 * carries over, so continuity across resumes is checked too.
 */
export class WatchContinuity {
  /** Position in the reference of the next event this stream must deliver. */
  private pos: number;
  /** Every event with revision <= this has been delivered (or lies before the stream's start). */
  private through: number;
  /** Events delivered and found right. */
  checked = 0;

  constructor(
    private readonly ref: ReferenceEvents,
    startRevision: number,
    readonly prevKv: boolean,
  ) {
    this.pos = ref.firstAtOrAfter(startRevision);
    this.through = startRevision - 1;
  }

  /** The revision a resumed watcher must start from. */
  get nextRevision(): number {
    return this.through + 1;
  }

  /**
   * Checks one "events" response. `compactRevision`: the serving store's, at delivery (a
   * prev_kv below it may be missing). Returns what is wrong, or undefined.
   */
  deliver(events: readonly WatchEvent[], compactRevision: number): string | undefined {
    if (events.length === 0) return "an events response with no events";
    this.skipBeforeStart();
    const rev = events[0]!.kv.modRevision;
    for (const ev of events) {
      if (ev.kv.modRevision !== rev) {
        return `one response mixes revisions ${rev} and ${ev.kv.modRevision}`;
      }
      const problem = this.one(ev, compactRevision);
      if (problem !== undefined) return problem;
    }
    const next = this.ref.events[this.pos];
    if (next !== undefined && next.revision === rev) {
      return `revision ${rev} arrived without ${describeEvent(next.type, next.key, next.revision)} (a revision split over responses, or an event lost)`;
    }
    this.through = rev;
    return undefined;
  }

  /** After a compacted response: the stream starts over from `revision` (a new segment). */
  restartAt(revision: number): void {
    this.pos = this.ref.firstAtOrAfter(revision);
    this.through = revision - 1;
  }

  /** The first reference event with revision <= `revision` that the stream has not delivered. */
  missingThrough(revision: number): RefEvent | undefined {
    this.skipBeforeStart();
    const e = this.ref.events[this.pos];
    return e !== undefined && e.revision <= revision ? e : undefined;
  }

  /**
   * A stream may start at a revision the reference has not reached yet; the reference events
   * appended since, below the start, were never the stream's to deliver.
   */
  private skipBeforeStart(): void {
    const evs = this.ref.events;
    while (this.pos < evs.length && evs[this.pos]!.revision <= this.through) this.pos++;
  }

  private one(ev: WatchEvent, compactRevision: number): string | undefined {
    const got = describeEvent(ev.type, bytesToLatin1(ev.kv.key), ev.kv.modRevision);
    if (ev.kv.modRevision <= this.through) {
      return `duplicate or out-of-order event ${got}: revision ${this.through} was already delivered`;
    }
    const want = this.ref.events[this.pos];
    if (want === undefined) return `event ${got} is not in the reference history (which ends there)`;
    const wanted = describeEvent(want.type, want.key, want.revision);
    if (want.revision < ev.kv.modRevision) return `gap: ${wanted} was never delivered, next came ${got}`;
    if (want.revision > ev.kv.modRevision)
      return `event ${got} is not in the reference history (next is ${wanted})`;
    if (want.type !== ev.type || !sameKv(want.kv, ev.kv))
      return `event ${got} differs from the reference ${wanted}: ${show(ev.kv)} vs ${show(want.kv)}`;
    const prevProblem = this.checkPrev(ev, want, compactRevision);
    if (prevProblem !== undefined) return `event ${got}: ${prevProblem}`;
    this.pos++;
    this.checked++;
    return undefined;
  }

  private checkPrev(ev: WatchEvent, want: RefEvent, compactRevision: number): string | undefined {
    if (!this.prevKv) return ev.prevKv === undefined ? undefined : "prev_kv delivered though not asked for";
    if (ev.prevKv === undefined) {
      if (want.prevKv === undefined || want.prevKv.modRevision < compactRevision) return undefined;
      return `prev_kv missing (the reference has ${show(want.prevKv)}, compact revision ${compactRevision})`;
    }
    if (want.prevKv === undefined) return `prev_kv ${show(ev.prevKv)} where the key had no previous value`;
    if (!sameKv(want.prevKv, ev.prevKv))
      return `prev_kv ${show(ev.prevKv)} differs from ${show(want.prevKv)}`;
    return undefined;
  }
}
