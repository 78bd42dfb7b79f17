import { describe, expect, it } from "vitest";
import {
  FakeClock,
  FakeResourceApi,
  flushPromises,
  isExpired,
  type KubeObject,
  NODE_NAME_INDEX,
  SharedInformer,
} from "./index.js";

function pod(name: string, node = "", phase = "Pending"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: node },
    status: { phase },
  };
}

function setup(options: { resyncPeriodMs?: number } = {}) {
  const api = new FakeResourceApi();
  const clock = new FakeClock();
  const pods = api.resource<KubeObject>("pods", "default");
  const errors: unknown[] = [];
  const informer = new SharedInformer<KubeObject>(api.resource<KubeObject>("pods"), {
    clock,
    pageSize: 2,
    backoff: { random: () => 0.5 },
    onError: (e) => errors.push(e),
    ...options,
  });
  const events: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => events.push(`add ${o.metadata.name} ${o.metadata.resourceVersion}`),
    onUpdate: (a, b) =>
      events.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return { api, clock, pods, informer, events, errors };
}

/** name@resourceVersion of everything in the store, sorted. */
async function storeState(api: FakeResourceApi): Promise<string[]> {
  const list = await api.resource<KubeObject>("pods").listAll();
  return list.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
}

function cacheState(informer: SharedInformer<KubeObject>): string[] {
  return informer.lister
    .list()
    .map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
    .sort();
}

/** Each object's revisions as the handlers saw them must only grow: nothing delivered twice. */
function expectNoRepeats(events: string[]): void {
  const last = new Map<string, number>();
  for (const e of events) {
    const [type, name = "", rv = ""] = e.split(" ");
    if (type === "delete") continue;
    const to = Number(rv.split("->").pop());
    expect(to, `event ${e}`).toBeGreaterThan(last.get(name) ?? 0);
    last.set(name, to);
  }
}

