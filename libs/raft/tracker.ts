import { Progress } from "./progress.js";
import { committedIndex, hasQuorum, type VoteResult, voteResult } from "./quorum.js";
import type { ConfState, Index, NodeId } from "./types.js";

/**
 * The leader's view of the membership: one Progress per member, the votes of the current
 * election, and the majority arithmetic over voters (etcd raft tracker/tracker.go).
 */
export class ProgressTracker {
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(
    readonly inflightsMax: number,
    readonly inflightBytesMax: number,
  ) {}

  confState(): ConfState {
    return {
      voters: [...this.voters].sort((a, b) => a - b),
      learners: [...this.learners].sort((a, b) => a - b),
    };
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.progress.has(id);
  }

  /** Replaces the membership; keeps progress of members that stay, creates it for new ones. */
  setConf(cs: ConfState, nextIndex: Index): void {
    this.voters = [...cs.voters];
    this.learners = [...cs.learners];
    const members = new Set<NodeId>([...cs.voters, ...cs.learners]);
    for (const id of [...this.progress.keys()]) if (!members.has(id)) this.progress.delete(id);
    for (const id of members) {
      const learner = !cs.voters.includes(id);
      const pr = this.progress.get(id);
      if (pr) pr.isLearner = learner;
      else {
        const added = new Progress(nextIndex, this.inflightsMax, this.inflightBytesMax, learner);
        // A new member gets one CheckQuorum round of grace before it counts as silent (etcd).
        added.recentActive = true;
        this.progress.set(id, added);
      }
    }
  }

  committed(): Index {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: voteResult(this.voters, this.votes) };
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** CheckQuorum: did a majority of voters talk to us since the last check? */
  quorumActive(self: NodeId): boolean {
    return hasQuorum(this.voters, (id) => id === self || this.progress.get(id)?.recentActive === true);
  }

  /** Sorted for deterministic iteration (message order must not depend on insertion order). */
  memberIds(): NodeId[] {
    return [...this.progress.keys()].sort((a, b) => a - b);
  }
}
