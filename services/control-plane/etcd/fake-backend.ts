/**
 * A single-member backend without Raft: each proposal is encoded, given the next index and
 * applied at once, exactly as a committed entry would be (`applyEntry`). It is always the
 * leader, so it runs the lease clock: every `leaseCheckIntervalMs` on the given clock it asks
 * the lessor for expired leases and proposes their revokes, as etcd's leader does. It also
 * drives the watch hub's catch-up and progress notifications.
 *
 * For unit tests here and for the simulator; `failNext` makes the next calls fail with a
 * chosen error (NoLeaderError, TimeoutError, …) to exercise the error paths of clients.
 */
import { createHash } from "node:crypto";
import {
  type ApplyResult,
  type Command,
  encodeCommand,
  type LeaseId,
  LeaseNotFoundError,
  type LeaseTimeToLive,
  MvccStore,
  type MvccStoreOptions,
} from "../../../libs/mvcc/index.js";
import type { EtcdBackend, Member, RaftStatus, SnapshotSource, Uint64Id } from "./backend.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import {
  BadLeaderTransfereeError,
  MemberExistsError,
  MemberNotEnoughStartedError,
  MemberNotFoundError,
  MemberNotLearnerError,
  NoLeaderError,
  PeerUrlExistsError,
  StoppedError,
} from "./errors.js";
import { StoreSizeCache, snapshotSourceOf } from "./store-snapshot.js";

export interface FakeBackendOptions {
  /** Time for the lease clock and every timer. @default systemClock */
  clock?: Clock;
  /** This member's name. @default "m1" */
  name?: string;
  /** @default derived from the name */
  clusterId?: Uint64Id;
  /** @default derived from the name */
  memberId?: Uint64Id;
  /** @default ["http://127.0.0.1:2380"] */
  peerUrls?: readonly string[];
  /** @default [] (set them with setClientUrls once the server listens) */
  clientUrls?: readonly string[];
  /** Reported Raft term. @default 2 */
  term?: number;
  store?: MvccStoreOptions;
  /** How often the leader looks for expired leases (etcd: 500 ms). @default 500 */
  leaseCheckIntervalMs?: number;
  /** Revokes proposed per check at most (etcd: 1000/s). @default 500 */
  leaseRevokesPerCheckMax?: number;
  /** How often lagging watchers catch up from history (etcd: 100 ms). @default 100 */
  watchSyncIntervalMs?: number;
  /** Changes scanned per catch-up pass. @default 1000 */
  watchSyncChangesMax?: number;
  /** Periodic progress notifications for watches that asked (etcd: 10 min). @default 600000 */
  progressNotifyIntervalMs?: number;
}

/** Operations `failNext` can make fail. */
export type FakeFailurePoint = "propose" | "readIndex" | "leaseKeepAlive";

/** A deterministic nonzero uint64 id from some text. */
export function idFromText(text: string): Uint64Id {
  const id = createHash("sha256").update(text).digest().readBigUInt64BE(0);
  return (id === 0n ? 1n : id).toString();
}

export class FakeBackend implements EtcdBackend {
  readonly clusterId: Uint64Id;
  readonly memberId: Uint64Id;
  readonly store: MvccStore;
  private readonly storeSize: StoreSizeCache;
  private readonly clock: Clock;
  private readonly term: number;
  /** The last applied (and committed) index. */
  private index = 0;
  private readonly memberList = new Map<Uint64Id, Member>();
  private readonly timers = new Set<TimerHandle>();
  private readonly failures = new Map<FakeFailurePoint, Error[]>();
  private closed = false;

  constructor(private readonly options: FakeBackendOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const name = options.name ?? "m1";
    this.clusterId = options.clusterId ?? idFromText(`flotilla-fake-cluster/${name}`);
    this.memberId = options.memberId ?? idFromText(`flotilla-fake-member/${name}`);
    this.term = options.term ?? 2;
    this.store = new MvccStore(options.store);
    this.storeSize = new StoreSizeCache(this.store);
    this.memberList.set(this.memberId, {
      id: this.memberId,
      name,
      peerUrls: options.peerUrls ?? ["http://127.0.0.1:2380"],
      clientUrls: options.clientUrls ?? [],
      isLearner: false,
    });
    // A new leader's first entry carries no command.
    this.store.markApplied(++this.index);
    this.store.lessor.promote(this.clock.nowMs(), 0);
    this.every(options.leaseCheckIntervalMs ?? 500, () => this.expireLeases());
    this.every(options.watchSyncIntervalMs ?? 100, () =>
      this.store.watches.syncUnsynced(options.watchSyncChangesMax ?? 1000),
    );
    this.every(options.progressNotifyIntervalMs ?? 600_000, () => this.store.watches.notifyProgress());
  }

  /** Makes the next `count` calls of `point` reject with `error`. */
  failNext(point: FakeFailurePoint, error: Error, count = 1): void {
    const q = this.failures.get(point) ?? [];
    for (let i = 0; i < count; i++) q.push(error);
    this.failures.set(point, q);
  }

