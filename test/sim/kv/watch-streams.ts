import type { Watcher } from "../../../libs/mvcc/index.js";
import type { NodeId } from "../../../libs/raft/index.js";
import type { Cluster } from "../cluster.js";
import type { SimNode } from "../node.js";
import type { SimRng } from "../sim-rng.js";
import type { MvccStateMachine } from "./mvcc-state-machine.js";
import type { ReferenceHistory } from "./reference-history.js";
import { WatchContinuity } from "./watch-continuity.js";

export interface WatchStreamsConfig {
  /** Logical watch streams of the run (each served by a succession of watchers). */
  readonly streams: number;
  /** Responses a consumer polls per step: a bound, so slow consumers are simulated too. */
  readonly pollResponsesMax: number;
  /** Changes each store's hub scans per step to catch unsynced watchers up. */
  readonly syncChangesMax: number;
  /** Chance per step that a stream's client cancels and resumes from its last revision + 1. */
  readonly resumeRate: number;
  /** Steps a stream whose node went down waits before resuming elsewhere. */
  readonly reattachDelaySteps: number;
  /** Steps of the fault phase (later streams open at a random step in it). */
  readonly faultSteps: number;
}

export interface WatchStreamsDeps {
  cluster(): Cluster;
  sm(id: NodeId): MvccStateMachine | undefined;
  /** A broken watch property. */
  report(message: string): void;
  trace(text: string): void;
}

export interface WatchCounters {
  watchersCreated: number;
  resumes: number;
  /** Watchers lost with their node (crash, restart, removal). */
  lostWithNode: number;
  /** Compacted responses to a watcher that fell behind a compaction. */
  compacted: number;
  /** Watchers created at a compacted revision, which got the compacted response at once. */
  compactedAtCreate: number;
  /** Snapshot restores into a store while one of these watchers was open on it. */
  restoresUnderWatch: number;
}

interface Attachment {
  readonly node: NodeId;
  readonly incarnation: number;
  readonly sm: MvccStateMachine;
  readonly watcher: Watcher;
  /** The store's restore count when last looked at. */
  restores: number;
}

interface Stream {
  readonly id: number;
  /** Set when the stream opens. */
  check: WatchContinuity | undefined;
  readonly openAt: number;
  /** For streams opened later: the start revision is drawn when it opens. */
  readonly fromRevisionOne: boolean;
  readonly prevKv: boolean;
  at: Attachment | undefined;
  detachedAt: number;
}

const ALL_KEYS = new Uint8Array([0]);

/**
 * Simulated watch clients: streams over every key, opened on random nodes from revision 1 or
 * from a random revision (past, present or future; some with prev_kv), drained a bounded
 * number of responses per step, resumed from their last revision + 1 (on a random node) at
 * random and whenever their node goes down, restarted after a compacted response. Every
 * response is checked by the stream's WatchContinuity; a watcher created at a compacted
 * revision must get the compacted response and nothing else.
 */
export class WatchStreams {
  readonly counters: WatchCounters = {
    watchersCreated: 0,
    resumes: 0,
    lostWithNode: 0,
    compacted: 0,
    compactedAtCreate: 0,
    restoresUnderWatch: 0,
  };
  private readonly streams: Stream[] = [];

  constructor(
    private readonly cfg: WatchStreamsConfig,
    private readonly ref: ReferenceHistory,
    private readonly deps: WatchStreamsDeps,
    private readonly rng: SimRng,
  ) {
    for (let i = 0; i < cfg.streams; i++) {
      const early = i < 2;
      this.streams.push({
        id: i + 1,
        check: undefined,
        openAt: early ? 0 : rng.range(1, Math.max(1, cfg.faultSteps)),
        fromRevisionOne: early,
        prevKv: i === 1 || rng.chance(0.4),
        at: undefined,
        detachedAt: 0,
      });
    }
  }

  /** Events delivered and checked over every stream. */
  get eventsChecked(): number {
    let n = 0;
    for (const s of this.streams) n += s.check?.checked ?? 0;
    return n;
  }

  /** Every step: the hubs' catch-up, then each stream opens, drains, resumes or reattaches. */
  afterStep(step: number, final: boolean): void {
    const cluster = this.deps.cluster();
    for (const n of cluster.up()) {
      if (!n.isPaused(step)) this.deps.sm(n.id)?.store.watches.syncUnsynced(this.cfg.syncChangesMax);
    }
    for (const s of this.streams) {
      if (s.check === undefined) {
        if (step >= s.openAt) this.open(s, step);
        continue;
      }
      const node = s.at === undefined ? undefined : this.liveNode(s.at);
      if (s.at !== undefined && node === undefined) this.detach(s, step, "its node went down");
      if (s.at === undefined || node === undefined) {
        if (final || step - s.detachedAt >= this.cfg.reattachDelaySteps)
          this.reattach(s, s.check, step, final);
        continue;
      }
      if (node.isPaused(step)) continue;
      if (s.at.sm.restores !== s.at.restores) {
        this.counters.restoresUnderWatch += s.at.sm.restores - s.at.restores;
        s.at.restores = s.at.sm.restores;
      }
      this.drain(s, s.at, s.check);
      if (s.at !== undefined && !final && this.rng.chance(this.cfg.resumeRate)) {
        this.counters.resumes++;
        this.detach(s, step, "client resumes");
        this.reattach(s, s.check, step, final);
      }
    }
  }

