/**
 * Watches and informers across master failures, on a real three-master cluster.
 *
 * 1. An informer watches a ConfigMap through the leader while a writer bumps a counter in it
 *    one compare-and-swap update at a time. The leader is SIGKILLed mid-way: the informer's
 *    watch resumes on another master from the last resourceVersion it saw, and it must see
 *    every value of the counter exactly once, in order, without relisting.
 * 2. An informer bound to one master loses it; while that master is down, objects are
 *    created, changed and deleted, more entries than the leader keeps for slow followers, and
 *    the store is compacted. The returning master catches up by a snapshot, so its watch
 *    cache starts after the informer's version: the informer's resume fails with Expired, it
 *    relists, and its cache must equal a fresh List.
 *
 * The cluster snapshots every 200 entries (and keeps 200 for slow followers), so both happen
 * within a short test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiClient,
  ApiStatusError,
  isAlreadyExists,
  isConflict,
  isExpired,
  isNotFound,
  type KubeObject,
  type ResourceClient,
  SharedInformer,
} from "../../libs/client/index.js";
import { MasterCluster, sleep, waitFor } from "./support/master-cluster.js";
import { call, grpcClient } from "./support/master-etcd.js";

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const COUNTER_MAX = 240;
const SNAPSHOT_ENTRIES = 200;

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data };
}

/**
 * Sets the counter to `n` with a CAS on `rv`; returns the new resourceVersion. When the
 * outcome is unknown (a master died with the request in flight) it reads the object back to
 * learn whether the write happened. Bounded: gives up after `attemptsMax` tries.
 */
async function bump(
  cms: ResourceClient<ConfigMap>,
  n: number,
  rv: string,
  attemptsMax = 200,
): Promise<string> {
  let expected = rv;
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    try {
      const out = await cms.update({
        ...configMap("counter", { n: String(n) }),
        metadata: { name: "counter", namespace: "default", resourceVersion: expected },
      });
      return out.metadata.resourceVersion!;
    } catch (err) {
      if (!isConflict(err)) await sleep(50);
      try {
        const now = await cms.get("counter");
        if (now.data?.["n"] === String(n)) return now.metadata.resourceVersion!;
        expected = now.metadata.resourceVersion!;
      } catch {
        await sleep(50);
      }
    }
  }
  throw new Error(`could not set the counter to ${n} in ${attemptsMax} attempts`);
}

/**
 * Runs a write whose repetition is harmless, again after a timeout or an unavailable master
 * (a shared test machine can stall a quorum for seconds). A retry that finds its first try
 * applied (AlreadyExists for a create, NotFound for a delete) counts as done. Bounded.
 */
async function retried(write: () => Promise<unknown>, attemptsMax = 20): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (attempt > 1 && (isAlreadyExists(err) || isNotFound(err))) return;
      const transient =
        err instanceof ApiStatusError && (err.reason === "Timeout" || err.reason === "ServiceUnavailable");
      if (!transient || attempt >= attemptsMax) throw err;
      await sleep(100);
    }
  }
}

/** Opens a watch from `resourceVersion` and reads its first event (or its failure). */
async function watchFrom(cms: ResourceClient<ConfigMap>, resourceVersion: string): Promise<unknown> {
  const stream = cms.watch({ resourceVersion });
  try {
    for await (const ev of stream) return ev;
    return undefined;
  } finally {
    stream.close();
  }
}