describe("SharedInformer", () => {
  it("lists in pages, syncs, then follows the watch into a frozen, indexed cache", async () => {
    const { api, pods, informer, events } = setup();
    for (const n of ["a", "b", "c"]) await pods.create(pod(n));
    informer.start();
    expect(await informer.waitForSync()).toBe(true);
    expect(events).toEqual(["add a 1", "add b 2", "add c 3"]);
    const a = (await pods.get("a")) as KubeObject;
    await pods.update({ ...a, spec: { nodeName: "n1" } });
    await pods.delete("b");
    await pods.create(pod("d"));
    await flushPromises();
    expect(events.slice(3)).toEqual(["update a 1->4", "delete b", "add d 6"]);
    expect(cacheState(informer)).toEqual(await storeState(api));
    expect(informer.indexer.byIndex(NODE_NAME_INDEX, "n1").map((o) => o.metadata.name)).toEqual(["a"]);
    expect(Object.isFrozen(informer.lister.get("default", "a"))).toBe(true);
    expect(informer.lastSyncResourceVersion).toBe("6");
    await informer.stop();
    expect(api.watchCount).toBe(0);
  });

  it("converges after a disconnect, resuming from the last resourceVersion with no event lost or repeated", async () => {
    const { api, clock, pods, informer, events } = setup();
    await pods.create(pod("a"));
    informer.start();
    await informer.waitForSync();
    await pods.create(pod("b"));
    await flushPromises();
    api.disconnectWatches();
    await flushPromises();
    expect(api.watchCount).toBe(0);
    // Changes while no watch is open are replayed by the resumed watch.
    await pods.patch("a", { status: { phase: "Running" } });
    await pods.delete("b");
    await pods.create(pod("c"));
    await clock.advance(200);
    expect(api.watchCount).toBe(1);
    expect(events).toEqual(["add a 1", "add b 2", "update a 1->3", "delete b", "add c 5"]);
    expectNoRepeats(events);
    expect(cacheState(informer)).toEqual(await storeState(api));
    await informer.stop();
  });

  it("after a bookmark resumes from the bookmark's resourceVersion", async () => {
    const { api, clock, pods, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await api.resource<KubeObject>("configmaps", "default").create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "other" },
    });
    api.bookmark();
    await flushPromises();
    expect(informer.lastSyncResourceVersion).toBe("1");
    api.compact();
    api.disconnectWatches();
    await pods.create(pod("a"));
    await clock.advance(200);
    expect(cacheState(informer)).toEqual(await storeState(api));
    await informer.stop();
  });

  it("relists after a compaction and delivers the differences, deletes of vanished objects included", async () => {
    const { api, clock, pods, informer, events, errors } = setup();
    for (const n of ["a", "b", "c"]) await pods.create(pod(n));
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    api.disconnectWatches();
    await pods.delete("b");
    await pods.patch("c", { status: { phase: "Running" } });
    await pods.create(pod("d"));
    await pods.create(pod("e"));
    await pods.delete("e");
    api.compact();
    await clock.advance(200);
    expect(errors.some((e) => (e as { reason?: string }).reason === "Expired")).toBe(true);
    expect(events.slice(3).sort()).toEqual(["add d 6", "delete b", "update c 3->5"]);
    expectNoRepeats(events);
    expect(cacheState(informer)).toEqual(await storeState(api));
    // and it keeps watching after the relist
    await pods.create(pod("f"));
    await flushPromises();
    expect(events.at(-1)).toBe("add f 9");
    await informer.stop();
  });

  it("converges under many rounds of disconnects and compactions", async () => {
    const { api, clock, pods, informer, events, errors } = setup();
    informer.start();
    await informer.waitForSync();
    for (let round = 0; round < 20; round++) {
      // Writes after a disconnect and then a compaction leave the informer's resume point compacted.
      if (round % 2 === 0) api.disconnectWatches();
      for (let i = 0; i < 5; i++) {
        const name = `p${(round * 7 + i * 3) % 11}`;
        const exists = (await storeState(api)).some((s) => s.startsWith(`${name}@`));
        if ((round + i) % 4 === 3) {
          if (exists) await pods.delete(name);
        } else if (exists) await pods.patch(name, { status: { phase: `r${round}` } });
        else await pods.create(pod(name));
      }
      if (round % 4 === 0) api.compact();
      await clock.advance(100 + round);
    }
    await clock.advance(60_000);
    expect(cacheState(informer)).toEqual(await storeState(api));
    expectNoRepeats(events);
    expect(errors.filter(isExpired).length).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(errors.filter(isExpired).length);
    await informer.stop();
  });

  it("re-delivers every cached object as an update each resync period", async () => {
    const { pods, clock, informer, events } = setup({ resyncPeriodMs: 1_000 });
    await pods.create(pod("a"));
    informer.start();
    await informer.waitForSync();
    await clock.advance(999);
    expect(events).toEqual(["add a 1"]);
    await clock.advance(1);
    expect(events).toEqual(["add a 1", "update a 1->1"]);
    await clock.advance(1_000);
    expect(events).toHaveLength(3);
    await informer.stop();
    await clock.advance(5_000);
    expect(events).toHaveLength(3);
  });

  it("tells a handler added after sync about every cached object", async () => {
    const { pods, informer } = setup();
    await pods.create(pod("a"));
    informer.start();
    await informer.waitForSync();
    const seen: string[] = [];
    informer.addEventHandler({ onAdd: (o) => seen.push(o.metadata.name ?? "") });
    expect(seen).toEqual(["a"]);
    await informer.stop();
  });

  it("waitForSync gives up after its timeout while the list keeps failing, then syncs once it works", async () => {
    const { api, clock, informer } = setup();
    const { ApiStatusError } = await import("./index.js");
    const unavailable = () => new ApiStatusError(14, "ServiceUnavailable", "no leader");
    for (let i = 0; i < 3; i++) api.failNext("list", unavailable());
    informer.start();
    const waiting = informer.waitForSync({ timeoutMs: 10 });
    await clock.advance(10);
    expect(await waiting).toBe(false);
    expect(informer.hasSynced()).toBe(false);
    const later = informer.waitForSync();
    await clock.advance(5_000);
    expect(await later).toBe(true);
    await informer.stop();
  });
});
