/**
 * The watch hub, after etcd's watchableStore: synced watchers receive each commit as it is
 * applied; unsynced watchers (started in the past, or whose queue filled up) catch up from
 * the revision log when the runtime calls `syncUnsynced`, in bounded steps.
 *
 * The apply path (`onCommit`) costs O(changes × (matching key watchers + distinct watched
 * ranges)) and never waits: a watcher whose queue is full is moved to the unsynced set, to
 * resume from the first revision it missed.
 */
import { type KeySpan, keySpan, spanContains } from "./bytes.js";
import { isTombstone, type KeyRecord } from "./key-history.js";
import type { StoreState } from "./state.js";
import { type WatchEvent, Watcher, type WatchId, type WatchRequest } from "./watcher.js";
import type { Change, ChangeSink } from "./write-txn.js";

export interface WatchHubOptions {
  /** Events a watcher may hold unpolled before it is moved to the unsynced set. @default 1024 */
  queueEventsMax?: number;
}

interface RangeGroup {
  readonly span: KeySpan & { kind: "range" };
  readonly watchers: Set<Watcher>;
}

/** Separates start and end in a range group's map key; never a latin1 char. */
const GROUP_SEPARATOR = "\u0100";

function groupKey(span: KeySpan & { kind: "range" }): string {
  return span.start + GROUP_SEPARATOR + (span.end ?? "");
}

export class WatchHub implements ChangeSink {
  private readonly queueEventsMax: number;
  private nextId = 1;
  private readonly keyWatchers = new Map<string, Set<Watcher>>();
  private readonly rangeGroups = new Map<string, RangeGroup>();
  private readonly unsynced = new Set<Watcher>();
  private readonly progressWatchers = new Set<Watcher>();
  private touched: Watcher[] = [];

  constructor(
    /** The store's state, read fresh each time: a restore swaps it. */
    private readonly state: () => StoreState,
    options: WatchHubOptions = {},
  ) {
    this.queueEventsMax = options.queueEventsMax ?? 1024;
  }

  /** Number of watchers receiving commits live, and waiting for catch-up. */
  get counts(): { synced: number; unsynced: number } {
    let synced = 0;
    for (const s of this.keyWatchers.values()) synced += s.size;
    for (const g of this.rangeGroups.values()) synced += g.watchers.size;
    return { synced, unsynced: this.unsynced.size };
  }

  /**
   * Starts a watch. From the past: it replays history on the next `syncUnsynced`; from a
   * compacted revision: its queue holds one "compacted" response and it is already canceled.
   */
  watch(req: WatchRequest): Watcher {
    const st = this.state();
    const id = this.nextId++ as WatchId;
    const span = keySpan(req.key, req.rangeEnd);
    const start = req.startRevision ?? 0;
    const live = start <= 0 || start > st.currentRevision;
    const next = start <= 0 ? st.currentRevision + 1 : start;
    const w = new Watcher(id, span, req, this.queueEventsMax, live ? "synced" : "unsynced", next, (x) =>
      this.detach(x),
    );
    if (req.progressNotify === true) this.progressWatchers.add(w);
    if (!live && start < st.compactRevision) {
      this.endCompacted(w, st.compactRevision);
      return w;
    }
    if (live) this.addSynced(w);
    else this.unsynced.add(w);
    return w;
  }

  /** Fan-out of one committed revision to synced watchers. */
  onCommit(rev: number, changes: readonly Change[]): void {
    if (this.keyWatchers.size === 0 && this.rangeGroups.size === 0) return;
    for (const c of changes) {
      const isDelete = isTombstone(c.record);
      let plain: WatchEvent | undefined;
      let withPrev: WatchEvent | undefined;
      const stage = (w: Watcher): void => {
        if (rev < w.nextRevision || !w.wants(isDelete)) return;
        let ev: WatchEvent;
        if (w.request.prevKv === true && c.prev !== undefined) {
          withPrev ??= eventOf(c.record, c.prev);
          ev = withPrev;
        } else {
          plain ??= eventOf(c.record, undefined);
          ev = plain;
        }
        if (w.stagedRevision !== rev) {
          w.stagedRevision = rev;
          w.staged = [];
          this.touched.push(w);
        }
        w.staged.push(ev);
      };
      const ws = this.keyWatchers.get(c.history.keyLatin1);
      if (ws !== undefined) for (const w of ws) stage(w);
      for (const g of this.rangeGroups.values()) {
        if (spanContains(g.span, c.history.keyLatin1)) for (const w of g.watchers) stage(w);
      }
    }
    const touched = this.touched;
    this.touched = [];
    for (const w of touched) {
      const events = w.staged;
      w.staged = [];
      w.stagedRevision = 0;
      if (w.hasRoomFor(events.length)) {
        w.enqueue({ kind: "events", watchId: w.id, revision: rev, events });
      } else {
        // Too slow: stop live delivery; catch-up resumes at this revision from the log.
        this.removeSynced(w);
        w.state = "unsynced";
        w.nextRevision = rev;
        this.unsynced.add(w);
      }
    }
  }

