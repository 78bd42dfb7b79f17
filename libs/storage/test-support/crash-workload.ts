/**
 * The workload of the crash test, shared by the writer child and the checking parent: each
 * save is a function of a seeded RNG and the log so far, so the parent knows what every
 * acknowledged save wrote without trusting the child's memory.
 */
import { seededRng } from "../../raft/rng.js";
import type { Entry, HardState } from "../../raft/types.js";
import { nodeId } from "../../raft/types.js";
import { entryRange } from "./helpers.js";

export interface LogModel {
  /** terms[i] is the term of the entry at index i + 1. */
  readonly terms: number[];
  hardState: HardState;
}

export interface PlannedSave {
  readonly hardState: HardState;
  readonly entries: Entry[];
}

/** Deterministic saves: mostly appends of 1..40 entries, sometimes a new term overwriting the uncommitted tail. */
export function planner(seed: number): (log: LogModel) => PlannedSave {
  const rng = seededRng(seed);
  return (log) => {
    const last = log.terms.length;
    const commit = log.hardState.commit;
    let term = Math.max(1, log.hardState.term);
    let first = last + 1;
    if (rng.intn(10) === 0 && last > commit) {
      term++;
      first = commit + 1 + rng.intn(last - commit);
    }
    const count = 1 + rng.intn(40);
    const lastNew = first + count - 1;
    return {
      hardState: { term, vote: nodeId(1), commit: Math.max(commit, lastNew - 15) },
      entries: entryRange(first, lastNew, term, 16 + rng.intn(200)),
    };
  };
}

/** The log after `save` is durable: the newest record for each index wins. */
export function applySave(log: LogModel, save: PlannedSave): void {
  const first = save.entries[0]?.index;
  if (first !== undefined) {
    log.terms.length = first - 1;
    for (const e of save.entries) log.terms.push(e.term);
  }
  log.hardState = save.hardState;
}
