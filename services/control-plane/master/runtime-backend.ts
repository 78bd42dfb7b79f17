/**
 * EtcdBackend over the Raft runtime: the etcd services' writes become Raft proposals, their
 * linearizable reads wait on ReadIndex, membership calls become conf changes, and lease
 * clocks run on the leader only (keep-alives reaching a follower are forwarded there).
 *
 * Ids: Raft ids are 52-bit safe integers (ids.ts); the etcd API sees them as uint64
 * decimal strings.
 */
import {
  type ApplyResult,
  type Command,
  encodeCommand,
  type LeaseId,
  LeaseNotFoundError,
  type LeaseTimeToLive,
  type MvccStore,
} from "../../../libs/mvcc/index.js";
import { NONE, type NodeId } from "../../../libs/raft/index.js";
import {
  BadLeaderTransfereeError,
  type EtcdBackend,
  type Member,
  MemberBadUrlsError,
  MemberExistsError,
  MemberNotFoundError,
  MemberNotLearnerError,
  NoLeaderError,
  NotLeaderError,
  PeerUrlExistsError,
  type RaftStatus,
  type SnapshotSource,
  StoppedError,
  StoreSizeCache,
  snapshotSourceOf,
  type Uint64Id,
} from "../etcd/index.js";
import type { RaftRuntime, RuntimeStatus } from "../raft/index.js";
import { memberIdOf, peerAddress } from "./ids.js";
import type { LeaseForwarder } from "./lease-forwarder.js";
import { asEtcd } from "./runtime-errors.js";
import type { MasterStateMachine } from "./state-machine.js";

export interface RuntimeBackendOptions {
  readonly runtime: RaftRuntime;
  readonly stateMachine: MasterStateMachine;
  readonly clusterId: Uint64Id;
  /** --initial-cluster-token: ids of added members derive from it. */
  readonly clusterToken: string;
  readonly forwarder: LeaseForwarder;
  /** A new leader extends every lease by this much (etcd: the election timeout). */
  readonly electionTimeoutMs: number;
  /** How often the leader looks for expired leases (etcd: 500 ms). @default 500 */
  readonly leaseCheckIntervalMs?: number;
  /** Revokes proposed per check at most. @default 500 */
  readonly leaseRevokesPerCheckMax?: number;
  /** How often lagging watchers catch up from history (etcd: 100 ms). @default 100 */
  readonly watchSyncIntervalMs?: number;
  /** Changes scanned per catch-up pass. @default 1000 */
  readonly watchSyncChangesMax?: number;
  /** Progress notifications for watches that asked (etcd: 10 min). @default 600000 */
  readonly progressNotifyIntervalMs?: number;
  /** The lease clock. @default performance.now */
  readonly nowMs?: () => number;
  /** Where revokes that failed are reported. */
  readonly onLeaseRevokeError?: (id: LeaseId, err: unknown) => void;
}

export class RuntimeBackend implements EtcdBackend {
  readonly clusterId: Uint64Id;
  readonly memberId: Uint64Id;
  readonly store: MvccStore;
  private readonly storeSize: StoreSizeCache;
  private readonly rt: RaftRuntime;
  private readonly sm: MasterStateMachine;
  private readonly self: NodeId;
  private readonly nowMs: () => number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly offs: Array<() => void> = [];
  private closed = false;

  constructor(private readonly o: RuntimeBackendOptions) {
    this.rt = o.runtime;
    this.sm = o.stateMachine;
    this.store = o.stateMachine.store;
    this.storeSize = new StoreSizeCache(this.store);
    this.clusterId = o.clusterId;
    this.self = this.rt.status().id;
    this.memberId = String(this.self);
    this.nowMs = o.nowMs ?? (() => performance.now());

    // Only the leader's lessor decides expiry; it starts with every lease extended by an
    // election timeout so keep-alives that went to the old leader are not lost.
    this.offs.push(
      this.rt.on("roleChange", ({ role }) => {
        if (role === "leader") this.store.lessor.promote(this.nowMs(), o.electionTimeoutMs);
        else if (this.store.lessor.isLeader) this.store.lessor.demote();
      }),
    );
    if (this.rt.status().role === "leader") this.store.lessor.promote(this.nowMs(), o.electionTimeoutMs);

    this.every(o.leaseCheckIntervalMs ?? 500, () => this.expireLeases());
    this.every(o.watchSyncIntervalMs ?? 100, () =>
      this.store.watches.syncUnsynced(o.watchSyncChangesMax ?? 1000),
    );
    this.every(o.progressNotifyIntervalMs ?? 600_000, () => this.store.watches.notifyProgress());
  }

