import { afterEach, describe, expect, it } from "vitest";
import { utf8 } from "../../../../libs/mvcc/index.js";
import { ApiError } from "../api-error.js";
import { node, pod, settle, TestStore, watchInto } from "./testing.js";
import { WatchCache, type WatchCacheOptions } from "./watch-cache.js";
import { parseWatchParams } from "./watch-request.js";

const caches: WatchCache[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.stop();
});

function startCache(t: TestStore, options: WatchCacheOptions = {}): WatchCache {
  const c = new WatchCache(t.store, options);
  caches.push(c);
  c.start();
  return c;
}

async function expectRejected(p: Promise<unknown>, reason: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).reason).toBe(reason);
  expect((err as ApiError).message).toMatch(message);
}

describe("WatchCache state", () => {
  it("lists the current objects under a prefix in key order, as of its revision", async () => {
    const t = new TestStore();
    t.putObject(pod("b", "x"));
    t.putObject(pod("a", "z"));
    t.putObject(node("n1"));
    const cache = startCache(t);
    t.putObject(pod("a", "y"));
    const last = t.delete("/registry/pods/b/x");
    await settle();
    const all = cache.list("/registry/pods/");
    expect(all.items.map((o) => o.key)).toEqual(["/registry/pods/a/y", "/registry/pods/a/z"]);
    expect(all.revision).toBe(last);
    expect(cache.list("/registry/pods/a/").items).toHaveLength(2);
    expect(cache.list("/registry/minions/").items.map((o) => o.object.metadata.name)).toEqual(["n1"]);
  });

  it("gets a frozen object whose resourceVersion is the revision that wrote it", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    const rev = t.putObject(pod("default", "web"));
    await settle();
    const got = cache.get("/registry/pods/default/web");
    expect(got?.modRevision).toBe(rev);
    expect(got?.object.metadata.resourceVersion).toBe(String(rev));
    expect(Object.isFrozen(got?.object.metadata)).toBe(true);
    expect(cache.get("/registry/pods/default/nope")).toBeUndefined();
  });

  it("reaches the store's revision after writes outside the registry, and waits for future ones", async () => {
    const t = new TestStore();
    const cache = startCache(t, { freshnessCheckIntervalMs: 5 });
    const rev = t.put("/other/key", "v");
    await cache.waitUntilFresh(rev, 1000);
    expect(cache.revision).toBe(rev);
    const waiting = cache.waitUntilFresh(rev + 2, 5000);
    t.put("/other/key", "w");
    t.putObject(pod("default", "p"));
    await waiting;
    expect(cache.revision).toBeGreaterThanOrEqual(rev + 2);
    await expectRejected(cache.waitUntilFresh(rev + 100, 20), "Timeout", /did not reach revision/);
  });

  it("skips and counts values that do not decode, and never sends them", async () => {
    const t = new TestStore();
    t.put("/registry/pods/default/bad0", "{not json");
    const cache = startCache(t);
    const sink = await watchInto(cache, {});
    t.put("/registry/pods/default/bad1", "not json");
    t.put("/registry/pods/default/bad2", { kind: "Node", apiVersion: "v1", metadata: { name: "bad2" } });
    t.put("/registry/unknown-kind/x", "{}");
    t.putObject(pod("default", "good"));
    await settle();
    expect(sink.summary().map((s) => s.split("@")[0])).toEqual(["ADDED good"]);
    expect(cache.stats.undecodableValues).toBe(4);
    expect(cache.list("/registry/pods/").items.map((o) => o.object.metadata.name)).toEqual(["good"]);
  });

  it("an object overwritten by a value that does not decode is DELETED for watchers and lists", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    t.putObject(pod("default", "p"));
    await settle();
    const sink = await watchInto(cache, { resource_version: String(cache.revision) });
    const rev = t.put("/registry/pods/default/p", "garbage");
    await settle();
    expect(sink.summary()).toEqual([`DELETED p@${rev}`]);
    expect(cache.get("/registry/pods/default/p")).toBeUndefined();
  });
});

