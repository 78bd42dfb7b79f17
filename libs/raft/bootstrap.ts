import { encodeConfChange } from "./conf-change.js";
import type { MemoryStorage } from "./storage.js";
import type { Entry, NodeId } from "./types.js";

/**
 * Writes the founding membership into an empty log: one addVoter entry per initial member at
 * indexes 1..n, term 1, already committed (every founding member writes the same entries, so
 * they agree on them without an election). Members added later replay these entries from the
 * leader's log like any other, so they learn the founding membership too (as etcd's Bootstrap).
 */
export function bootstrap(
  storage: MemoryStorage,
  voters: readonly NodeId[],
  context?: (id: NodeId) => Uint8Array,
): void {
  if (storage.lastIndex() !== 0) throw new Error("raft: bootstrap needs an empty log");
  if (voters.length === 0) throw new Error("raft: bootstrap needs at least one voter");
  const ents: Entry[] = [...voters]
    .sort((a, b) => a - b)
    .map((nodeId, i) => ({
      term: 1,
      index: i + 1,
      type: "confChange",
      data: encodeConfChange({ type: "addVoter", nodeId, context: context?.(nodeId) ?? new Uint8Array(0) }),
    }));
  storage.append(ents);
  storage.setHardState({ term: 1, vote: 0 as NodeId, commit: ents.length });
}
