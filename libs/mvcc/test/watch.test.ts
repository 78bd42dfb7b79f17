import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefixEnd, type WatchEvent, type WatchResponse } from "../index.js";
import { b, TestStore, text } from "./helpers.js";

function events(rs: WatchResponse[]): string[] {
  return rs.flatMap((r) =>
    r.kind === "events"
      ? r.events.map((e: WatchEvent) => `${e.type} ${text(e.kv.key)}@${e.kv.modRevision}`)
      : [],
  );
}

describe("live watches", () => {
  it("a key watch from now sees later puts and deletes of that key only", () => {
    const t = new TestStore();
    t.put("k", "0");
    const w = t.store.watches.watch({ key: b("k") });
    t.put("k", "1");
    t.put("other", "x");
    t.del("k");
    expect(events(w.poll())).toEqual(["put k@3", "delete k@5"]);
  });

  it("a prefix watch sees every key of its range; all events of one txn arrive in one response", () => {
    const t = new TestStore();
    const w = t.store.watches.watch({ key: b("/p/"), rangeEnd: prefixEnd(b("/p/")) });
    t.ok({
      type: "txn",
      txn: {
        compare: [],
        success: [
          { type: "put", put: { key: b("/p/a"), value: b("1") } },
          { type: "put", put: { key: b("/q/a"), value: b("1") } },
          { type: "put", put: { key: b("/p/b"), value: b("1") } },
        ],
        failure: [],
      },
    });
    const rs = w.poll();
    expect(rs).toHaveLength(1);
    expect(events(rs)).toEqual(["put /p/a@2", "put /p/b@2"]);
    expect(rs[0]!.kind === "events" && rs[0]!.revision).toBe(2);
  });

  it("prev_kv attaches the previous value; NOPUT and NODELETE filter event types", () => {
    const t = new TestStore();
    t.put("k", "old");
    const withPrev = t.store.watches.watch({ key: b("k"), prevKv: true });
    const noPut = t.store.watches.watch({ key: b("k"), noPut: true });
    const noDelete = t.store.watches.watch({ key: b("k"), noDelete: true });
    t.put("k", "new");
    t.del("k");
    const rs = withPrev.poll();
    const first = rs[0]!.kind === "events" ? rs[0]!.events[0]! : undefined;
    expect(text(first!.prevKv!.value)).toBe("old");
    const del = rs[1]!.kind === "events" ? rs[1]!.events[0]! : undefined;
    expect(text(del!.prevKv!.value)).toBe("new");
    expect(del!.kv.version).toBe(0);
    expect(events(noPut.poll())).toEqual(["delete k@4"]);
    expect(events(noDelete.poll())).toEqual(["put k@3"]);
  });

  it("onReady fires when the queue becomes non-empty, not for every event", () => {
    const t = new TestStore();
    const w = t.store.watches.watch({ key: b("k") });
    let ready = 0;
    w.onReady = () => ready++;
    t.put("k", "1");
    t.put("k", "2");
    expect(ready).toBe(1);
    w.poll();
    t.put("k", "3");
    expect(ready).toBe(2);
  });

  it("a canceled watch receives nothing more", () => {
    const t = new TestStore();
    const w = t.store.watches.watch({ key: b("k") });
    w.cancel();
    t.put("k", "1");
    expect(w.poll()).toEqual([]);
    expect(w.state).toBe("canceled");
    expect(t.store.watches.counts).toEqual({ synced: 0, unsynced: 0 });
  });

  it("a watch starting at a future revision waits for it", () => {
    const t = new TestStore();
    const w = t.store.watches.watch({ key: b("k"), startRevision: 4 });
    t.put("k", "1"); // 2
    t.put("k", "2"); // 3
    t.put("k", "3"); // 4
    expect(events(w.poll())).toEqual(["put k@4"]);
  });
});