  /**
   * Catches unsynced watchers up from the revision log, scanning at most `maxChanges` changes.
   * Watchers that reach the current revision become synced; those whose queue fills stay
   * unsynced. Call it regularly (etcd: every 100 ms) and after consumers poll.
   * @returns the number of changes scanned.
   */
  syncUnsynced(maxChanges: number): number {
    if (this.unsynced.size === 0) return 0;
    const st = this.state();
    const active: Watcher[] = [];
    let from = Number.POSITIVE_INFINITY;
    for (const w of this.unsynced) {
      if (w.nextRevision < st.compactRevision) {
        this.unsynced.delete(w);
        this.endCompacted(w, st.compactRevision);
      } else if (w.hasRoomFor(1)) {
        active.push(w);
        from = Math.min(from, w.nextRevision);
      }
    }
    if (active.length === 0) return 0;
    const log = st.log;
    let i = log.lowerBound(from);
    let scanned = 0;
    // A watcher that filled up stops for this call: later revisions must not overtake `rev`.
    const stalled = new Set<Watcher>();
    while (i < log.length && scanned < maxChanges) {
      const rev = log.recordAt(i).modRevision;
      let j = i + 1;
      while (j < log.length && log.recordAt(j).modRevision === rev) j++;
      for (const w of active) {
        if (w.state !== "unsynced" || rev < w.nextRevision || stalled.has(w)) continue;
        const events = collectEvents(w, log, i, j);
        if (events.length === 0) w.nextRevision = rev + 1;
        else if (w.hasRoomFor(events.length)) {
          w.enqueue({ kind: "events", watchId: w.id, revision: st.currentRevision, events });
          w.nextRevision = rev + 1;
        } else stalled.add(w);
      }
      scanned += j - i;
      i = j;
    }
    for (const w of active) {
      if (w.state === "unsynced" && w.nextRevision > st.currentRevision) {
        this.unsynced.delete(w);
        this.addSynced(w);
      }
    }
    return scanned;
  }

  /**
   * Queues a progress response on a synced watcher: every event up to the current revision
   * precedes it. Returns false (nothing queued) while the watcher is catching up or full.
   */
  requestProgress(w: Watcher): boolean {
    if (w.state !== "synced" || !w.hasRoomFor(1)) return false;
    w.enqueue({ kind: "progress", watchId: w.id, revision: this.state().currentRevision });
    return true;
  }

  /** Periodic progress notification for watchers that asked for it; returns how many got one. */
  notifyProgress(): number {
    let n = 0;
    for (const w of this.progressWatchers) if (w.pendingResponses === 0 && this.requestProgress(w)) n++;
    return n;
  }

  /** Before a restore: every watcher resumes from history, from where it was. */
  resetForRestore(currentRevisionBefore: number): void {
    const all: Watcher[] = [];
    for (const s of this.keyWatchers.values()) all.push(...s);
    for (const g of this.rangeGroups.values()) all.push(...g.watchers);
    for (const w of all) {
      this.removeSynced(w);
      w.state = "unsynced";
      w.nextRevision = Math.max(w.nextRevision, currentRevisionBefore + 1);
      this.unsynced.add(w);
    }
  }

  private endCompacted(w: Watcher, compactRevision: number): void {
    w.enqueue({ kind: "compacted", watchId: w.id, compactRevision });
    w.cancel();
  }

  private addSynced(w: Watcher): void {
    w.state = "synced";
    const span = w.span;
    if (span.kind === "single") {
      let s = this.keyWatchers.get(span.key);
      if (s === undefined) {
        s = new Set();
        this.keyWatchers.set(span.key, s);
      }
      s.add(w);
      return;
    }
    const k = groupKey(span);
    let g = this.rangeGroups.get(k);
    if (g === undefined) {
      g = { span, watchers: new Set() };
      this.rangeGroups.set(k, g);
    }
    g.watchers.add(w);
  }

  private removeSynced(w: Watcher): void {
    const span = w.span;
    if (span.kind === "single") {
      const s = this.keyWatchers.get(span.key);
      if (s?.delete(w) && s.size === 0) this.keyWatchers.delete(span.key);
      return;
    }
    const k = groupKey(span);
    const g = this.rangeGroups.get(k);
    if (g?.watchers.delete(w) && g.watchers.size === 0) this.rangeGroups.delete(k);
  }

  private detach(w: Watcher): void {
    if (w.state === "synced") this.removeSynced(w);
    this.unsynced.delete(w);
    this.progressWatchers.delete(w);
  }
}

function eventOf(record: KeyRecord, prev: KeyRecord | undefined): WatchEvent {
  const type = isTombstone(record) ? "delete" : "put";
  return prev === undefined ? { type, kv: record } : { type, kv: record, prevKv: prev };
}

/** The events of log positions [i, j) (one revision) that a watcher selects. */
function collectEvents(w: Watcher, log: StoreState["log"], i: number, j: number): WatchEvent[] {
  const out: WatchEvent[] = [];
  for (let p = i; p < j; p++) {
    const h = log.historyAt(p);
    if (!spanContains(w.span, h.keyLatin1)) continue;
    const record = log.recordAt(p);
    if (!w.wants(isTombstone(record))) continue;
    const prev = w.request.prevKv === true ? h.before(record.modRevision) : undefined;
    out.push(eventOf(record, prev));
  }
  return out;
}
