/**
 * The store against a naive model: a full copy of the key space per revision. Random puts,
 * range deletes, compactions and txns; after each step every revision still readable must
 * match the model, and reads below the compact revision must fail.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { b, TestStore, text } from "./helpers.js";

interface ModelKv {
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}
type World = Map<string, ModelKv>;

type Op =
  | { kind: "put"; key: string; value: string }
  | { kind: "del"; from: string; to: string }
  | { kind: "compact"; back: number }
  | { kind: "txnSwap"; key: string; other: string; value: string };

const KEYS = ["a", "b", "c", "d", "e"];
const key = fc.constantFrom(...KEYS);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("put" as const), key, value: fc.string({ maxLength: 3 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("del" as const), from: key, to: key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("compact" as const), back: fc.nat(5) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("txnSwap" as const),
      key,
      other: key,
      value: fc.string({ maxLength: 3 }),
    }),
  },
);

function putModel(w: World, k: string, value: string, rev: number): void {
  const prev = w.get(k);
  w.set(k, {
    value,
    createRevision: prev?.createRevision ?? rev,
    modRevision: rev,
    version: (prev?.version ?? 0) + 1,
  });
}

describe("store vs naive model", () => {
  it("agrees on every readable revision after any sequence of writes and compactions", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const t = new TestStore();
        const worlds: World[] = [new Map(), new Map()]; // index = revision; revision 1 is empty
        let compact = 0;
        for (const o of ops) {
          const rev = t.store.currentRevision;
          const next = new Map(worlds[rev]!);
          if (o.kind === "put") {
            t.put(o.key, o.value);
            putModel(next, o.key, o.value, rev + 1);
          } else if (o.kind === "del") {
            t.del(o.from, o.to);
            for (const k of [...next.keys()]) if (k >= o.from && k < o.to) next.delete(k);
          } else if (o.kind === "compact") {
            const target = Math.max(1, rev - o.back);
            const r = t.store.apply(++t.index, { type: "compact", compact: { revision: target } });
            if (target <= compact) expect(r.kind).toBe("rejected");
            else {
              expect(r.kind).toBe("applied");
              compact = target;
            }
          } else {
            // If `key` exists, put `other` (unless it is the same key); else put `key`.
            const exists = next.has(o.key);
            t.ok({
              type: "txn",
              txn: {
                compare: [{ key: b(o.key), target: "version", result: "greater", version: 0 }],
                success: [{ type: "put", put: { key: b(o.other), value: b(o.value) } }],
                failure: [{ type: "put", put: { key: b(o.key), value: b(o.value) } }],
              },
            });
            putModel(next, exists ? o.other : o.key, o.value, rev + 1);
          }
          if (t.store.currentRevision !== rev) worlds[t.store.currentRevision] = next;
          expect(t.store.currentRevision).toBe(worlds.length - 1);
        }
        for (let rev = 1; rev <= t.store.currentRevision; rev++) {
          const r = t.store.range({ key: b("\0"), rangeEnd: b("\0"), revision: rev });
          if (rev < compact) {
            expect(r.ok).toBe(false);
            continue;
          }
          if (!r.ok) throw r.error;
          const got = r.value.range.kvs.map((kv) => [
            text(kv.key),
            {
              value: text(kv.value),
              createRevision: kv.createRevision,
              modRevision: kv.modRevision,
              version: kv.version,
            },
          ]);
          const want = [...worlds[rev]!.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 300 },
    );
  });
});
