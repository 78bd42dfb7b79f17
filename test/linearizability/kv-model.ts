import {
  ABSENT,
  describeEntry,
  describeFloor,
  describeKvOperation,
  entriesEqual,
  hashEntry,
  type KeyEntry,
  mix,
  stepKey,
} from "./kv-key.js";
import type { KvInput, KvOutput } from "./kv-types.js";
import type { History, Model } from "./types.js";

/**
 * The etcd-like store checked one key at a time: every operation touches a single key, so by
 * P-compositionality the history is linearizable iff each key's sub-history is, and checking
 * many small histories is exponentially cheaper than one large one.
 *
 * What it checks per key: values read, deleted counts, swap outcomes, and revisions where
 * recorded: writes to the key get increasing revisions, and reads report the revision of the
 * write they see. What it cannot check: the order of revisions across keys (etcd's revision
 * is store-wide), e.g. a write to "a" at revision 7 linearized before a write to "b" at
 * revision 5. Use `kvStoreModel` on small histories for that.
 */

/** State of one key plus the revision the next write to it must exceed. */
export interface KvKeyState {
  readonly entry: KeyEntry;
  readonly floor: number;
}

const INITIAL: KvKeyState = Object.freeze({ entry: ABSENT, floor: 0 });

export const kvModel: Model<KvKeyState, KvInput, KvOutput> = {
  init: () => INITIAL,
  step(state, input, output) {
    const r = stepKey(state.entry, state.floor, input, output);
    if (!r.ok) return r;
    if (r.entry === state.entry && r.floor === state.floor) return { ok: true, newState: state };
    return { ok: true, newState: { entry: r.entry, floor: r.floor } };
  },
  equal: (a, b) => a.floor === b.floor && entriesEqual(a.entry, b.entry),
  hash: (s) => mix(hashEntry(s.entry) ^ Math.imul(s.floor, 0x27d4eb2d)),
  partition: partitionByKey,
  isReadOnly: (input) => input.kind === "get",
  describeOperation: describeKvOperation,
  describeState: (s) => `${describeEntry(s.entry)}${describeFloor(s.floor)}`,
};

/** One sub-history per key, in order of first appearance (so reports are reproducible). */
export function partitionByKey<O>(history: History<KvInput, O>): History<KvInput, O>[] {
  const byKey = new Map<string, (typeof history)[number][]>();
  for (const op of history) {
    const part = byKey.get(op.input.key);
    if (part === undefined) byKey.set(op.input.key, [op]);
    else part.push(op);
  }
  return [...byKey.values()];
}
