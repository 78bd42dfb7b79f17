import type { MvccStore } from "../../../libs/mvcc/index.js";
import type { SnapshotSource } from "./backend.js";

/**
 * A consistent copy of the store for Maintenance.Snapshot, taken now. Drained at once: the
 * store forbids applies while a snapshot is being read, and the stream may be slow.
 */
export function snapshotSourceOf(store: MvccStore): SnapshotSource {
  const chunks = [...store.snapshot()];
  const totalBytes = chunks.reduce((n, c) => n + c.length, 0);
  return {
    totalBytes,
    chunks: (async function* () {
      yield* chunks;
    })(),
  };
}

/**
 * The store's size as etcd's Status reports it (dbSize): the bytes of a snapshot, recomputed
 * at most once per applied index. It costs a full serialization, so only Status asks for it.
 */
export class StoreSizeCache {
  private cached = { index: -1, bytes: 0 };

  constructor(private readonly store: MvccStore) {}

  bytes(): number {
    const index = this.store.consistentIndex;
    if (this.cached.index !== index) {
      let bytes = 0;
      for (const c of this.store.snapshot()) bytes += c.length;
      this.cached = { index, bytes };
    }
    return this.cached.bytes;
  }
}
