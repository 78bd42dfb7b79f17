import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MvccStore, SnapshotCorruptError } from "../index.js";
import { b, TestStore, text } from "./helpers.js";

function populated(): TestStore {
  const t = new TestStore();
  t.ok({ type: "leaseGrant", leaseGrant: { id: 5 as never, ttlSec: 30 } });
  for (let i = 0; i < 50; i++)
    t.put(`/k/${i % 17}`, `value-${i}`.repeat(1 + (i % 5)), i % 3 === 0 ? { lease: 5 } : {});
  t.del("/k/3");
  t.ok({ type: "compact", compact: { revision: 20 } });
  t.put("/k/3", "back");
  return t;
}

function restored(t: TestStore, chunkBytesMax: number): MvccStore {
  const chunks = [...t.store.snapshot(chunkBytesMax)];
  for (const c of chunks) expect(c.length).toBeLessThanOrEqual(chunkBytesMax);
  const s = new MvccStore();
  s.restore(chunks);
  return s;
}

describe("hash", () => {
  it("members that applied the same entries agree; a different value changes the hash", () => {
    const a = populated();
    const c = populated();
    expect(a.store.hashKv()).toEqual(c.store.hashKv());
    c.put("/k/1", "different");
    a.put("/k/1", "other");
    const ha = a.store.hashKv();
    const hc = c.store.hashKv();
    expect(ha.ok && hc.ok && ha.value.hash !== hc.value.hash).toBe(true);
  });

  it("hashes at a past revision ignore later writes; compacted and future revisions fail", () => {
    const a = populated();
    const before = a.store.hashKv(40);
    a.put("/new", "x");
    expect(a.store.hashKv(40)).toEqual(before);
    expect(a.store.hashKv(10).ok).toBe(false);
    expect(a.store.hashKv(999).ok).toBe(false);
  });
});

describe("snapshot and restore", () => {
  it("round-trips the whole state: revisions, index, keys with history, leases, and the hash", () => {
    const t = populated();
    for (const chunkBytesMax of [16, 100, 1 << 20]) {
      const s = restored(t, chunkBytesMax);
      expect(s.currentRevision).toBe(t.store.currentRevision);
      expect(s.compactRevision).toBe(t.store.compactRevision);
      expect(s.consistentIndex).toBe(t.store.consistentIndex);
      expect(s.hashKv()).toEqual(t.store.hashKv());
      expect(s.hashKv(30)).toEqual(t.store.hashKv(30));
      expect(s.leaseIds()).toEqual([5]);
      expect(s.lessor.timeToLive(5 as never, 0, true)!.keys.map(text)).toEqual(
        t.store.lessor.timeToLive(5 as never, 0, true)!.keys.map(text),
      );
      const old = s.range({ key: b("/k/0"), revision: 25 });
      expect(old).toEqual(t.store.range({ key: b("/k/0"), revision: 25 }));
    }
  });

  it("a restored member applies the next entries exactly as the others", () => {
    const t = populated();
    const s = restored(t, 64);
    const next = { type: "leaseRevoke", leaseRevoke: { id: 5 as never } } as const;
    const ra = t.store.apply(t.index + 1, next);
    const rb = s.apply(t.index + 1, next);
    expect(rb).toEqual(ra);
    expect(s.hashKv()).toEqual(t.store.hashKv());
    expect(s.apply(t.index, next).kind).toBe("alreadyApplied");
  });

  it("watchers survive a restore and catch up from the restored history", () => {
    const t = populated();
    const follower = new TestStore();
    const w = follower.store.watches.watch({ key: b("/k/3") });
    follower.store.restore(t.store.snapshot(128));
    follower.store.watches.syncUnsynced(10_000);
    const got = w.poll().flatMap((r) => (r.kind === "events" ? r.events.map((e) => e.type) : [r.kind]));
    // The watcher was at revision 2; the restored history starts at the compact revision 20.
    expect(got).toEqual(["compacted"]);
  });

  it("a snapshot describes the moment it was taken, however much is applied while it is read", () => {
    const t = populated();
    // A long history (appended in place past 8 records), which the compaction below cuts.
    for (let i = 0; i < 12; i++) t.put("/long", `v${i}`);
    const before = Buffer.concat([...t.store.snapshot(1 << 20)]);
    const gen = t.store.snapshot(16);
    const first = gen.next();
    // Writes, a delete, a revoke and a compaction while the snapshot is half read.
    t.put("x", "y");
    t.put("/long", "newer");
    t.del("/k/2");
    t.ok({ type: "leaseRevoke", leaseRevoke: { id: 5 as never } });
    t.ok({ type: "compact", compact: { revision: t.store.currentRevision } });
    const during = Buffer.concat([first.value as Uint8Array, ...gen]);
    expect(during.equals(before)).toBe(true);
  });

  it("corrupt, truncated or foreign bytes are refused with a typed error and the old state is kept", () => {
    const t = populated();
    const bytes = Buffer.concat([...t.store.snapshot(1 << 20)]);
    const s = new TestStore();
    s.put("mine", "1");
    const flipped = Uint8Array.from(bytes);
    flipped[bytes.length >> 1]! ^= 0x40;
    for (const bad of [
      bytes.subarray(0, bytes.length - 3),
      flipped,
      b("not a snapshot"),
      new Uint8Array(0),
    ]) {
      expect(() => s.store.restore([bad])).toThrow(SnapshotCorruptError);
    }
    expect(s.keys("\0", "\0")).toEqual(["mine"]);
  });

  it("any store built from random puts and deletes round-trips with an equal hash", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.uint8Array({ maxLength: 40 })), {
          maxLength: 60,
        }),
        fc.integer({ min: 16, max: 300 }),
        (ops, chunk) => {
          const t = new TestStore();
          for (const [k, isDelete, value] of ops) {
            if (isDelete) t.del(`k${k}`);
            else t.ok({ type: "put", put: { key: b(`k${k}`), value } });
          }
          const s = restored(t, chunk);
          expect(s.hashKv()).toEqual(t.store.hashKv());
          expect(s.currentRevision).toBe(t.store.currentRevision);
        },
      ),
      { numRuns: 100 },
    );
  });
});
