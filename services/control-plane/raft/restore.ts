/**
 * Startup: bring the state machine and the member table to the point the log says was
 * applied, before the Raft core is built over the same storage.
 */
import {
  decodeConfChange,
  type Index,
  isStorageError,
  type MemoryStorage,
  type NodeId,
} from "../../../libs/raft/index.js";
import { decodeConfContext, type MemberTable } from "./membership.js";
import type { StateMachine } from "./runtime-types.js";
import { decodeSnapshotData } from "./snapshot-data.js";

/** The outcome of startup restoration. */
export interface RestoredState {
  /** What the core is told was applied: it hands out committed entries after it. */
  readonly applied: Index;
}

/**
 * Restores `sm` from the stored snapshot unless it already holds newer state (a persistent
 * state machine), then replays the member URLs of conf changes up to `applied`: the core
 * will not hand those entries out again, and the transport needs the URLs now.
 */
export function restoreState(storage: MemoryStorage, sm: StateMachine, members: MemberTable): RestoredState {
  const snap = storage.snapshot();
  const snapIndex = isStorageError(snap) ? 0 : snap.metadata.index;
  if (!isStorageError(snap) && snapIndex > 0) {
    const { members: urls, state } = decodeSnapshotData(snap.data);
    if (sm.appliedIndex() < snapIndex) sm.restore(state);
    members.replace(urls);
  }
  const applied = Math.max(snapIndex, sm.appliedIndex());
  const { hardState } = storage.initialState();
  const commit = Math.max(hardState.commit, snapIndex);
  if (applied > commit)
    throw new Error(`state machine applied index ${applied} is past the log's commit index ${commit}`);
  const lo = storage.firstIndex();
  if (applied >= lo) {
    const ents = storage.entries(lo, applied + 1, Number.MAX_SAFE_INTEGER);
    if (isStorageError(ents)) throw new Error(`cannot read entries ${lo}..${applied}: ${ents}`);
    for (const e of ents) {
      if (e.type !== "confChange") continue;
      const cc = decodeConfChange(e.data);
      if (cc.type === "removeNode") members.delete(cc.nodeId as NodeId);
      else members.set(cc.nodeId, decodeConfContext(cc).url);
    }
  }
  return { applied };
}
