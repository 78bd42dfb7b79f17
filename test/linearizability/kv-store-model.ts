import {
  ABSENT,
  describeEntry,
  describeFloor,
  describeKvOperation,
  entriesEqual,
  hashEntry,
  hashString,
  type KeyEntry,
  mix,
  show,
  stepKey,
} from "./kv-key.js";
import type { KvInput, KvOutput } from "./kv-types.js";
import type { Model } from "./types.js";

/**
 * The etcd-like store checked as a whole, so that revisions are checked store-wide: every
 * recorded write revision must exceed every write revision linearized before it, on any key.
 * No partitioning, so the search is exponential in concurrency over the whole history: use it
 * on small histories (tens to a few hundred operations), and `kvModel` on large ones.
 */

/** Immutable: a step that changes a key copies the map (fine at the sizes this is for). */
export interface KvStoreState {
  /** Present keys only: a deleted key is removed, so equal stores have equal maps. */
  readonly keys: ReadonlyMap<string, KeyEntry>;
  /** The revision the next write, to any key, must exceed. */
  readonly floor: number;
  /** XOR of a hash per present key: order-independent and updated in O(1) per step. */
  readonly keysHash: number;
}

const INITIAL: KvStoreState = Object.freeze({ keys: new Map<string, KeyEntry>(), floor: 0, keysHash: 0 });

export const kvStoreModel: Model<KvStoreState, KvInput, KvOutput> = {
  init: () => INITIAL,
  step(state, input, output) {
    const before = state.keys.get(input.key) ?? ABSENT;
    const r = stepKey(before, state.floor, input, output);
    if (!r.ok) return r;
    if (r.entry === before && r.floor === state.floor) return { ok: true, newState: state };
    const keys = new Map(state.keys);
    if (r.entry.value === null) keys.delete(input.key);
    else keys.set(input.key, r.entry);
    const keysHash = state.keysHash ^ keyHash(input.key, before) ^ keyHash(input.key, r.entry);
    return { ok: true, newState: { keys, floor: r.floor, keysHash } };
  },
  equal(a, b) {
    if (a.floor !== b.floor || a.keysHash !== b.keysHash || a.keys.size !== b.keys.size) return false;
    for (const [key, e] of a.keys) {
      const other = b.keys.get(key);
      if (other === undefined || !entriesEqual(e, other)) return false;
    }
    return true;
  },
  hash: (s) => mix(s.keysHash ^ Math.imul(s.floor, 0x27d4eb2d)),
  isReadOnly: (input) => input.kind === "get",
  describeOperation: describeKvOperation,
  describeState(s) {
    const keys = [...s.keys.keys()].sort();
    const shown = keys.map((k) => `${show(k)}: ${describeEntry(s.keys.get(k) ?? ABSENT)}`);
    return `{${shown.join(", ")}}${describeFloor(s.floor)}`;
  },
};

/** Absent keys hash to 0 so that storing or omitting them does not change the XOR. */
function keyHash(key: string, e: KeyEntry): number {
  if (e.value === null) return 0;
  return mix(hashString(key) ^ Math.imul(hashEntry(e), 0x165667b1));
}
