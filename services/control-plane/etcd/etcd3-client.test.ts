/**
 * The `etcd3` npm client against a real gRPC server over the fake backend: what a Node
 * application written for etcd sees.
 */
import { Etcd3, EtcdLeaseInvalidError, GRPCOutOfRangeError, type IKeyValue, type Watcher } from "etcd3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { NoLeaderError, TooManyRequestsError } from "./errors.js";
import { type FakeCluster, startFakeCluster } from "./testing.js";

function nextEvent<T extends unknown[]>(w: Watcher, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    w.once(event as "put", (...args: unknown[]) => {
      clearTimeout(t);
      resolve(args as T);
    });
  });
}

/** Collects `n` events of a watcher as "put k=v" / "delete k". */
function collect(w: Watcher, n: number, timeoutMs = 5000): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`only ${JSON.stringify(seen)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const done = (): void => {
      if (seen.length === n) {
        clearTimeout(t);
        resolve(seen);
      }
    };
    w.on("put", (kv: IKeyValue, prev?: IKeyValue) => {
      seen.push(
        `put ${kv.key.toString()}=${kv.value.toString()}${prev ? ` (was ${prev.value.toString()})` : ""}`,
      );
      done();
    });
    w.on("delete", (kv: IKeyValue, prev?: IKeyValue) => {
      seen.push(`delete ${kv.key.toString()}${prev ? ` (was ${prev.value.toString()})` : ""}`);
      done();
    });
  });
}

describe("etcd3 client: KV", () => {
  let cluster: FakeCluster;
  let client: Etcd3;
  beforeAll(async () => {
    cluster = await startFakeCluster();
    client = new Etcd3({ hosts: cluster.endpoint });
  });
  afterAll(async () => {
    client.close();
    await cluster.close();
  });

  it("put then get returns the value; a missing key reads as null", async () => {
    await client.put("greeting").value("hello");
    expect(await client.get("greeting").string()).toBe("hello");
    expect(await client.get("absent").string()).toBeNull();
  });

  it("a prefix get returns exactly the keys under the prefix, in key order", async () => {
    await client.put("/app/b").value("2");
    await client.put("/app/a").value("1");
    await client.put("/other").value("x");
    expect(await client.getAll().prefix("/app/").strings()).toEqual({ "/app/a": "1", "/app/b": "2" });
    expect(await client.getAll().prefix("/app/").count()).toBe(2);
  });

  it("delete removes a key and a prefix delete removes the range, reporting previous values", async () => {
    await client.put("/del/1").value("a");
    await client.put("/del/2").value("b");
    const one = await client.delete().key("/del/1").exec();
    expect(one.deleted).toBe("1");
    const rest = await client.delete().prefix("/del/").getPrevious();
    expect(rest.map((kv) => kv.value.toString())).toEqual(["b"]);
    expect(await client.getAll().prefix("/del/").count()).toBe(0);
  });

  it("response headers carry the cluster id, member id, raft term and the write's revision", async () => {
    const res = await client.put("hdr").value("1").exec();
    expect(res.header.cluster_id).toBe(cluster.backend.clusterId);
    expect(res.header.member_id).toBe(cluster.backend.memberId);
    expect(res.header.raft_term).toBe("2");
    expect(Number(res.header.revision)).toBe(cluster.backend.store.currentRevision);
  });

  it("a txn runs its success branch when the compares hold and its failure branch otherwise", async () => {
    await client.put("cas").value("v1");
    const ok = await client.if("cas", "Value", "==", "v1").then(client.put("cas").value("v2")).commit();
    expect(ok.succeeded).toBe(true);
    const no = await client
      .if("cas", "Value", "==", "v1")
      .then(client.put("cas").value("v3"))
      .else(client.get("cas"))
      .commit();
    expect(no.succeeded).toBe(false);
    const kvs = no.responses[0]?.response_range?.kvs ?? [];
    expect(kvs.map((kv) => kv.value.toString())).toEqual(["v2"]);
    expect(await client.get("cas").string()).toBe("v2");
  });

  it("a txn compares on versions and mod revisions (optimistic concurrency)", async () => {
    const put = await client.put("occ").value("a").exec();
    const rev = put.header.revision;
    const ok = await client.if("occ", "Mod", "==", rev).then(client.put("occ").value("b")).commit();
    expect(ok.succeeded).toBe(true);
    const stale = await client.if("occ", "Mod", "==", rev).then(client.put("occ").value("c")).commit();
    expect(stale.succeeded).toBe(false);
    const created = await client
      .if("never-created", "Version", "==", 0)
      .then(client.put("never-created").value("1"))
      .commit();
    expect(created.succeeded).toBe(true);
  });

  it("reads at a compacted revision fail with OUT_OF_RANGE and etcd's message; future revisions too", async () => {
    const first = await client.put("hist").value("1").exec();
    await client.put("hist").value("2");
    expect(await client.get("hist").revision(first.header.revision).string()).toBe("1");
    const current = cluster.backend.store.currentRevision;
    await client.kv.compact({ revision: current });
    const err = await client
      .get("hist")
      .revision(first.header.revision)
      .string()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GRPCOutOfRangeError);
    expect((err as Error).message).toContain("etcdserver: mvcc: required revision has been compacted");
    const future = await client
      .get("hist")
      .revision(current + 1000)
      .string()
      .catch((e: unknown) => e);
    expect(future).toBeInstanceOf(GRPCOutOfRangeError);
    expect((future as Error).message).toContain("etcdserver: mvcc: required revision is a future revision");
    const again = await client.kv.compact({ revision: current }).catch((e: unknown) => e);
    expect((again as Error).message).toContain("etcdserver: mvcc: required revision has been compacted");
  });

  it("serializable reads skip the read barrier; a transient no-leader on a linearizable one is retried", async () => {
    await client.put("lin").value("1");
    cluster.backend.failNext("readIndex", new NoLeaderError());
    expect(await client.get("lin").serializable(true).string()).toBe("1");
    // UNAVAILABLE is what etcd3 (like the Go client) treats as retryable: the retry succeeds.
    expect(await client.get("lin").string()).toBe("1");
  });

  it("a transient too-many-requests on a write is retried by etcd3 and the write lands", async () => {
    cluster.backend.failNext("propose", new TooManyRequestsError());
    await client.put("busy").value("1");
    expect(await client.get("busy").string()).toBe("1");
  });
});

describe("etcd3 client: watch", () => {
  let cluster: FakeCluster;
  let client: Etcd3;
  beforeEach(async () => {
    cluster = await startFakeCluster();
    client = new Etcd3({ hosts: cluster.endpoint });
  });
  afterEach(async () => {
    client.close();
    await cluster.close();
  });

  it("a key watch sees later puts and deletes of that key, with previous values when asked", async () => {
    await client.put("w").value("0");
    const w = await client.watch().key("w").withPreviousKV().create();
    const events = collect(w, 3);
    await client.put("w").value("1");
    await client.put("other").value("x");
    await client.put("w").value("2");
    await client.delete().key("w");
    expect(await events).toEqual(["put w=1 (was 0)", "put w=2 (was 1)", "delete w (was 2)"]);
    await w.cancel();
  });

  it("a prefix watch sees every key under the prefix and nothing else", async () => {
    const w = await client.watch().prefix("/p/").create();
    const events = collect(w, 2);
    await client.put("/q/x").value("no");
    await client.put("/p/a").value("1");
    await client.put("/p/b").value("2");
    expect(await events).toEqual(["put /p/a=1", "put /p/b=2"]);
    await w.cancel();
  });

  it("a watch from an old revision replays history first, then live events", async () => {
    const first = await client.put("h").value("1").exec();
    await client.put("h").value("2");
    await client.put("h").value("3");
    const w = await client.watch().key("h").startRevision(first.header.revision).create();
    const events = collect(w, 4);
    await client.put("h").value("4");
    expect(await events).toEqual(["put h=1", "put h=2", "put h=3", "put h=4"]);
    await w.cancel();
  });

  it("several watches share one stream; canceling one leaves the others running", async () => {
    const a = await client.watch().key("a").create();
    const b = await client.watch().key("b").create();
    expect(a.id).not.toBe(b.id);
    await a.cancel();
    const bEvents = collect(b, 1);
    await client.put("a").value("ignored");
    await client.put("b").value("seen");
    expect(await bEvents).toEqual(["put b=seen"]);
    await b.cancel();
  });

  it("a watch from a compacted revision is canceled with the compact revision", async () => {
    await client.put("c").value("1");
    await client.put("c").value("2");
    const current = cluster.backend.store.currentRevision;
    await client.kv.compact({ revision: current });
    const w = client.watch().key("c").startRevision("1").watcher();
    const [err] = await nextEvent<[Error]>(w, "error");
    expect(err.message).toContain("etcdserver: mvcc: required revision has been compacted");
  });
});

describe("etcd3 client: leases", () => {
  let cluster: FakeCluster;
  let client: Etcd3;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    cluster = await startFakeCluster({ clock });
    client = new Etcd3({ hosts: cluster.endpoint });
  });
  afterEach(async () => {
    client.close();
    await cluster.close();
  });

  it("a key put with a lease lives while kept alive and is deleted when the lease is revoked", async () => {
    const lease = client.lease(10, { autoKeepAlive: false });
    const id = await lease.grant();
    await lease.put("leased").value("v");
    const ka = await lease.keepaliveOnce();
    expect(ka.TTL).toBe("10");
    const ttl = await client.lease(5, { autoKeepAlive: false }).grant(); // another lease, unrelated
    expect(ttl).not.toBe(id);
    const leases = await client.leaseClient.leaseLeases();
    expect(leases.leases.map((l) => l.ID)).toContain(id);
    const info = await client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
    expect(info.grantedTTL).toBe("10");
    expect(info.keys.map((k) => k.toString())).toEqual(["leased"]);
    await lease.revoke();
    expect(await client.get("leased").string()).toBeNull();
    const gone = await client.leaseClient.leaseTimeToLive({ ID: id, keys: false });
    expect(gone.TTL).toBe("-1");
  });

  it("a lease not kept alive expires on the backend's clock and takes its keys with it", async () => {
    const lease = client.lease(2, { autoKeepAlive: false });
    await lease.put("ephemeral").value("v");
    clock.advance(1500);
    expect(await client.get("ephemeral").string()).toBe("v");
    await lease.keepaliveOnce(); // renewed at 1500: expires at 3500
    clock.advance(1500);
    expect(await client.get("ephemeral").string()).toBe("v");
    clock.advance(1000);
    expect(await client.get("ephemeral").string()).toBeNull();
    const lost = await lease.keepaliveOnce().catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(EtcdLeaseInvalidError);
  });

  it("a put with a lease that does not exist fails with etcd's lease-not-found error", async () => {
    const err = await client
      .put("k")
      .value("v")
      .lease("12345")
      .exec()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdLeaseInvalidError);
    expect((err as Error).message).toContain("etcdserver: requested lease not found");
  });
});
