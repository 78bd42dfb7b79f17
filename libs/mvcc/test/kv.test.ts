import { describe, expect, it } from "vitest";
import { CompactedError, EmptyKeyError, FutureRevisionError, prefixEnd } from "../index.js";
import { b, plain, TestStore, text } from "./helpers.js";

describe("revisions and key metadata", () => {
  it("a fresh store is at revision 1 and each put takes the next revision", () => {
    const t = new TestStore();
    expect(t.store.currentRevision).toBe(1);
    expect(t.put("a", "1")).toBe(2);
    expect(t.put("b", "1")).toBe(3);
    expect(t.store.currentRevision).toBe(3);
  });

  it("a key carries create revision, mod revision and a version counting puts since creation", () => {
    const t = new TestStore();
    t.put("k", "v1");
    t.put("k", "v2");
    expect(plain(t.get("k"))).toEqual({
      key: "k",
      value: "v2",
      createRevision: 2,
      modRevision: 3,
      version: 2,
      lease: 0,
    });
  });

  it("a delete ends the generation: a later put starts again at version 1 with a new create revision", () => {
    const t = new TestStore();
    t.put("k", "v1");
    expect(t.del("k")).toBe(3);
    expect(t.get("k")).toBeUndefined();
    t.put("k", "v2");
    expect(plain(t.get("k"))).toMatchObject({ createRevision: 4, modRevision: 4, version: 1 });
  });

  it("reads at an old revision see the key as it was then", () => {
    const t = new TestStore();
    t.put("k", "v1");
    t.put("k", "v2");
    t.del("k");
    expect(text(t.get("k", 2)!.value)).toBe("v1");
    expect(text(t.get("k", 3)!.value)).toBe("v2");
    expect(t.get("k", 4)).toBeUndefined();
    expect(t.get("k", 1)).toBeUndefined();
  });
});

describe("put", () => {
  it("returns the previous kv only when asked", () => {
    const t = new TestStore();
    t.put("k", "v1");
    const without = t.ok({ type: "put", put: { key: b("k"), value: b("v2") } });
    expect(without.put.prevKv).toBeUndefined();
    const withPrev = t.ok({ type: "put", put: { key: b("k"), value: b("v3"), prevKv: true } });
    expect(text(withPrev.put.prevKv!.value)).toBe("v2");
  });

  it("ignore_value keeps the current value; ignore_lease keeps the current lease", () => {
    const t = new TestStore();
    t.ok({ type: "leaseGrant", leaseGrant: { id: 7 as never, ttlSec: 10 } });
    t.put("k", "v1", { lease: 7 });
    t.ok({
      type: "put",
      put: { key: b("k"), value: new Uint8Array(0), ignoreValue: true, ignoreLease: true },
    });
    expect(plain(t.get("k"))).toMatchObject({ value: "v1", version: 2, lease: 7 });
  });

  it("ignore_value and ignore_lease on a missing key fail with key-not-found, and misuse is refused", () => {
    const t = new TestStore();
    expect(
      t.rejected({ type: "put", put: { key: b("k"), value: new Uint8Array(0), ignoreValue: true } }).code,
    ).toBe("keyNotFound");
    expect(t.rejected({ type: "put", put: { key: b("k"), value: b("x"), ignoreLease: true } }).code).toBe(
      "keyNotFound",
    );
    expect(t.rejected({ type: "put", put: { key: b("k"), value: b("x"), ignoreValue: true } }).code).toBe(
      "valueProvided",
    );
    expect(
      t.rejected({ type: "put", put: { key: b("k"), value: b("x"), lease: 5 as never, ignoreLease: true } })
        .code,
    ).toBe("leaseProvided");
    expect(t.store.currentRevision).toBe(1);
  });

  it("an empty key is refused with etcd's message", () => {
    const t = new TestStore();
    const err = t.rejected({ type: "put", put: { key: new Uint8Array(0), value: b("x") } });
    expect(err).toBeInstanceOf(EmptyKeyError);
    expect(err.etcdMessage).toBe("etcdserver: key is not provided");
  });
});

describe("delete range", () => {
  it("deletes a single key or a range in one revision and reports the count and prev kvs", () => {
    const t = new TestStore();
    for (const k of ["a", "b", "c", "d"]) t.put(k, k.toUpperCase());
    const r = t.ok({ type: "deleteRange", deleteRange: { key: b("b"), rangeEnd: b("d"), prevKv: true } });
    expect(r.header.revision).toBe(6);
    expect(r.deleteRange.deleted).toBe(2);
    expect(r.deleteRange.prevKvs.map((kv) => text(kv.value))).toEqual(["B", "C"]);
    expect(t.keys("a", "\0")).toEqual(["a", "d"]);
  });

  it("deleting nothing takes no revision", () => {
    const t = new TestStore();
    t.put("a", "1");
    const r = t.ok({ type: "deleteRange", deleteRange: { key: b("zzz") } });
    expect(r.deleteRange.deleted).toBe(0);
    expect(r.header.revision).toBe(2);
    expect(t.store.currentRevision).toBe(2);
  });

  it("without prev_kv the deleted kvs are not returned", () => {
    const t = new TestStore();
    t.put("a", "1");
    const r = t.ok({ type: "deleteRange", deleteRange: { key: b("a") } });
    expect(r.deleteRange).toEqual({ deleted: 1, prevKvs: [] });
  });
});