  /** Every opened stream is attached to a live member and has delivered all its store holds. */
  caughtUp(): boolean {
    return this.streams.every((s) => this.lag(s) === undefined);
  }

  /** Reports streams that did not catch up by the end of the run. */
  finish(): void {
    for (const s of this.streams) {
      const lag = this.lag(s);
      if (lag !== undefined) this.deps.report(`watch stream ${s.id} did not catch up by the end: ${lag}`);
    }
  }

  private lag(s: Stream): string | undefined {
    if (s.check === undefined) return undefined;
    if (s.at === undefined) return "not attached to any node";
    if (this.liveNode(s.at) === undefined) return `its node n${s.at.node} is down`;
    const store = s.at.sm.store;
    const missing = s.check.missingThrough(store.currentRevision);
    if (missing === undefined) return undefined;
    return `on n${s.at.node} (revision ${store.currentRevision}) it has not delivered ${missing.type} ${JSON.stringify(missing.key)}@${missing.revision}`;
  }

  private open(s: Stream, step: number): void {
    const node = this.pickNode(false);
    if (node === undefined) return;
    const start = s.fromRevisionOne ? 1 : this.rng.range(1, this.ref.revision + 3);
    const check = new WatchContinuity(this.ref, start, s.prevKv);
    s.check = check;
    this.deps.trace(
      `watch stream ${s.id} opens on n${node.id} from revision ${start}${s.prevKv ? " with prev_kv" : ""}`,
    );
    this.attach(s, check, node, step);
  }

  private reattach(s: Stream, check: WatchContinuity, step: number, memberOnly: boolean): void {
    const node = this.pickNode(memberOnly);
    if (node !== undefined) this.attach(s, check, node, step);
  }

  private pickNode(memberOnly: boolean): SimNode | undefined {
    const cluster = this.deps.cluster();
    const nodes = cluster
      .active()
      .filter((n) => this.deps.sm(n.id) !== undefined && (!memberOnly || cluster.isMember(n.id)));
    return nodes.length === 0 ? undefined : this.rng.pick(nodes);
  }

  /** A watcher from the stream's next revision; at a compacted revision it must end at once. */
  private attach(s: Stream, check: WatchContinuity, node: SimNode, step: number): void {
    const sm = this.deps.sm(node.id)!;
    const store = sm.store;
    const start = check.nextRevision;
    const compact = store.compactRevision;
    const watcher = store.watches.watch({
      key: ALL_KEYS,
      rangeEnd: ALL_KEYS,
      startRevision: start,
      prevKv: s.prevKv,
    });
    this.counters.watchersCreated++;
    if (start < compact) {
      this.counters.compactedAtCreate++;
      const rs = watcher.poll();
      const first = rs[0];
      if (
        watcher.state !== "canceled" ||
        rs.length !== 1 ||
        first?.kind !== "compacted" ||
        first.compactRevision !== compact
      ) {
        this.deps.report(
          `watch from revision ${start} on n${node.id} (compacted at ${compact}) got ${JSON.stringify(rs.map((r) => r.kind))}, state ${watcher.state}; expected one compacted response`,
        );
        return;
      }
      // As a client would: start over from the store's current revision (re-list, then watch).
      check.restartAt(store.currentRevision + 1);
      this.attach(s, check, node, step);
      return;
    }
    if (watcher.state === "canceled") {
      this.deps.report(
        `watch from revision ${start} on n${node.id} (compact ${compact}) was canceled at once`,
      );
      return;
    }
    s.at = { node: node.id, incarnation: node.incarnation, sm, watcher, restores: sm.restores };
  }

  private detach(s: Stream, step: number, why: string): void {
    const at = s.at;
    if (at === undefined) return;
    at.watcher.cancel();
    s.at = undefined;
    s.detachedAt = step;
    if (why !== "client resumes") this.counters.lostWithNode++;
    this.deps.trace(`watch stream ${s.id} leaves n${at.node}: ${why}`);
  }

  private drain(s: Stream, at: Attachment, check: WatchContinuity): void {
    const store = at.sm.store;
    for (const r of at.watcher.poll(this.cfg.pollResponsesMax)) {
      if (r.kind === "events") {
        const problem = check.deliver(r.events, store.compactRevision);
        if (problem !== undefined) this.deps.report(`watch stream ${s.id} on n${at.node}: ${problem}`);
      } else if (r.kind === "compacted") {
        this.counters.compacted++;
        if (check.nextRevision >= r.compactRevision || at.watcher.state !== "canceled") {
          this.deps.report(
            `watch stream ${s.id} on n${at.node} got compacted at ${r.compactRevision} though it needed revision ${check.nextRevision} (state ${at.watcher.state})`,
          );
        }
        s.at = undefined;
        check.restartAt(store.currentRevision + 1);
        const node = this.liveNode(at);
        if (node !== undefined) this.attach(s, check, node, this.deps.cluster().step);
        return;
      }
    }
  }

  /** The node of an attachment, if it still runs the same incarnation over the same store. */
  private liveNode(at: Attachment): SimNode | undefined {
    const n = this.deps.cluster().nodes.get(at.node);
    if (n === undefined || !n.isUp || n.incarnation !== at.incarnation) return undefined;
    return this.deps.sm(at.node) === at.sm ? n : undefined;
  }
}