describe("WatchCache watches", () => {
  it('"0" sends an ADDED for every current object, then every change in order', async () => {
    const t = new TestStore();
    const r1 = t.putObject(pod("default", "a"));
    const r2 = t.putObject(pod("kube-system", "b"));
    t.putObject(node("n1"));
    const cache = startCache(t);
    await settle();
    const sink = await watchInto(cache, { resource_version: "0" });
    const r4 = t.putObject(pod("default", "a", { image: "v2" }));
    const r5 = t.delete("/registry/pods/kube-system/b");
    await settle();
    expect(sink.summary()).toEqual([`ADDED a@${r1}`, `ADDED b@${r2}`, `MODIFIED a@${r4}`, `DELETED b@${r5}`]);
    // A DELETED carries the last state, stamped with the delete's revision.
    expect(sink.events[3]?.object.metadata.namespace).toBe("kube-system");
  });

  it('"N" sends every change after N, in order, none lost or repeated, across a multi-key revision', async () => {
    const t = new TestStore();
    const cache = startCache(t);
    const r1 = t.putObject(pod("default", "a"));
    const r2 = t.apply({
      type: "txn",
      txn: {
        compare: [],
        success: [
          {
            type: "put",
            put: { key: utf8("/registry/pods/default/b"), value: utf8(JSON.stringify(pod("default", "b"))) },
          },
          {
            type: "put",
            put: { key: utf8("/registry/pods/default/c"), value: utf8(JSON.stringify(pod("default", "c"))) },
          },
        ],
        failure: [],
      },
    });
    const r3 = t.delete("/registry/pods/default/a");
    await settle();
    const fromR1 = await watchInto(cache, { resource_version: String(r1) });
    expect(fromR1.summary()).toEqual([`ADDED b@${r2}`, `ADDED c@${r2}`, `DELETED a@${r3}`]);
    const fromR2 = await watchInto(cache, { resource_version: String(r2) });
    expect(fromR2.summary()).toEqual([`DELETED a@${r3}`]);
  });

  it("resumes from a resourceVersion older than the cache's start, from the store's history", async () => {
    const t = new TestStore();
    const r1 = t.putObject(pod("default", "a"));
    const r2 = t.putObject(pod("default", "b"));
    const r3 = t.putObject(pod("default", "a", { image: "v2" }));
    const cache = startCache(t, { historyRevisionsMax: 100 });
    await settle();
    const sink = await watchInto(cache, { resource_version: String(r1) });
    expect(sink.summary()).toEqual([`ADDED b@${r2}`, `MODIFIED a@${r3}`]);
  });

  it("ends a watch from a resourceVersion older than the ring with Expired", async () => {
    const t = new TestStore();
    for (let i = 0; i < 10; i++) t.putObject(pod("default", `p${i}`));
    const cache = startCache(t, { historyRevisionsMax: 3 });
    await settle();
    const start = t.store.currentRevision - 3;
    await expectRejected(
      cache.watch(parseWatchParams(params({ resource_version: "2" })), new NullSink()),
      "Expired",
      new RegExp(`too old resource version: 2 \\(${start}\\)`),
    );
    const ok = await watchInto(cache, { resource_version: String(start) });
    expect(ok.events).toHaveLength(3);
  });

  it("a resourceVersion below the store's compaction is Expired; the ring's oldest event moves its start", async () => {
    const t = new TestStore();
    for (let i = 0; i < 5; i++) t.putObject(pod("default", `p${i}`));
    t.compact(4);
    const cache = startCache(t, { ringEventsPerKind: 4 });
    await settle();
    await expectRejected(
      cache.watch(parseWatchParams(params({ resource_version: "3" })), new NullSink()),
      "Expired",
      /too old/,
    );
    for (let i = 0; i < 6; i++) t.putObject(pod("default", `q${i}`));
    await settle();
    const rev = cache.revision;
    await expectRejected(
      cache.watch(parseWatchParams(params({ resource_version: String(rev - 5) })), new NullSink()),
      "Expired",
      /too old/,
    );
    expect((await watchInto(cache, { resource_version: String(rev - 4) })).events).toHaveLength(4);
  });

  it("filters by namespace and kind", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    const sink = await watchInto(cache, { namespace: "a", resource_version: "0" });
    const nodes = await watchInto(cache, { kind: "Node", resource_version: "0" });
    t.putObject(pod("b", "x"));
    const r = t.putObject(pod("a", "y"));
    const rn = t.putObject(node("n"));
    await settle();
    expect(sink.summary()).toEqual([`ADDED y@${r}`]);
    expect(nodes.summary()).toEqual([`ADDED n@${rn}`]);
  });

  it("an object that stops matching the selectors is DELETED, one that starts matching is ADDED", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    const sink = await watchInto(cache, { label_selector: "app=web", resource_version: "0" });
    const fields = await watchInto(cache, { field_selector: "spec.nodeName=n1", resource_version: "0" });
    const r1 = t.putObject(pod("default", "p", { labels: { app: "db" } }));
    const r2 = t.putObject(pod("default", "p", { labels: { app: "web" } }));
    const r3 = t.putObject(pod("default", "p", { labels: { app: "web" }, nodeName: "n1" }));
    const r4 = t.putObject(pod("default", "p", { labels: { app: "db" }, nodeName: "n1" }));
    const r5 = t.delete("/registry/pods/default/p");
    await settle();
    expect(r1).toBeGreaterThan(0);
    expect(sink.summary()).toEqual([`ADDED p@${r2}`, `MODIFIED p@${r3}`, `DELETED p@${r4}`]);
    expect(fields.summary()).toEqual([`ADDED p@${r3}`, `MODIFIED p@${r4}`, `DELETED p@${r5}`]);
    // The DELETED of a selector transition carries the previous (matching) state.
    expect(sink.events[2]?.object.metadata.labels).toEqual({ app: "web" });
  });

  it("a watch from a resourceVersion the cache has not reached waits for it", async () => {
    const t = new TestStore();
    const cache = startCache(t, { freshnessCheckIntervalMs: 5 });
    const n = cache.revision + 1;
    const sink = new NullSink();
    const opening = cache.watch(parseWatchParams(params({ resource_version: String(n) })), sink);
    t.putObject(pod("default", "a"));
    const r = t.putObject(pod("default", "b"));
    await opening;
    await settle();
    expect(sink.names).toEqual([`ADDED b@${r}`]);
    const tooFar = new WatchCache(t.store, { futureRevisionWaitMs: 10 });
    caches.push(tooFar);
    tooFar.start();
    await expectRejected(
      tooFar.watch(parseWatchParams(params({ resource_version: String(r + 50) })), new NullSink()),
      "Timeout",
      /Too large resource version/,
    );
  });

  it("sends BOOKMARKs at the cache's revision to watchers that allow them, when idle", async () => {
    const t = new TestStore();
    const cache = startCache(t, { bookmarkIntervalMs: 10 });
    const withB = await watchInto(cache, { allow_bookmarks: true, resource_version: "0" });
    const without = await watchInto(cache, { resource_version: "0" });
    const r = t.putObject(pod("default", "a"));
    const deadline = Date.now() + 5000;
    while (!withB.events.some((e) => e.type === "BOOKMARK") && Date.now() < deadline) await sleep(5);
    const bm = withB.events.find((e) => e.type === "BOOKMARK");
    expect(bm?.object).toEqual({ kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: String(r) } });
    expect(withB.events[0]?.type).toBe("ADDED");
    expect(without.events.map((e) => e.type)).toEqual(["ADDED"]);
  });

  it("drops a watcher that stays blocked past its bound, tells it where to resume, and the others get everything", async () => {
    const t = new TestStore();
    const cache = startCache(t, { watcherLagEventsMax: 10 });
    const start = cache.revision;
    const slow = await watchInto(cache, { resource_version: String(start) });
    const fast = await watchInto(cache, { resource_version: String(start) });
    slow.blocked = true;
    const revs: number[] = [];
    for (let i = 0; i < 30; i++) {
      revs.push(t.putObject(pod("default", `p${i}`)));
      if (i % 5 === 0) await settle(2);
    }
    await settle();
    expect(fast.events.map((e) => Number(e.object.metadata.resourceVersion))).toEqual(revs);
    const err = slow.closedWith;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).reason).toBe("TooManyRequests");
    const m = /watcher too slow: .*; resume from resourceVersion (\d+)$/.exec((err as ApiError).message);
    expect(m).not.toBeNull();
    const resume = Number(m?.[1]);
    const received = slow.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(received.every((r) => r <= resume)).toBe(true);
    expect(cache.stats.watchersDropped).toBe(1);
    // Resuming where it was told loses nothing and repeats nothing.
    const again = await watchInto(cache, { resource_version: String(resume) });
    expect([...received, ...again.events.map((e) => Number(e.object.metadata.resourceVersion))]).toEqual(
      revs,
    );
  });

  it("a blocked watcher goes on where it stopped once its transport drains", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    const sink = await watchInto(cache, { resource_version: "0" });
    sink.blocked = true;
    const revs = [
      t.putObject(pod("default", "a")),
      t.putObject(pod("default", "b")),
      t.putObject(pod("default", "c")),
    ];
    await settle();
    expect(sink.events).toHaveLength(1);
    sink.unblock();
    expect(sink.events.map((e) => Number(e.object.metadata.resourceVersion))).toEqual(revs);
  });

  it("cancel frees the watcher; stop ends every stream with ServiceUnavailable", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    const a = await watchInto(cache, {});
    const b = await watchInto(cache, {});
    expect(cache.stats.watchers).toBe(2);
    a.watcher?.cancel();
    expect(cache.stats.watchers).toBe(1);
    cache.stop();
    expect(cache.stats.watchers).toBe(0);
    expect(a.closedWith).toBe("open");
    expect((b.closedWith as ApiError).reason).toBe("ServiceUnavailable");
    await expectRejected(
      cache.watch(parseWatchParams(params({})), new NullSink()),
      "ServiceUnavailable",
      /not running/,
    );
  });

  it("rebuilds itself when its store watch is compacted away (a snapshot installed), ending watches to resume", async () => {
    const ahead = new TestStore();
    const behind = new TestStore();
    behind.putObject(pod("default", "x"));
    const cache = startCache(behind, { freshnessCheckIntervalMs: 5 });
    const sink = await watchInto(cache, { resource_version: "0" });
    await settle();
    expect(sink.summary()).toEqual(["ADDED x@2"]);
    for (let i = 0; i < 5; i++) ahead.putObject(pod("default", `y${i}`));
    ahead.compact(ahead.store.currentRevision);
    behind.store.restore(ahead.store.snapshot());
    await cache.waitUntilFresh(ahead.store.currentRevision, 5000);
    expect(cache.stats.reinitializations).toBe(1);
    expect((sink.closedWith as ApiError).reason).toBe("ServiceUnavailable");
    expect((sink.closedWith as ApiError).message).toMatch(/resume from resourceVersion 2$/);
    expect(cache.list("/registry/pods/").items.map((o) => o.object.metadata.name)).toEqual([
      "y0",
      "y1",
      "y2",
      "y3",
      "y4",
    ]);
    const after = await watchInto(cache, { resource_version: "0" });
    expect(after.events).toHaveLength(5);
  });

  it("rejects bad input before the stream starts", () => {
    expect(() => parseWatchParams(params({ kind: "widgets" }))).toThrow(
      /could not find the requested resource/,
    );
    for (const bad of [
      { label_selector: "a b c" },
      { field_selector: "spec.foo=1" },
      { resource_version: "x1" },
    ]) {
      let err: unknown;
      try {
        parseWatchParams(params(bad));
      } catch (e) {
        err = e;
      }
      expect((err as ApiError).reason).toBe("BadRequest");
    }
  });

  it("counts delivered events", async () => {
    const t = new TestStore();
    const cache = startCache(t);
    await watchInto(cache, {});
    await watchInto(cache, {});
    t.putObject(pod("default", "a"));
    await settle();
    expect(cache.stats.eventsDelivered).toBe(2);
  });
});

function params(p: Partial<Parameters<typeof parseWatchParams>[0]>): Parameters<typeof parseWatchParams>[0] {
  return {
    kind: "pods",
    namespace: "",
    label_selector: "",
    field_selector: "",
    resource_version: "",
    allow_bookmarks: false,
    ...p,
  };
}

/** A sink that keeps only "TYPE name@rv". */
class NullSink {
  readonly names: string[] = [];
  send(ev: { type: string; object: { bytes: Buffer } }): boolean {
    const o = JSON.parse(ev.object.bytes.toString()) as {
      metadata: { name?: string; resourceVersion: string };
    };
    this.names.push(`${ev.type} ${o.metadata.name ?? ""}@${o.metadata.resourceVersion}`);
    return true;
  }
  close(): void {}
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
