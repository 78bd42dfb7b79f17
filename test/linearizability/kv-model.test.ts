import { describe, expect, it } from "vitest";
import { KV_CHECKS, op } from "./fixtures.js";
import { type KvInput, type KvOutput, kv, kvOut, type Operation } from "./index.js";

type Case = { readonly name: string; readonly history: Operation<KvInput, KvOutput>[] };

const linearizable: Case[] = [
  { name: "an empty history is linearizable", history: [] },
  {
    name: "sequential put then get of the same value is linearizable",
    history: [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), op(1, 2, 3, kv.get("x"), kvOut.get("a"))],
  },
  {
    name: "a read concurrent with a write may see the old value",
    history: [op(1, 0, 10, kv.put("x", "a"), kvOut.put()), op(2, 1, 2, kv.get("x"), kvOut.get(null))],
  },
  {
    name: "a read concurrent with a write may see the new value",
    history: [op(1, 0, 10, kv.put("x", "a"), kvOut.put()), op(2, 1, 2, kv.get("x"), kvOut.get("a"))],
  },
  {
    name: "reads after two overlapping writes may see either one, as long as they agree",
    history: [
      op(1, 0, 5, kv.put("x", "a"), kvOut.put()),
      op(2, 1, 6, kv.put("x", "b"), kvOut.put()),
      op(3, 7, 8, kv.get("x"), kvOut.get("a")),
      op(4, 9, 10, kv.get("x"), kvOut.get("a")),
    ],
  },
  {
    name: "concurrent reads may see two concurrent writes in either order when a single order explains both",
    history: [
      op(1, 0, 10, kv.put("x", "a"), kvOut.put()),
      op(2, 0, 10, kv.put("x", "b"), kvOut.put()),
      op(3, 1, 2, kv.get("x"), kvOut.get("a")),
      op(3, 3, 4, kv.get("x"), kvOut.get("b")),
      op(4, 1, 2, kv.get("x"), kvOut.get("a")),
      op(4, 5, 6, kv.get("x"), kvOut.get("b")),
    ],
  },
  {
    name: "operations whose intervals only touch are treated as concurrent",
    history: [op(1, 0, 5, kv.put("x", "a"), kvOut.put()), op(2, 5, 6, kv.get("x"), kvOut.get(null))],
  },
  {
    name: "delete counts and swaps follow the value the key holds",
    history: [
      op(1, 0, 1, kv.cas("x", null, "a"), kvOut.cas(true)),
      op(2, 2, 3, kv.cas("x", null, "b"), kvOut.cas(false)),
      op(1, 4, 5, kv.delete("x"), kvOut.delete(1)),
      op(2, 6, 7, kv.delete("x"), kvOut.delete(0)),
      op(1, 8, 9, kv.get("x"), kvOut.get(null)),
    ],
  },
  {
    name: "independent keys interleave freely",
    history: [
      op(1, 0, 10, kv.put("x", "a"), kvOut.put()),
      op(2, 0, 10, kv.put("y", "b"), kvOut.put()),
      op(3, 11, 12, kv.get("y"), kvOut.get("b")),
      op(3, 13, 14, kv.get("x"), kvOut.get("a")),
    ],
  },
];

const illegal: Case[] = [
  {
    name: "a stale read after a completed overwrite is illegal",
    history: [
      op(1, 0, 1, kv.put("x", "a"), kvOut.put()),
      op(1, 2, 3, kv.put("x", "b"), kvOut.put()),
      op(2, 4, 5, kv.get("x"), kvOut.get("a")),
    ],
  },
  {
    name: "a read of a value never written is illegal",
    history: [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), op(2, 0, 5, kv.get("x"), kvOut.get("zzz"))],
  },
  {
    name: "a lost write (a read after an acknowledged put sees nothing) is illegal",
    history: [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), op(2, 2, 3, kv.get("x"), kvOut.get(null))],
  },
  {
    name: "a lost update (two swaps from the same value both succeed) is illegal",
    history: [
      op(1, 0, 10, kv.cas("x", null, "a"), kvOut.cas(true)),
      op(2, 0, 10, kv.cas("x", null, "b"), kvOut.cas(true)),
    ],
  },
  {
    name: "two readers seeing two concurrent writes in opposite orders is illegal",
    history: [
      op(1, 0, 20, kv.put("x", "a"), kvOut.put()),
      op(2, 0, 20, kv.put("x", "b"), kvOut.put()),
      op(3, 1, 2, kv.get("x"), kvOut.get("a")),
      op(3, 3, 4, kv.get("x"), kvOut.get("b")),
      op(4, 1, 2, kv.get("x"), kvOut.get("b")),
      op(4, 3, 4, kv.get("x"), kvOut.get("a")),
    ],
  },
  {
    name: "a read that sees a write before the write was called is illegal",
    history: [op(1, 0, 1, kv.get("x"), kvOut.get("a")), op(2, 2, 3, kv.put("x", "a"), kvOut.put())],
  },
  {
    name: "deleting a key that a completed put created reports one deletion, not zero",
    history: [op(1, 0, 1, kv.put("x", "a"), kvOut.put()), op(1, 2, 3, kv.delete("x"), kvOut.delete(0))],
  },
];

describe.each(KV_CHECKS)("%s", (_, check) => {
  it.each(linearizable)("$name", ({ history }) => {
    const r = check(history);
    expect(r.outcome, r.report).toBe("ok");
  });

  it.each(illegal)("$name", ({ history }) => {
    expect(check(history).outcome).toBe("illegal");
  });
});