  /** Records where this member serves clients (shown by MemberList). */
  setClientUrls(urls: readonly string[]): void {
    const self = this.memberList.get(this.memberId)!;
    this.memberList.set(this.memberId, { ...self, clientUrls: [...urls] });
  }

  /** Stops the timers; later calls reject with StoppedError. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  async propose(cmd: Command): Promise<ApplyResult> {
    this.check("propose");
    return this.applyNow(cmd);
  }

  async readIndex(): Promise<void> {
    this.check("readIndex");
  }

  raftStatus(): RaftStatus {
    return {
      leaderId: this.memberId,
      term: this.term,
      commitIndex: this.index,
      appliedIndex: this.index,
      isLearner: false,
    };
  }

  members(): readonly Member[] {
    return [...this.memberList.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async memberAdd(peerUrls: readonly string[], isLearner: boolean): Promise<Member> {
    this.check();
    this.refuseUsedPeerUrls(peerUrls, undefined);
    const id = idFromText(`${this.clusterId}/${[...peerUrls].sort().join(",")}`);
    if (this.memberList.has(id)) throw new MemberExistsError();
    const member: Member = { id, name: "", peerUrls: [...peerUrls], clientUrls: [], isLearner };
    this.memberList.set(id, member);
    this.store.markApplied(++this.index);
    return member;
  }

  async memberRemove(id: Uint64Id): Promise<void> {
    this.check();
    this.existing(id);
    // The fake is the only voter: removing it would leave no quorum.
    if (id === this.memberId) throw new MemberNotEnoughStartedError();
    this.memberList.delete(id);
    this.store.markApplied(++this.index);
  }

  async memberUpdate(id: Uint64Id, peerUrls: readonly string[]): Promise<void> {
    this.check();
    const m = this.existing(id);
    this.refuseUsedPeerUrls(peerUrls, id);
    this.memberList.set(id, { ...m, peerUrls: [...peerUrls] });
    this.store.markApplied(++this.index);
  }

  async memberPromote(id: Uint64Id): Promise<void> {
    this.check();
    const m = this.existing(id);
    if (!m.isLearner) throw new MemberNotLearnerError();
    this.memberList.set(id, { ...m, isLearner: false });
    this.store.markApplied(++this.index);
  }

  /** Only a transfer to itself succeeds: the other members of the fake are names in a list. */
  async moveLeader(targetId: Uint64Id): Promise<void> {
    this.check();
    if (targetId !== this.memberId) throw new BadLeaderTransfereeError();
  }

  async leaseKeepAlive(id: LeaseId): Promise<number> {
    this.check("leaseKeepAlive");
    const out = this.store.lessor.renew(id, this.clock.nowMs());
    switch (out.kind) {
      case "renewed":
        return out.ttlSec;
      case "notFound":
        throw new LeaseNotFoundError(id);
      case "notLeader":
        throw new NoLeaderError();
    }
  }

  async leaseTimeToLive(id: LeaseId, withKeys: boolean): Promise<LeaseTimeToLive | undefined> {
    this.check();
    return this.store.lessor.timeToLive(id, this.clock.nowMs(), withKeys);
  }

  async snapshot(): Promise<SnapshotSource> {
    this.check();
    return snapshotSourceOf(this.store);
  }

  dbSizeBytes(): number {
    return this.storeSize.bytes();
  }

  private applyNow(cmd: Command): ApplyResult {
    const result = this.store.applyEntry(++this.index, encodeCommand(cmd));
    // Give a new lease its expiry now rather than at the next check (which would lengthen it).
    if (cmd.type === "leaseGrant") this.store.lessor.expired(this.clock.nowMs(), 0);
    return result;
  }

  private expireLeases(): void {
    const max = this.options.leaseRevokesPerCheckMax ?? 500;
    for (const id of this.store.lessor.expired(this.clock.nowMs(), max)) {
      this.applyNow({ type: "leaseRevoke", leaseRevoke: { id } });
    }
  }

  private check(point?: FakeFailurePoint): void {
    if (this.closed) throw new StoppedError();
    if (point === undefined) return;
    const err = this.failures.get(point)?.shift();
    if (err !== undefined) throw err;
  }

  private existing(id: Uint64Id): Member {
    const m = this.memberList.get(id);
    if (m === undefined) throw new MemberNotFoundError();
    return m;
  }

  private refuseUsedPeerUrls(urls: readonly string[], except: Uint64Id | undefined): void {
    for (const m of this.memberList.values()) {
      if (m.id !== except && m.peerUrls.some((u) => urls.includes(u))) throw new PeerUrlExistsError();
    }
  }

  /** Runs `fn` every `intervalMs` on the clock until close. */
  private every(intervalMs: number, fn: () => void): void {
    const arm = (): void => {
      if (this.closed) return;
      const handle = this.clock.setTimer(() => {
        this.timers.delete(handle);
        fn();
        arm();
      }, intervalMs);
      this.timers.add(handle);
    };
    arm();
  }
}
