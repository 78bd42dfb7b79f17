/**
 * Every key's history, found two ways: a hash map for point lookups (the hot path of gets,
 * puts and watch prev_kv) and an ordered map for ranges (etcd's treeIndex).
 *
 * The ordered map is @js-sdsl/ordered-map (a red-black tree). Measured against sorted-btree
 * on 1,000,000 random latin1 keys (Node 20, 2 cores): insert 2.1 s vs 4.4 s, 200k ranges of
 * 10 keys 1.5 s vs 1.7 s; sorted-btree used half the memory (38 vs 77 bytes per key). Insert
 * speed is on the write path of every new key, so the red-black tree was kept. Point gets go
 * to the Map either way (0.6 s for 1M inserts, O(1) lookups, 19 bytes per key).
 */
import { OrderedMap } from "@js-sdsl/ordered-map";
import type { KeySpan } from "./bytes.js";
import { KeyHistory } from "./key-history.js";

function compareLatin1(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class KeyIndex {
  private readonly byKey = new Map<string, KeyHistory>();
  private readonly ordered = new OrderedMap<string, KeyHistory>([], compareLatin1);

  /** Number of keys with a stored history (live or deleted but not yet compacted away). */
  get size(): number {
    return this.byKey.size;
  }

  get(keyLatin1: string): KeyHistory | undefined {
    return this.byKey.get(keyLatin1);
  }

  /** The history of a key, created empty when missing. `key` is copied so it owns its bytes. */
  getOrCreate(key: Uint8Array, keyLatin1: string): KeyHistory {
    let h = this.byKey.get(keyLatin1);
    if (h === undefined) {
      h = new KeyHistory(key.slice(), keyLatin1);
      this.byKey.set(keyLatin1, h);
      this.ordered.setElement(keyLatin1, h);
    }
    return h;
  }

  remove(keyLatin1: string): void {
    if (this.byKey.delete(keyLatin1)) this.ordered.eraseElementByKey(keyLatin1);
  }

  /**
   * Visits the histories in a span in key order until `visit` returns false.
   * Histories must not be added or removed during the visit.
   */
  forSpan(span: KeySpan, visit: (h: KeyHistory) => boolean): void {
    if (span.kind === "single") {
      const h = this.byKey.get(span.key);
      if (h !== undefined) visit(h);
      return;
    }
    if (span.end !== undefined && span.end <= span.start) return;
    const end = this.ordered.end();
    const it = this.ordered.lowerBound(span.start);
    for (; !it.equals(end); it.next()) {
      const h = it.pointer[1];
      if (span.end !== undefined && h.keyLatin1 >= span.end) return;
      if (!visit(h)) return;
    }
  }

  /** Calls `visit` on every history in key order (a callback walk: no iterator objects). */
  forEachInOrder(visit: (h: KeyHistory) => void): void {
    this.ordered.forEach((pair) => {
      visit(pair[1]);
    });
  }
}
