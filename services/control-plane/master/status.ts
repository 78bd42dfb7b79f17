/**
 * The JSON of GET /status: this member's Raft state and the membership as it sees it, with
 * every member's name and client, peer and HTTP URLs (from the member-attribute table; a
 * member that has not published yet shows its name from --initial-cluster, if listed there).
 */
import type { MvccStore } from "../../../libs/mvcc/index.js";
import { NONE } from "../../../libs/raft/index.js";
import type { RaftRuntime } from "../raft/index.js";
import type { AttributeTable } from "./member-attributes.js";

/** Where the status comes from. */
export interface StatusSources {
  readonly name: string;
  readonly runtime: RaftRuntime;
  readonly attributes: AttributeTable;
  readonly store: MvccStore;
  readonly urls: { readonly client: string; readonly peer: string; readonly http: string };
  readonly nameFromFlags: (id: number) => string | undefined;
}

export type MemberRole = "leader" | "follower" | "learner";

export interface MemberStatus {
  readonly name: string;
  readonly id: string;
  readonly role: MemberRole;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly httpURL: string;
}

export interface MasterStatus {
  readonly name: string;
  readonly id: string;
  readonly role: string;
  readonly term: number;
  readonly leader: { readonly name: string; readonly id: string } | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly revision: number;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly httpURL: string;
  readonly fsync: boolean;
  readonly pendingProposals: number;
  readonly members: readonly MemberStatus[];
  readonly partition: PartitionView;
  readonly pid: number;
}

export interface PartitionView {
  readonly blockedIn: readonly string[];
  readonly blockedOut: readonly string[];
  readonly delays: ReadonlyArray<{ readonly peer: string; readonly ms: number }>;
}

export function masterStatus(src: StatusSources): MasterStatus {
  const s = src.runtime.status();
  const nameOf = (id: number): string => src.attributes.get(id)?.name ?? src.nameFromFlags(id) ?? "";
  const ids = [...s.confState.voters, ...s.confState.learners].sort((a, b) => a - b);
  const members = ids.map((id): MemberStatus => {
    const a = src.attributes.get(id);
    const url = s.members.find((m) => m.id === id)?.url;
    return {
      name: nameOf(id),
      id: String(id),
      role: s.confState.learners.includes(id) ? "learner" : id === s.lead ? "leader" : "follower",
      clientURL: a?.clientUrl ?? "",
      peerURL: url ? `http://${url}` : "",
      httpURL: a?.httpUrl ?? "",
    };
  });
  return {
    name: src.name,
    id: String(s.id),
    role: s.confState.learners.includes(s.id) ? "learner" : s.role,
    term: s.term,
    leader: s.lead === NONE ? null : { name: nameOf(s.lead), id: String(s.lead) },
    commitIndex: s.commit,
    appliedIndex: s.applied,
    lastIndex: s.lastIndex,
    firstIndex: s.firstIndex,
    revision: src.store.currentRevision,
    clientURL: src.urls.client,
    peerURL: src.urls.peer,
    httpURL: src.urls.http,
    fsync: s.fsync,
    pendingProposals: s.pendingProposals,
    members,
    partition: partitionView(src),
    pid: process.pid,
  };
}

/** The partition table with member names instead of ids. */
export function partitionView(src: StatusSources): PartitionView {
  const p = src.runtime.partition.state();
  const nameOf = (id: number): string => src.attributes.get(id)?.name ?? src.nameFromFlags(id) ?? String(id);
  return {
    blockedIn: p.blockedIn.map(nameOf).sort(),
    blockedOut: p.blockedOut.map(nameOf).sort(),
    delays: p.delaysMs.map((d) => ({ peer: nameOf(d.peer), ms: d.ms })),
  };
}