describe("range", () => {
  function seeded(): TestStore {
    const t = new TestStore();
    t.put("/pods/a", "3"); // rev 2
    t.put("/pods/b", "1"); // rev 3
    t.put("/pods/c", "2"); // rev 4
    t.put("/svc/a", "x"); // rev 5
    t.put("/pods/a", "4"); // rev 6
    return t;
  }

  it("an empty range_end selects one key; a prefix end selects the prefix; \\0 selects every key >= key", () => {
    const t = seeded();
    expect(t.keys("/pods/b")).toEqual(["/pods/b"]);
    const pre = t.store.range({ key: b("/pods/"), rangeEnd: prefixEnd(b("/pods/")) });
    expect(pre.ok && pre.value.range.kvs.map((kv) => text(kv.key))).toEqual([
      "/pods/a",
      "/pods/b",
      "/pods/c",
    ]);
    expect(t.keys("/pods/c", "\0")).toEqual(["/pods/c", "/svc/a"]);
    expect(t.keys("\0", "\0")).toEqual(["/pods/a", "/pods/b", "/pods/c", "/svc/a"]);
  });

  it("a range_end at or below the key selects nothing", () => {
    const t = seeded();
    expect(t.keys("/pods/c", "/pods/a")).toEqual([]);
  });

  it("limit cuts the result and sets more, while count stays the whole range", () => {
    const t = seeded();
    const r = t.store.range({ key: b("/"), rangeEnd: b("0"), limit: 2 });
    if (!r.ok) throw r.error;
    expect(r.value.range.kvs.map((kv) => text(kv.key))).toEqual(["/pods/a", "/pods/b"]);
    expect(r.value.range.more).toBe(true);
    expect(r.value.range.count).toBe(4);
    const all = t.store.range({ key: b("/"), rangeEnd: b("0"), limit: 4 });
    expect(all.ok && all.value.range.more).toBe(false);
  });

  it("count_only returns the count and no kvs; keys_only returns kvs without values", () => {
    const t = seeded();
    const c = t.store.range({ key: b("/"), rangeEnd: b("0"), countOnly: true });
    expect(c.ok && c.value.range).toEqual({ kvs: [], more: false, count: 4 });
    const k = t.store.range({ key: b("/pods/a"), keysOnly: true });
    if (!k.ok) throw k.error;
    expect(k.value.range.kvs[0]!.value.length).toBe(0);
    expect(k.value.range.kvs[0]!.version).toBe(2);
  });

  it("sorts by every target in both orders; a non-key target with order none sorts ascending", () => {
    const t = seeded();
    const order = (req: Parameters<typeof t.store.range>[0]): string[] => {
      const r = t.store.range(req);
      if (!r.ok) throw r.error;
      return r.value.range.kvs.map((kv) => text(kv.key));
    };
    const base = { key: b("/pods/"), rangeEnd: prefixEnd(b("/pods/")) };
    expect(order({ ...base, sortOrder: "descend" })).toEqual(["/pods/c", "/pods/b", "/pods/a"]);
    expect(order({ ...base, sortTarget: "value" })).toEqual(["/pods/b", "/pods/c", "/pods/a"]);
    expect(order({ ...base, sortTarget: "value", sortOrder: "descend" })).toEqual([
      "/pods/a",
      "/pods/c",
      "/pods/b",
    ]);
    expect(order({ ...base, sortTarget: "mod", sortOrder: "descend" })).toEqual([
      "/pods/a",
      "/pods/c",
      "/pods/b",
    ]);
    expect(order({ ...base, sortTarget: "create", sortOrder: "ascend" })).toEqual([
      "/pods/a",
      "/pods/b",
      "/pods/c",
    ]);
    expect(order({ ...base, sortTarget: "version", sortOrder: "descend" })[0]).toBe("/pods/a");
    expect(order({ ...base, sortTarget: "mod", sortOrder: "ascend", limit: 1 })).toEqual(["/pods/b"]);
  });

  it("min and max mod and create revision filters drop kvs outside the bounds", () => {
    const t = seeded();
    const keys = (f: object): string[] => {
      const r = t.store.range({ key: b("/"), rangeEnd: b("0"), ...f });
      if (!r.ok) throw r.error;
      return r.value.range.kvs.map((kv) => text(kv.key));
    };
    expect(keys({ minModRevision: 4 })).toEqual(["/pods/a", "/pods/c", "/svc/a"]);
    expect(keys({ maxModRevision: 4 })).toEqual(["/pods/b", "/pods/c"]);
    expect(keys({ minCreateRevision: 3, maxCreateRevision: 4 })).toEqual(["/pods/b", "/pods/c"]);
  });

  it("a read above the current revision fails as a future revision; an empty key is refused", () => {
    const t = seeded();
    const r = t.store.range({ key: b("/pods/a"), revision: 7 });
    expect(!r.ok && r.error).toBeInstanceOf(FutureRevisionError);
    expect(!r.ok && r.error.etcdMessage).toBe("etcdserver: mvcc: required revision is a future revision");
    const e = t.store.range({ key: new Uint8Array(0) });
    expect(!e.ok && e.error.code).toBe("emptyKey");
  });

  it("a range can go through the log too, with a header", () => {
    const t = seeded();
    const r = t.ok({ type: "range", range: { key: b("/svc/a") } });
    expect(r.header.revision).toBe(6);
    expect(r.range.count).toBe(1);
  });
});

