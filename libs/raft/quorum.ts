import type { Index, NodeId } from "./types.js";

/**
 * Majority maths, kept apart from the state machine as in etcd's quorum/ package.
 */

/**
 * The largest index acknowledged by a majority of `voters`: sort the match indexes in
 * descending order and take the one at position floor(n/2). With no voters, Infinity, so
 * an empty configuration never holds commitment back (it cannot arise in a running cluster).
 */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => Index): Index {
  const n = voters.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  const matches = new Array<number>(n);
  for (let i = 0; i < n; i++) matches[i] = matchOf(voters[i]!);
  matches.sort((x, y) => y - x);
  return matches[Math.floor(n / 2)]!;
}

export type VoteResult = "pending" | "won" | "lost";

/** Won once a majority granted; lost once a majority can no longer be reached. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const n = voters.length;
  if (n === 0) return "won";
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const q = Math.floor(n / 2) + 1;
  if (granted >= q) return "won";
  if (n - rejected < q) return "lost";
  return "pending";
}

/** True when the ids for which `active` holds form a majority of `voters`. */
export function hasQuorum(voters: readonly NodeId[], active: (id: NodeId) => boolean): boolean {
  if (voters.length === 0) return true;
  let n = 0;
  for (const id of voters) if (active(id)) n++;
  return n >= Math.floor(voters.length / 2) + 1;
}
