/**
 * Who the members are and where they listen. URLs come from the initial cluster, from the
 * context of every conf change (an envelope: proposer's tag + the URL in UTF-8), and from
 * snapshots (snapshot-data.ts). Also writes the founding membership into an empty log.
 */
import {
  bootstrap,
  type ConfChange,
  type Entry,
  type HardState,
  MemoryStorage,
  type NodeId,
} from "../../../libs/raft/index.js";
import { decodeEnvelope, encodeEnvelope, type ProposalTag, UNTAGGED } from "./envelope.js";
import type { MemberUrl } from "./snapshot-data.js";

/** Member id → peer URL, as of the applied index. */
export class MemberTable {
  private readonly urls = new Map<NodeId, string>();

  set(id: NodeId, url: string): void {
    if (url !== "") this.urls.set(id, url);
  }

  delete(id: NodeId): void {
    this.urls.delete(id);
  }

  url(id: NodeId): string | undefined {
    return this.urls.get(id);
  }

  /** Replaces the whole table (a snapshot was installed). */
  replace(members: readonly MemberUrl[]): void {
    this.urls.clear();
    for (const m of members) this.urls.set(m.id as NodeId, m.url);
  }

  list(): MemberUrl[] {
    return [...this.urls].sort(([a], [b]) => a - b).map(([id, url]) => ({ id, url }));
  }
}

/** A conf change's context: the proposer's tag and the member's URL. */
export function encodeConfContext(tag: ProposalTag, url: string): Uint8Array {
  return encodeEnvelope(tag, new TextEncoder().encode(url));
}

/** Tolerates an empty context (a change made without a URL). */
export function decodeConfContext(cc: ConfChange): { tag: ProposalTag; url: string } {
  if (cc.context.byteLength === 0) return { tag: UNTAGGED, url: "" };
  const { tag, payload } = decodeEnvelope(cc.context);
  return { tag, url: new TextDecoder().decode(payload) };
}

/**
 * The founding membership as log entries 1..n and the hard state committing them, for an
 * empty data dir; each entry's context carries the member's URL, so members that join later
 * learn every founding URL from the log.
 */
export function bootstrapLog(members: readonly MemberUrl[]): { entries: Entry[]; hardState: HardState } {
  const scratch = new MemoryStorage();
  const urls = new Map(members.map((m) => [m.id, m.url]));
  bootstrap(
    scratch,
    members.map((m) => m.id as NodeId),
    (id) => encodeConfContext(UNTAGGED, urls.get(id) ?? ""),
  );
  const entries = scratch.entries(1, scratch.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
  if (typeof entries === "string") throw new Error(`bootstrap log unreadable: ${entries}`);
  return { entries, hardState: scratch.initialState().hardState };
}
