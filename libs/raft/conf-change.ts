import type { ConfChange, ConfState, NodeId } from "./types.js";
import { nodeId } from "./types.js";

/**
 * Membership changes, one member at a time (thesis §4.1).
 *
 * Why single-server changes are safe: any majority of the old voters and any majority of the
 * new voters overlap when they differ by one member, so two leaders cannot be elected in one
 * term across the change. The rules that keep it safe here:
 *  1. At most one change is in flight: the leader refuses a change while an earlier one is not
 *     yet applied (pendingConfIndex > applied).
 *  2. Ongaro's fix (raft-dev, 2015, "bug in single-server membership changes"): a leader
 *     appends a change only after it has committed an entry of its own term. Without it, a
 *     leader of a new term could append a change on top of an uncommitted change of an old
 *     leader, and two disjoint majorities could be formed.
 *  3. A change takes effect when it is applied (as in etcd), and a node with a committed but
 *     unapplied change does not campaign, so it never counts votes under a stale config.
 *  4. Removing the leader: it keeps replicating until the change is applied, then steps down;
 *     the remaining voters elect a leader among themselves.
 */

const TYPE_CODES = { addVoter: 1, addLearner: 2, removeNode: 3 } as const;

/** Wire form: [type:1][nodeId:8 little-endian float64 safe integer][context...]. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out = new Uint8Array(9 + cc.context.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, TYPE_CODES[cc.type]);
  view.setFloat64(1, cc.nodeId, true);
  out.set(cc.context, 9);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.byteLength < 9) throw new RangeError(`conf change needs at least 9 bytes, got ${data.byteLength}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const code = view.getUint8(0);
  const type = code === 1 ? "addVoter" : code === 2 ? "addLearner" : code === 3 ? "removeNode" : undefined;
  if (type === undefined) throw new RangeError(`unknown conf change type ${code}`);
  return { type, nodeId: nodeId(view.getFloat64(1, true)), context: data.slice(9) };
}

/** The membership after one change; a change that would leave no voter leaves it as it was. */
export function applyConfChange(cs: ConfState, cc: ConfChange): ConfState {
  const voters = cs.voters.filter((id) => id !== cc.nodeId);
  const learners = cs.learners.filter((id) => id !== cc.nodeId);
  switch (cc.type) {
    case "addVoter":
      voters.push(cc.nodeId);
      break;
    case "addLearner":
      learners.push(cc.nodeId);
      break;
    case "removeNode":
      break;
  }
  if (voters.length === 0) return cs;
  return { voters: sortIds(voters), learners: sortIds(learners) };
}

/** Why a change may not be proposed at all, independent of timing; undefined if it may. */
export function confChangeProblem(cs: ConfState, cc: ConfChange): string | undefined {
  const isVoter = cs.voters.includes(cc.nodeId);
  if (cc.type === "removeNode" && isVoter && cs.voters.length === 1) return "cannot remove the last voter";
  if (cc.type === "addLearner" && isVoter && cs.voters.length === 1) return "cannot demote the last voter";
  return undefined;
}

export function sortIds(ids: NodeId[]): NodeId[] {
  return ids.sort((a, b) => a - b);
}