  /** Stops the timers and the forwarding client; later calls reject with StoppedError. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const off of this.offs) off();
    this.o.forwarder.close();
  }

  async propose(cmd: Command): Promise<ApplyResult> {
    this.check();
    const { result } = await asEtcd(() => this.rt.propose(encodeCommand(cmd)));
    if (!isApplyResult(result)) throw new Error(`a ${cmd.type} command was applied as ${String(result)}`);
    return result;
  }

  async readIndex(): Promise<void> {
    this.check();
    await asEtcd(() => this.rt.readIndex());
  }

  raftStatus(): RaftStatus {
    // Every response header reads this: the basic status avoids copying membership and progress.
    const s = this.rt.basicStatus();
    return {
      leaderId: String(s.lead),
      term: s.term,
      commitIndex: s.commit,
      appliedIndex: s.applied,
      isLearner: s.isLearner,
    };
  }

  members(): readonly Member[] {
    const s = this.rt.status();
    const ids = [...s.confState.voters, ...s.confState.learners].sort((a, b) => a - b);
    return ids.map((id) => this.member(s, id));
  }

  async memberAdd(peerUrls: readonly string[], isLearner: boolean): Promise<Member> {
    this.check();
    const addr = onePeerAddress(peerUrls);
    const id = memberIdOf(this.o.clusterToken, addr);
    const s = this.rt.status();
    if (isMember(s, id)) throw new MemberExistsError();
    this.refuseUsedPeer(s, addr, undefined);
    await asEtcd(() => this.rt.addMember(id, addr, { learner: isLearner }));
    return this.member(this.rt.status(), id);
  }

  async memberRemove(id: Uint64Id): Promise<void> {
    this.check();
    const n = this.existing(id);
    await asEtcd(() => this.rt.removeMember(n));
  }

  async memberUpdate(id: Uint64Id, peerUrls: readonly string[]): Promise<void> {
    this.check();
    const n = this.existing(id);
    const addr = onePeerAddress(peerUrls);
    const s = this.rt.status();
    this.refuseUsedPeer(s, addr, n);
    // Re-adding a member in its current role changes nothing but its URL (the core treats
    // it as a no-op, the runtime updates its URL table and reconnects).
    const learner = s.confState.learners.includes(n);
    await asEtcd(() => this.rt.addMember(n, addr, { learner }));
  }

  async memberPromote(id: Uint64Id): Promise<void> {
    this.check();
    const n = this.existing(id);
    if (!this.rt.status().confState.learners.includes(n)) throw new MemberNotLearnerError();
    await asEtcd(() => this.rt.promoteMember(n));
  }

  async moveLeader(targetId: Uint64Id): Promise<void> {
    this.check();
    const s = this.rt.status();
    if (s.role !== "leader") throw new NotLeaderError();
    const target = Number(targetId) as NodeId;
    if (!s.confState.voters.includes(target)) throw new BadLeaderTransfereeError();
    await asEtcd(() => this.rt.transferLeadership(target));
  }

  async leaseKeepAlive(id: LeaseId): Promise<number> {
    this.check();
    const out = this.store.lessor.renew(id, this.nowMs());
    switch (out.kind) {
      case "renewed":
        return out.ttlSec;
      case "notFound":
        throw new LeaseNotFoundError(id);
      case "notLeader":
        return this.o.forwarder.keepAlive(this.leaderClientUrl(), id);
    }
  }

  async leaseTimeToLive(id: LeaseId, withKeys: boolean): Promise<LeaseTimeToLive | undefined> {
    this.check();
    if (this.store.lessor.isLeader) return this.store.lessor.timeToLive(id, this.nowMs(), withKeys);
    return this.o.forwarder.timeToLive(this.leaderClientUrl(), id, withKeys);
  }

  async snapshot(): Promise<SnapshotSource> {
    this.check();
    return snapshotSourceOf(this.store);
  }

  dbSizeBytes(): number {
    return this.storeSize.bytes();
  }

  // ------------------------------------------------------------------ helpers

  private member(s: RuntimeStatus, id: NodeId): Member {
    const url = s.members.find((m) => m.id === id)?.url;
    const attrs = this.sm.attributes.get(id);
    return {
      id: String(id),
      name: attrs?.name ?? "",
      peerUrls: url ? [`http://${url}`] : [],
      clientUrls: attrs ? [attrs.clientUrl] : [],
      isLearner: s.confState.learners.includes(id),
    };
  }

  private existing(id: Uint64Id): NodeId {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || !isMember(this.rt.status(), n as NodeId)) throw new MemberNotFoundError();
    return n as NodeId;
  }

  private refuseUsedPeer(s: RuntimeStatus, addr: string, except: NodeId | undefined): void {
    if (s.members.some((m) => m.url === addr && m.id !== except)) throw new PeerUrlExistsError();
  }

  /** Where the leader serves clients, from the member-attribute table. */
  private leaderClientUrl(): string {
    const lead = this.rt.status().lead;
    // Our own lessor is not leader yet (just elected) or no leader is known: retry later.
    if (lead === NONE || lead === this.self) throw new NoLeaderError();
    const attrs = this.sm.attributes.get(lead);
    if (attrs === undefined) throw new NoLeaderError();
    return attrs.clientUrl;
  }

  private expireLeases(): void {
    const max = this.o.leaseRevokesPerCheckMax ?? 500;
    for (const id of this.store.lessor.expired(this.nowMs(), max)) {
      // The lessor re-offers a lease whose revoke did not apply, so a failure needs no retry here.
      this.propose({ type: "leaseRevoke", leaseRevoke: { id } }).catch((err: unknown) =>
        this.o.onLeaseRevokeError?.(id, err),
      );
    }
  }

  private check(): void {
    if (this.closed) throw new StoppedError();
  }

  private every(intervalMs: number, fn: () => void): void {
    const t = setInterval(() => {
      if (!this.closed) fn();
    }, intervalMs);
    t.unref();
    this.timers.push(t);
  }
}

function isMember(s: RuntimeStatus, id: NodeId): boolean {
  return s.confState.voters.includes(id) || s.confState.learners.includes(id);
}

/** The one peer address of a MemberAdd/MemberUpdate (several URLs per member are not supported). */
function onePeerAddress(peerUrls: readonly string[]): string {
  if (peerUrls.length !== 1) throw new MemberBadUrlsError();
  try {
    return peerAddress(peerUrls[0]!);
  } catch (cause) {
    throw new MemberBadUrlsError({ cause });
  }
}

function isApplyResult(v: unknown): v is ApplyResult {
  if (typeof v !== "object" || v === null) return false;
  const kind = (v as { kind?: unknown }).kind;
  return kind === "applied" || kind === "rejected" || kind === "alreadyApplied";
}
