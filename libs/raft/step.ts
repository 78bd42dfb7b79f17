import type { Raft } from "./raft.js";
import { TRANSFER_CONTEXT } from "./raft.js";
import { stepLeader } from "./step-leader.js";
import { stepCandidate, stepFollower } from "./step-others.js";
import type { Message, ProposeResult } from "./types.js";
import { msg, NONE } from "./types.js";

const OK: ProposeResult = { ok: true };

/**
 * Entry point for every message, local or remote: first the term rules every role shares
 * (Figure 2 "Rules for all servers", plus PreVote and CheckQuorum leases, thesis §9.6 and
 * §6.2), then the role's own handler.
 */
export function step(r: Raft, m: Message): ProposeResult {
  if (m.term === 0) {
    // Local message, or a forwarded proposal / read request.
  } else if (m.term > r.term) {
    if (m.type === "MsgVote" || m.type === "MsgPreVote") {
      const force = isTransfer(m.context);
      // Leader lease (§6.2 / §4.2.3): while we hear from a leader, we ignore disruptive votes.
      const inLease = r.checkQuorum && r.lead !== NONE && r.electionElapsed < r.electionTicks;
      if (!force && inLease) {
        r.logger.info(
          `${r.id} [logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote}] ignored ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}: lease is not expired (remaining ticks: ${r.electionTicks - r.electionElapsed})`,
        );
        return OK;
      }
    }
    if (m.type === "MsgPreVote") {
      // A pre-vote never changes our term.
    } else if (m.type === "MsgPreVoteResp" && !m.reject) {
      // Granted pre-votes carry the future term; we raise it only once the pre-election is won.
    } else {
      r.logger.info(
        `${r.id} [term: ${r.term}] received a ${m.type} message with higher term from ${m.from} [term: ${m.term}]`,
      );
      const fromLeader = m.type === "MsgApp" || m.type === "MsgHeartbeat" || m.type === "MsgSnap";
      r.becomeFollower(m.term, fromLeader ? m.from : NONE);
    }
  } else if (m.term < r.term) {
    if ((r.checkQuorum || r.preVote) && (m.type === "MsgHeartbeat" || m.type === "MsgApp")) {
      // A stale leader (or a node that raised its term while partitioned) learns the term:
      // without this reply, with CheckQuorum or PreVote it would never hear of it.
      r.send(msg({ type: "MsgAppResp", to: m.from }));
    } else if (m.type === "MsgPreVote") {
      r.logger.info(`${r.id} rejected ${m.type} from ${m.from} [term: ${m.term}] at lower term ${r.term}`);
      r.send(msg({ type: "MsgPreVoteResp", to: m.from, term: r.term, reject: true }));
    }
    return OK;
  }

  switch (m.type) {
    case "MsgHup":
      r.hup(false);
      return OK;
    case "MsgVote":
    case "MsgPreVote":
      handleVote(r, m);
      return OK;
    default:
      switch (r.role) {
        case "leader":
          return stepLeader(r, m);
        case "candidate":
        case "preCandidate":
          return stepCandidate(r, m);
        case "follower":
          return stepFollower(r, m);
      }
  }
}

/** Grant a vote to an up-to-date candidate (§5.4.1), at most one per term (§5.2). */
function handleVote(r: Raft, m: Message): void {
  const respType = m.type === "MsgVote" ? "MsgVoteResp" : "MsgPreVoteResp";
  const canVote =
    r.vote === m.from ||
    (r.vote === NONE && r.lead === NONE) ||
    // A pre-vote for a future term may be granted even though we voted in this one.
    (m.type === "MsgPreVote" && m.term > r.term);
  if (canVote && r.log.isUpToDate(m.index, m.logTerm)) {
    r.logger.info(
      `${r.id} [logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote}] cast ${m.type} for ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}`,
    );
    // The response carries the candidate's term, so a pre-candidate can tell it from a stale one.
    r.send(msg({ type: respType, to: m.from, term: m.term }));
    if (m.type === "MsgVote") {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.logger.info(
      `${r.id} [logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote}] rejected ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}`,
    );
    r.send(msg({ type: respType, to: m.from, term: r.term, reject: true }));
  }
}

function isTransfer(ctx: Uint8Array | undefined): boolean {
  if (!ctx || ctx.byteLength !== TRANSFER_CONTEXT.byteLength) return false;
  for (let i = 0; i < ctx.byteLength; i++) if (ctx[i] !== TRANSFER_CONTEXT[i]) return false;
  return true;
}