describe("watches and informers across master failures", () => {
  let c: MasterCluster;

  beforeAll(async () => {
    c = await MasterCluster.start(3, { extraArgs: ["--snapshot-entries", String(SNAPSHOT_ENTRIES)] });
    await c.settled();
  });
  afterAll(async () => {
    await c?.close();
  });

  it("resumes a watch on another master after its master is killed, with no event lost or repeated", async () => {
    const victim = await c.leader();
    const others = c.endpoints().filter((e) => e !== c.client(victim));
    const writerApi = new ApiClient(others);
    const watcherApi = new ApiClient([c.client(victim), ...others]);
    const cms = writerApi.resource<ConfigMap>("configmaps", "default");
    let rv = (await cms.create(configMap("counter", { n: "0" }))).metadata.resourceVersion!;

    const seen: number[] = [];
    const errors: unknown[] = [];
    const informer = new SharedInformer(watcherApi.resource<ConfigMap>("configmaps", "default"), {
      fieldSelector: "metadata.name=counter",
      onError: (e) => errors.push(e),
    });
    informer.addEventHandler({
      onAdd: (o) => seen.push(Number(o.data?.["n"])),
      onUpdate: (_, o) => seen.push(Number(o.data?.["n"])),
      onDelete: () => seen.push(-1),
    });
    informer.start();
    try {
      await informer.waitForSync({ timeoutMs: 20_000 });
      expect(watcherApi.currentEndpoint).toBe(c.client(victim));

      for (let n = 1; n <= COUNTER_MAX; n++) {
        if (n === COUNTER_MAX / 3) await c.stopMember(victim, "SIGKILL");
        rv = await bump(cms, n, rv);
      }
      await waitFor(() => seen.at(-1) === COUNTER_MAX, "the informer to see the last value", 30_000);

      expect(watcherApi.currentEndpoint).not.toBe(c.client(victim));
      expect(seen).toEqual(Array.from({ length: COUNTER_MAX + 1 }, (_, i) => i));
      expect(errors.filter(isExpired), "the informer relisted").toEqual([]);
    } finally {
      informer.stop();
      writerApi.close();
      watcherApi.close();
    }
    await c.startMember(victim);
  }, 120_000);

  it("relists after a compaction and converges to the store's contents", async () => {
    await c.settled();
    const [lone, ...rest] = [...c.running.keys()].sort();
    const loneApi = new ApiClient([c.client(lone!)]);
    const restApi = new ApiClient(c.endpoints(rest));
    const cms = restApi.resource<ConfigMap>("configmaps", "default");
    for (let i = 0; i < 10; i++) await cms.create(configMap(`before-${i}`, { i: String(i) }));

    const informer = new SharedInformer(loneApi.resource<ConfigMap>("configmaps", "default"));
    informer.start();
    try {
      await informer.waitForSync({ timeoutMs: 20_000 });
      await c.stopMember(lone!, "SIGKILL");
      const lastSeen = informer.lastSyncResourceVersion;

      for (let i = 0; i < 10; i++)
        await retried(() => cms.create(configMap(`during-${i}`, { i: String(i) })));
      for (let i = 0; i < 5; i++) await retried(() => cms.delete(`before-${i}`));
      for (let i = 5; i < 10; i++)
        await retried(() => cms.patch(`before-${i}`, { data: { changed: "yes" } }));
      const kv = grpcClient(c.client(rest[0]!), "KV");
      try {
        const head = await call<{ header: { revision: string } }>(
          kv,
          "Range",
          { key: Buffer.from("/") },
          10_000,
        );
        if (!head.ok) throw head.error;
        const compacted = await call(
          kv,
          "Compact",
          { revision: head.value.header.revision, physical: true },
          10_000,
        );
        if (!compacted.ok) throw compacted.error;
      } finally {
        kv.close();
      }
      // Enough further writes that the leader no longer holds the entries the master missed:
      // it catches up from a snapshot taken after the compaction.
      for (let i = 0; i < SNAPSHOT_ENTRIES * 3; i++)
        await retried(() => cms.patch("during-0", { data: { n: String(i) } }));

      await c.startMember(lone!);
      const truth = async (): Promise<string[]> =>
        (await cms.listAll()).items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
      const cached = (): string[] =>
        informer.lister
          .list()
          .map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
          .sort();
      await waitFor(
        async () => JSON.stringify(cached()) === JSON.stringify(await truth()),
        "the informer to converge",
        30_000,
      );

      // The informer could only converge by relisting: its master, restarted after the
      // compaction, refuses a watch from where the informer stopped.
      const loneCms = loneApi.resource<ConfigMap>("configmaps", "default");
      await expect(watchFrom(loneCms, lastSeen)).rejects.toSatisfy(isExpired);
      expect(cached().filter((k) => k.startsWith("before-0@"))).toEqual([]);
      expect(cached().filter((k) => k.startsWith("during-"))).toHaveLength(10);
    } finally {
      informer.stop();
      loneApi.close();
      restApi.close();
    }
  }, 120_000);
});
