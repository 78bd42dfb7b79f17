/**
 * The apply step of the Ready loop: installs snapshots and applies committed entries, in
 * order, exactly once each. Normal entries go to the state machine (payload without the
 * envelope) and settle their proposer's promise; conf changes are applied here (member
 * URLs, peer connections) and reported as events once the core has taken them in (advance).
 */
import {
  applyConfChange,
  type ConfState,
  decodeConfChange,
  type Entry,
  type Index,
  type NodeId,
  type Snapshot,
} from "../../../libs/raft/index.js";
import { decodeEnvelope } from "./envelope.js";
import { decodeConfContext, type MemberTable } from "./membership.js";
import type { ProposalTracker } from "./proposals.js";
import type { RuntimeEvents, StateMachine } from "./runtime-types.js";
import { decodeSnapshotData, type MemberUrl } from "./snapshot-data.js";

/** The peer connections the applier keeps in step with the membership. */
export interface PeerDirectory {
  addPeer(id: NodeId, url: string): void;
  removePeer(id: NodeId): void;
}

/** Applies what a Ready commits; owned by the ReadyLoop, called between persist and advance. */
export class Applier {
  /** Invariant: applied <= the core's commit index; every entry <= applied is reflected in `sm`. */
  applied: Index;
  /** The membership as of `applied`, mirroring what the core computes on advance. */
  confState: ConfState;

  constructor(
    private readonly self: NodeId,
    private readonly sm: StateMachine,
    private readonly members: MemberTable,
    private readonly proposals: ProposalTracker,
    private readonly peers: PeerDirectory,
    applied: Index,
    confState: ConfState,
  ) {
    this.applied = applied;
    this.confState = confState;
  }

  /** Installs a snapshot received from the leader (already durable). */
  applySnapshot(snap: Snapshot): void {
    const index = snap.metadata.index;
    if (index <= this.applied) return;
    const { members, state } = decodeSnapshotData(snap.data);
    this.sm.restore(state);
    this.replaceMembers(members);
    this.applied = index;
    this.confState = snap.metadata.confState;
    this.proposals.coveredBySnapshot(index);
  }

  /** Applies committed entries; returns the membership events to emit after advance. */
  applyEntries(entries: readonly Entry[]): Array<RuntimeEvents["membershipChange"]> {
    const events: Array<RuntimeEvents["membershipChange"]> = [];
    for (const e of entries) {
      if (e.index <= this.applied) continue; // already in the state (restored or persistent state machine)
      if (e.index !== this.applied + 1)
        throw new Error(`raft runtime: entry ${e.index} applied after ${this.applied}: a gap in the log`);
      if (e.type === "confChange") events.push(this.applyConf(e));
      else this.applyNormal(e);
      this.applied = e.index;
    }
    return events;
  }

  private applyNormal(e: Entry): void {
    if (e.data.byteLength === 0) {
      // A new leader's no-op: nothing to apply, but it may overwrite one of our proposals.
      this.sm.markApplied?.(e.index);
      this.proposals.applied(e.index, e.term, undefined, undefined);
      return;
    }
    // An entry that does not parse is a format mismatch between members: stop loudly.
    const { tag, payload } = decodeEnvelope(e.data);
    const result = this.sm.apply({ index: e.index, term: e.term, data: payload });
    this.proposals.applied(e.index, e.term, tag, result);
  }

  private applyConf(e: Entry): RuntimeEvents["membershipChange"] {
    const change = decodeConfChange(e.data);
    const { tag, url } = decodeConfContext(change);
    const knownUrl = url || (this.members.url(change.nodeId) ?? "");
    this.confState = applyConfChange(this.confState, change);
    switch (change.type) {
      case "addVoter":
      case "addLearner":
        this.members.set(change.nodeId, url);
        if (url !== "") this.peers.addPeer(change.nodeId, url);
        break;
      case "removeNode":
        this.members.delete(change.nodeId);
        if (change.nodeId !== this.self) this.peers.removePeer(change.nodeId);
        break;
    }
    this.sm.markApplied?.(e.index);
    this.proposals.applied(e.index, e.term, tag, undefined);
    return { index: e.index, change, url: knownUrl, confState: this.confState };
  }

  private replaceMembers(members: readonly MemberUrl[]): void {
    const before = new Set(this.members.list().map((m) => m.id));
    this.members.replace(members);
    for (const m of members) {
      before.delete(m.id);
      this.peers.addPeer(m.id as NodeId, m.url);
    }
    for (const id of before) if (id !== this.self) this.peers.removePeer(id as NodeId);
  }
}