describe("watches from the past", () => {
  it("replays history from the start revision, then continues live", () => {
    const t = new TestStore();
    t.put("k", "1"); // 2
    t.put("k", "2"); // 3
    t.put("x", "2"); // 4
    const w = t.store.watches.watch({ key: b("k"), startRevision: 3, prevKv: true });
    expect(w.state).toBe("unsynced");
    t.store.watches.syncUnsynced(1000);
    expect(w.state).toBe("synced");
    const replay = w.poll();
    expect(events(replay)).toEqual(["put k@3"]);
    expect(replay[0]!.kind === "events" && text(replay[0]!.events[0]!.prevKv!.value)).toBe("1");
    t.put("k", "3");
    expect(events(w.poll())).toEqual(["put k@5"]);
  });

  it("a watch from a compacted revision reports the compact revision and ends", () => {
    const t = new TestStore();
    t.put("k", "1");
    t.put("k", "2");
    t.put("k", "3");
    t.ok({ type: "compact", compact: { revision: 3 } });
    const w = t.store.watches.watch({ key: b("k"), startRevision: 2 });
    expect(w.poll()).toEqual([{ kind: "compacted", watchId: w.id, compactRevision: 3 }]);
    expect(w.state).toBe("canceled");
    const atCompact = t.store.watches.watch({ key: b("k"), startRevision: 3 });
    t.store.watches.syncUnsynced(100);
    expect(events(atCompact.poll())).toEqual(["put k@3", "put k@4"]);
  });

  it("catch-up is bounded by the number of changes scanned per call", () => {
    const t = new TestStore();
    for (let i = 0; i < 10; i++) t.put(`k${i}`, "v");
    const w = t.store.watches.watch({ key: b("k"), rangeEnd: b("l"), startRevision: 2 });
    expect(t.store.watches.syncUnsynced(4)).toBe(4);
    expect(w.state).toBe("unsynced");
    expect(events(w.poll())).toHaveLength(4);
    t.store.watches.syncUnsynced(100);
    expect(w.state).toBe("synced");
    expect(events(w.poll())).toHaveLength(6);
  });
});

describe("slow watchers", () => {
  it("a watcher whose queue is full moves to unsynced, never blocks apply, and later catches up in order", () => {
    const t = new TestStore({ watch: { queueEventsMax: 3 } });
    const slow = t.store.watches.watch({ key: b("k") });
    const fast = t.store.watches.watch({ key: b("k") });
    for (let i = 0; i < 10; i++) {
      t.put("k", String(i));
      fast.poll();
    }
    expect(slow.state).toBe("unsynced");
    expect(fast.state).toBe("synced");
    const seen: string[] = events(slow.poll());
    for (let round = 0; round < 10 && slow.state !== "synced"; round++) {
      t.store.watches.syncUnsynced(1000);
      seen.push(...events(slow.poll()));
    }
    expect(slow.state).toBe("synced");
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `put k@${i + 2}`));
  });

  it("an unsynced watcher whose history gets compacted is told so and ends", () => {
    const t = new TestStore({ watch: { queueEventsMax: 1 } });
    const w = t.store.watches.watch({ key: b("k") });
    t.put("k", "1");
    t.put("k", "2"); // does not fit: unsynced from revision 3
    t.put("k", "3");
    t.ok({ type: "compact", compact: { revision: 4 } });
    w.poll();
    t.store.watches.syncUnsynced(100);
    expect(w.poll()).toEqual([{ kind: "compacted", watchId: w.id, compactRevision: 4 }]);
  });
});

describe("progress", () => {
  it("a synced watcher gets a progress response after every event up to the current revision", () => {
    const t = new TestStore();
    const w = t.store.watches.watch({ key: b("k") });
    t.put("k", "1");
    t.put("other", "1");
    expect(t.store.watches.requestProgress(w)).toBe(true);
    const rs = w.poll();
    expect(rs.map((r) => r.kind)).toEqual(["events", "progress"]);
    expect(rs[1]).toEqual({ kind: "progress", watchId: w.id, revision: 3 });
  });

  it("progress is refused while a watcher is catching up", () => {
    const t = new TestStore();
    t.put("k", "1");
    const w = t.store.watches.watch({ key: b("k"), startRevision: 1 });
    expect(t.store.watches.requestProgress(w)).toBe(false);
  });

  it("periodic notifications go only to idle watchers that asked for them", () => {
    const t = new TestStore();
    const asked = t.store.watches.watch({ key: b("k"), progressNotify: true });
    const notAsked = t.store.watches.watch({ key: b("k") });
    expect(t.store.watches.notifyProgress()).toBe(1);
    expect(asked.poll()).toEqual([{ kind: "progress", watchId: asked.id, revision: 1 }]);
    expect(notAsked.poll()).toEqual([]);
  });
});

describe("watch delivery under any queue bound", () => {
  it("a watcher sees exactly the changes of its range, in order, however small its queue and however it polls", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.boolean(), fc.boolean()), { maxLength: 40 }),
        (queueEventsMax, ops) => {
          const t = new TestStore({ watch: { queueEventsMax } });
          const w = t.store.watches.watch({ key: b("a"), rangeEnd: b("c") });
          const seen: string[] = [];
          const want: string[] = [];
          for (const [k, isDelete, pollNow] of ops) {
            const before = t.store.currentRevision;
            const rev = isDelete ? t.del(k) : t.put(k, "v");
            if (rev !== before && k !== "c") want.push(`${isDelete ? "delete" : "put"} ${k}@${rev}`);
            if (pollNow) {
              seen.push(...events(w.poll()));
              t.store.watches.syncUnsynced(3);
            }
          }
          for (let i = 0; i < 100 && w.state !== "synced"; i++) {
            seen.push(...events(w.poll()));
            t.store.watches.syncUnsynced(3);
          }
          seen.push(...events(w.poll()));
          expect(seen).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
