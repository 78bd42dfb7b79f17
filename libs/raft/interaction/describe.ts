import {
  type ConfState,
  decodeConfChange,
  type Entry,
  type HardState,
  type Message,
  type ReadState,
  type Ready,
  type Role,
  type Snapshot,
} from "../index.js";

/**
 * Text forms of the core's values for interaction traces, modelled on etcd raft's
 * DescribeReady / DescribeMessage / DescribeEntry so traces read like etcd's testdata.
 */

const dec = new TextDecoder();

const STATE_NAMES: Record<Role, string> = {
  follower: "StateFollower",
  preCandidate: "StatePreCandidate",
  candidate: "StateCandidate",
  leader: "StateLeader",
};

export function describeRole(role: Role): string {
  return STATE_NAMES[role];
}

/** A conf change as the `propose-conf-change` command spells it: v4 (voter), l4 (learner), r4 (remove). */
export function describeConfChangeData(data: Uint8Array): string {
  const cc = decodeConfChange(data);
  const prefix = cc.type === "addVoter" ? "v" : cc.type === "addLearner" ? "l" : "r";
  return `${prefix}${cc.nodeId}`;
}

/** `term/index EntryNormal "data"` or `term/index EntryConfChange v4`. */
export function describeEntry(e: Entry): string {
  if (e.type === "confChange")
    return `${e.term}/${e.index} EntryConfChange ${describeConfChangeData(e.data)}`;
  return `${e.term}/${e.index} EntryNormal ${JSON.stringify(dec.decode(e.data))}`;
}

export function describeEntries(es: readonly Entry[]): string {
  return es.map(describeEntry).join(", ");
}

export function describeConfState(cs: ConfState): string {
  return `Voters:[${cs.voters.join(" ")}] Learners:[${cs.learners.join(" ")}]`;
}

export function describeSnapshot(s: Snapshot): string {
  return `Index:${s.metadata.index} Term:${s.metadata.term} ConfState:${describeConfState(s.metadata.confState)}`;
}

export function describeHardState(hs: HardState): string {
  return `HardState Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

function describeContext(ctx: Uint8Array | undefined): string {
  return ctx && ctx.byteLength > 0 ? ` Ctx:${JSON.stringify(dec.decode(ctx))}` : "";
}

/** `1->2 MsgApp Term:1 Log:1/3 Commit:3 Entries:[1/4 EntryNormal "foo"]`, as etcd prints it. */
export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.entries.length > 0) s += ` Entries:[${describeEntries(m.entries)}]`;
  if (m.snapshot) s += ` Snapshot: ${describeSnapshot(m.snapshot)}`;
  return s + describeContext(m.context);
}

export function describeReadState(rs: ReadState): string {
  return `Index:${rs.index}${describeContext(rs.context)}`;
}

/** A Ready, one fact per line, in the order the application must handle them. */
export function describeReady(rd: Ready): string[] {
  const out = [`Ready MustSync=${rd.mustSync}:`];
  if (rd.softState) out.push(`Lead:${rd.softState.leader} State:${describeRole(rd.softState.role)}`);
  if (rd.hardState) out.push(describeHardState(rd.hardState));
  if (rd.entries.length > 0) out.push("Entries:", ...rd.entries.map(describeEntry));
  if (rd.snapshot) out.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.committedEntries.length > 0)
    out.push("CommittedEntries:", ...rd.committedEntries.map(describeEntry));
  if (rd.messages.length > 0) out.push("Messages:", ...rd.messages.map(describeMessage));
  if (rd.readStates.length > 0) out.push("ReadStates:", ...rd.readStates.map(describeReadState));
  return out;
}