describe("compaction", () => {
  it("reads below the compact revision fail as compacted; at and above it they still work", () => {
    const t = new TestStore();
    t.put("k", "v1"); // 2
    t.put("k", "v2"); // 3
    t.put("k", "v3"); // 4
    t.ok({ type: "compact", compact: { revision: 3 } });
    expect(t.store.compactRevision).toBe(3);
    const r = t.store.range({ key: b("k"), revision: 2 });
    expect(!r.ok && r.error).toBeInstanceOf(CompactedError);
    expect(!r.ok && r.error.etcdMessage).toBe("etcdserver: mvcc: required revision has been compacted");
    expect(text(t.get("k", 3)!.value)).toBe("v2");
    expect(text(t.get("k")!.value)).toBe("v3");
  });

  it("compacting at or below the compact revision fails as compacted, above the current as future", () => {
    const t = new TestStore();
    t.put("k", "v1");
    t.put("k", "v2");
    t.ok({ type: "compact", compact: { revision: 2 } });
    expect(t.rejected({ type: "compact", compact: { revision: 2 } }).code).toBe("compacted");
    expect(t.rejected({ type: "compact", compact: { revision: 9 } }).code).toBe("futureRevision");
  });

  it("a key deleted before the compact revision disappears entirely", () => {
    const t = new TestStore();
    t.put("gone", "x"); // 2
    t.del("gone"); // 3
    t.put("stay", "y"); // 4
    expect(t.store.keyCount).toBe(2);
    t.ok({ type: "compact", compact: { revision: 4 } });
    expect(t.store.keyCount).toBe(1);
    expect(t.keys("\0", "\0")).toEqual(["stay"]);
    // The deleted key comes back as a new generation.
    t.put("gone", "again");
    expect(plain(t.get("gone"))).toMatchObject({ version: 1, createRevision: 5 });
  });

  it("compaction does not change the revision", () => {
    const t = new TestStore();
    t.put("k", "v1");
    const r = t.ok({ type: "compact", compact: { revision: 2, physical: true } });
    expect(r.header.revision).toBe(2);
  });
});

describe("apply bookkeeping", () => {
  it("an entry at or below the consistent index is reported as already applied and changes nothing", () => {
    const t = new TestStore();
    t.put("k", "v1");
    expect(t.store.consistentIndex).toBe(1);
    const again = t.store.apply(1, { type: "put", put: { key: b("k"), value: b("v2") } });
    expect(again).toEqual({ kind: "alreadyApplied", index: 1 });
    expect(text(t.get("k")!.value)).toBe("v1");
  });

  it("a rejected entry still advances the consistent index", () => {
    const t = new TestStore();
    t.rejected({ type: "put", put: { key: new Uint8Array(0), value: b("x") } });
    expect(t.store.consistentIndex).toBe(1);
  });

  it("entries without a command advance the consistent index through markApplied", () => {
    const t = new TestStore();
    t.store.markApplied(5);
    expect(t.store.consistentIndex).toBe(5);
    expect(t.store.apply(5, { type: "put", put: { key: b("k"), value: b("v") } }).kind).toBe(
      "alreadyApplied",
    );
  });

  it("undecodable entry data is rejected with a decode error", () => {
    const t = new TestStore();
    const r = t.store.applyEntry(1, new Uint8Array([9, 9, 9]));
    expect(r.kind === "rejected" && r.error.code).toBe("commandDecode");
    expect(t.store.consistentIndex).toBe(1);
  });
});
