import { confChangeProblem, decodeConfChange } from "./conf-change.js";
import type { Raft } from "./raft.js";
import type { Entry, Message, ProposeResult } from "./types.js";
import { NONE } from "./types.js";

const OK: ProposeResult = { ok: true };

/** The leader's handling of every message that survived the term rules of step(). */
export function stepLeader(r: Raft, m: Message): ProposeResult {
  switch (m.type) {
    case "MsgBeat":
      r.bcastHeartbeat(undefined);
      return OK;
    case "MsgCheckQuorum":
      r.checkQuorumActive();
      return OK;
    case "MsgProp":
      return propose(r, m.entries);
    case "MsgReadIndex":
      handleReadIndexAsLeader(r, m);
      return OK;
    default:
      break;
  }
  const pr = r.trk.progress.get(m.from);
  if (!pr) return OK; // from a node that is not (or no longer) a member
  switch (m.type) {
    case "MsgAppResp":
      handleAppendResponse(r, m);
      return OK;
    case "MsgHeartbeatResp":
      pr.recentActive = true;
      pr.probeSent = false;
      // Lost appends give no reply: let a full window move again (etcd does the same).
      if (pr.state === "replicate" && pr.inflights.full()) pr.inflights.freeFirstOne();
      if (pr.match < r.log.lastIndex()) r.sendAppend(m.from);
      if (m.context && m.context.byteLength > 0) handleReadIndexAck(r, m);
      return OK;
    case "MsgSnapStatus":
      if (pr.state !== "snapshot") return OK;
      if (m.reject) pr.pendingSnapshot = 0;
      pr.becomeProbe();
      // Wait for the follower's reply (or a heartbeat response) before the next append.
      pr.probeSent = true;
      return OK;
    case "MsgUnreachable":
      // The pipeline to it broke: fall back to probing so we do not stream into the void.
      if (pr.state === "replicate") pr.becomeProbe();
      return OK;
    case "MsgTransferLeader":
      transferLeadership(r, m);
      return OK;
    default:
      return OK;
  }
}

function propose(r: Raft, entries: readonly Entry[]): ProposeResult {
  if (entries.length === 0) return OK;
  if (!r.trk.isMember(r.id)) return { ok: false, reason: "notMember" };
  if (r.leadTransferee !== NONE) return { ok: false, reason: "transferring" };
  let confIndex = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.type !== "confChange") continue;
    // One change at a time, also within one batch.
    if (confIndex > 0) return { ok: false, reason: "confChangePending" };
    const refused = confChangeRefusal(r, e);
    if (refused) return refused;
    confIndex = r.log.lastIndex() + i + 1;
  }
  if (!r.appendEntries(entries)) return { ok: false, reason: "uncommittedLogFull" };
  // Only now: a refused append must not leave a change marked pending.
  if (confIndex > 0) r.pendingConfIndex = confIndex;
  r.bcastAppend();
  return OK;
}

function confChangeRefusal(r: Raft, e: Entry): ProposeResult | undefined {
  if (r.pendingConfIndex > r.log.applied) return { ok: false, reason: "confChangePending" };
  if (!r.committedEntryInCurrentTerm()) return { ok: false, reason: "leaderTermUncommitted" };
  const cc = decodeConfChange(e.data);
  const problem = confChangeProblem(r.trk.confState(), cc);
  if (problem) {
    r.logger.warn(`${r.id} refused conf change ${cc.type} ${cc.nodeId}: ${problem}`);
    return { ok: false, reason: "invalidConfChange" };
  }
  if (cc.type === "addVoter") {
    const pr = r.trk.progress.get(cc.nodeId);
    const lag = pr ? r.log.lastIndex() - pr.match : 0;
    // Caught up means: it has answered (replicate state) and lags by at most the bound.
    if (pr?.isLearner && (pr.state !== "replicate" || lag > r.learnerCatchUpEntriesMax)) {
      return { ok: false, reason: "learnerNotReady" };
    }
  }
  return undefined;
}

function handleAppendResponse(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from)!;
  pr.recentActive = true;
  if (m.reject) {
    // Fast backtracking (thesis §5.3): the follower hints an index and the term there; skip
    // every entry of ours above the last index whose term is <= that term.
    let nextProbe = m.rejectHint;
    if (m.logTerm > 0) nextProbe = r.log.findConflictByTerm(m.rejectHint, m.logTerm);
    if (pr.maybeDecrTo(m.index, nextProbe)) {
      if (pr.state === "replicate") pr.becomeProbe();
      r.sendAppend(m.from);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === "probe")) return;
  switch (pr.state) {
    case "probe":
      pr.becomeReplicate();
      break;
    case "snapshot":
      if (pr.match + 1 >= r.log.firstIndex()) {
        pr.becomeProbe();
        pr.becomeReplicate();
      }
      break;
    case "replicate":
      pr.inflights.freeLE(m.index);
      break;
  }
  if (r.maybeCommit()) {
    r.releasePendingReadIndexMessages();
    r.bcastAppend();
  } else if (wasPaused) {
    r.sendAppend(m.from);
  }
  // Fill the inflight window; each call sends at most maxMsgBytes.
  for (let i = 0; i < r.trk.inflightsMax && r.maybeSendAppend(m.from, false); i++) {}
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
    r.logger.info(`${r.id} sent MsgTimeoutNow to ${m.from} after received MsgAppResp`);
    r.sendTimeoutNow(m.from);
  }
}

function transferLeadership(r: Raft, m: Message): void {
  // By convention (etcd) the transferee is the message's `from`.
  const transferee = m.from;
  const pr = r.trk.progress.get(transferee)!;
  if (pr.isLearner) {
    r.logger.warn(`${r.id} ignored transferring leadership to learner ${transferee}`);
    return;
  }
  if (r.leadTransferee !== NONE) {
    if (r.leadTransferee === transferee) return;
    r.abortLeaderTransfer();
  }
  if (transferee === r.id) return;
  r.logger.info(`${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`);
  // The transfer must finish within one election timeout (tickHeartbeat aborts it otherwise).
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (pr.match === r.log.lastIndex()) r.sendTimeoutNow(transferee);
  else r.sendAppend(transferee);
}

/** ReadIndex (thesis §6.4): remember the commit index, then confirm leadership by a heartbeat round. */
export function handleReadIndexAsLeader(r: Raft, m: Message): void {
  if (r.trk.voters.length === 1 && r.trk.isVoter(r.id)) {
    if (!r.committedEntryInCurrentTerm()) {
      r.pendingReadIndexMessages.push(m);
      return;
    }
    r.respondToReadIndex(m, r.log.committed);
    return;
  }
  // Until an entry of this term commits, our commit index may be behind the previous leader's.
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  r.readOnly.addRequest(r.log.committed, m);
  r.readOnly.recvAck(r.id, m.context);
  r.bcastHeartbeat(m.context);
}

function handleReadIndexAck(r: Raft, m: Message): void {
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (!acks) return;
  let granted = 0;
  for (const id of r.trk.voters) if (acks.has(id)) granted++;
  if (granted < Math.floor(r.trk.voters.length / 2) + 1) return;
  for (const p of r.readOnly.advance(m.context)) r.respondToReadIndex(p.req, p.index);
}
