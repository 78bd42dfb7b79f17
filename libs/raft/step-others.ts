import type { Raft } from "./raft.js";
import type { Message, ProposeResult } from "./types.js";
import { msg, NONE } from "./types.js";

const OK: ProposeResult = { ok: true };

/** Followers forward proposals and reads to the leader, and accept the leader's log. */
export function stepFollower(r: Raft, m: Message): ProposeResult {
  switch (m.type) {
    case "MsgProp":
      if (r.lead === NONE) return { ok: false, reason: "noLeader" };
      r.send({ ...m, to: r.lead });
      return OK;
    case "MsgApp":
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return OK;
    case "MsgHeartbeat":
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return OK;
    case "MsgSnap":
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return OK;
    case "MsgTransferLeader":
      if (r.lead === NONE) {
        r.logger.info(`${r.id} no leader at term ${r.term}; dropping leader transfer msg`);
        return OK;
      }
      r.send({ ...m, to: r.lead });
      return OK;
    case "MsgTimeoutNow":
      // Transfers skip PreVote: the old leader asked for this election, no partition to fear.
      r.logger.info(`${r.id} [term ${r.term}] received MsgTimeoutNow from ${m.from} and starts an election`);
      r.hup(true);
      return OK;
    case "MsgReadIndex":
      if (r.lead === NONE) {
        r.logger.info(`${r.id} no leader at term ${r.term}; dropping index reading msg`);
        return OK;
      }
      r.send({ ...m, to: r.lead });
      return OK;
    case "MsgReadIndexResp":
      r.readStates.push({ index: m.index, context: m.context ?? new Uint8Array(0) });
      return OK;
    default:
      return OK;
  }
}

/** Pre-candidates and candidates count votes; any sign of a leader of their term ends the campaign. */
export function stepCandidate(r: Raft, m: Message): ProposeResult {
  const myVoteResp = r.role === "preCandidate" ? "MsgPreVoteResp" : "MsgVoteResp";
  switch (m.type) {
    case "MsgProp":
      return { ok: false, reason: "noLeader" };
    case "MsgApp":
      r.becomeFollower(m.term, m.from);
      handleAppendEntries(r, m);
      return OK;
    case "MsgHeartbeat":
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return OK;
    case "MsgSnap":
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return OK;
    case "MsgPreVoteResp":
    case "MsgVoteResp": {
      if (m.type !== myVoteResp) return OK;
      const result = r.poll(m.from, !m.reject);
      const t = r.trk.tallyVotes();
      r.logger.info(
        `${r.id} has received ${t.granted} ${m.type} votes and ${t.rejected} vote rejections at term ${r.term}`,
      );
      if (result === "won") {
        if (r.role === "preCandidate") r.campaign("election", false);
        else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (result === "lost") {
        // A rejected pre-candidate stays at its term: its peers' terms did not move.
        r.becomeFollower(r.term, NONE);
      }
      return OK;
    }
    default:
      return OK;
  }
}

function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    // Already have everything up to our commit index; tell the leader where we are.
    r.send(msg({ type: "MsgAppResp", to: m.from, index: r.log.committed }));
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.send(msg({ type: "MsgAppResp", to: m.from, index: lastNew }));
    return;
  }
  // Reject with a hint: the largest index <= m.index whose term is <= m.logTerm (thesis §5.3),
  // so the leader can skip a whole divergent term in one round trip.
  const hintIndex = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  const hintTerm = r.log.termOr0(hintIndex);
  r.logger.info(
    `${r.id} [logterm: ${r.log.termOr0(m.index)}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`,
  );
  r.send(
    msg({
      type: "MsgAppResp",
      to: m.from,
      index: m.index,
      reject: true,
      rejectHint: hintIndex,
      logTerm: hintTerm,
    }),
  );
}

function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  r.send(msg({ type: "MsgHeartbeatResp", to: m.from, ...(m.context ? { context: m.context } : {}) }));
}

function handleSnapshot(r: Raft, m: Message): void {
  const snap = m.snapshot;
  if (!snap) return;
  const { index, term } = snap.metadata;
  if (restoreSnapshot(r, m)) {
    r.logger.info(`${r.id} [commit: ${r.log.committed}] restored snapshot [index: ${index}, term: ${term}]`);
    r.send(msg({ type: "MsgAppResp", to: m.from, index: r.log.lastIndex() }));
  } else {
    r.logger.info(`${r.id} [commit: ${r.log.committed}] ignored snapshot [index: ${index}, term: ${term}]`);
    r.send(msg({ type: "MsgAppResp", to: m.from, index: r.log.committed }));
  }
}

/** Installs a snapshot from the leader; false if it is stale or we already have its entries. */
function restoreSnapshot(r: Raft, m: Message): boolean {
  const s = m.snapshot!;
  const { index, term, confState } = s.metadata;
  if (index <= r.log.committed) return false;
  if (r.role !== "follower") {
    // Defense in depth (etcd): only a follower installs snapshots.
    r.logger.warn(`${r.id} attempted to restore snapshot as ${r.role}; should never happen`);
    r.becomeFollower(r.term + 1, NONE);
    return false;
  }
  // A snapshot that does not list us is still installed (etcd refuses it): a member added after
  // the leader's newest snapshot catches up from that snapshot and then applies its own
  // addition from the log. Until then it is not a voter, so it cannot campaign.
  if (r.log.matchTerm(index, term)) {
    // We have the snapshot's last entry: fast-forward the commit instead of dropping our log.
    r.log.commitTo(index);
    return false;
  }
  r.log.restore(s);
  r.trk.setConf(confState, r.log.lastIndex() + 1);
  return true;
}
