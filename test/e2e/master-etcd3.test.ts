/**
 * The `etcd3` npm client against three real master processes, all endpoints given: what a
 * Node application written for etcd sees, including a lease that expires on the leader's
 * clock while its key is read through followers.
 */
import { Etcd3, type IKeyValue } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterCluster, waitFor } from "./support/master-cluster.js";

describe("etcd3 client against three masters", () => {
  let c: MasterCluster;
  let client: Etcd3;

  beforeAll(async () => {
    c = await MasterCluster.start(3);
    await c.settled();
    client = new Etcd3({ hosts: c.endpoints().map((e) => `http://${e}`) });
  });
  afterAll(async () => {
    client?.close();
    await c?.close();
  });

  it("creates, reads, updates and deletes keys", async () => {
    await client.put("/crud/a").value("1");
    expect(await client.get("/crud/a").string()).toBe("1");
    await client.put("/crud/a").value("2");
    expect(await client.get("/crud/a").string()).toBe("2");
    await client.delete().key("/crud/a");
    expect(await client.get("/crud/a").string()).toBeNull();
  });

  it("a prefix get returns exactly the keys under it, in key order", async () => {
    await client.put("/p/b").value("2");
    await client.put("/p/a").value("1");
    await client.put("/q").value("x");
    expect(await client.getAll().prefix("/p/").strings()).toEqual({ "/p/a": "1", "/p/b": "2" });
    expect(await client.getAll().prefix("/p/").keys()).toEqual(["/p/a", "/p/b"]);
  });

  it("a watch sees puts and deletes in order", async () => {
    const w = await client.watch().prefix("/w/").create();
    const seen: string[] = [];
    w.on("put", (kv: IKeyValue) => seen.push(`put ${kv.key}=${kv.value}`));
    w.on("delete", (kv: IKeyValue) => seen.push(`delete ${kv.key}`));
    try {
      await client.put("/w/1").value("a");
      await client.put("/w/2").value("b");
      await client.delete().key("/w/1");
      await waitFor(() => seen.length === 3, "three watch events", 10_000);
      expect(seen).toEqual(["put /w/1=a", "put /w/2=b", "delete /w/1"]);
    } finally {
      await w.cancel();
    }
  });

  it("a txn applies one branch atomically", async () => {
    await client.put("/txn/n").value("1");
    const r = await client
      .if("/txn/n", "Value", "==", "1")
      .then(client.put("/txn/n").value("2"), client.put("/txn/side").value("yes"))
      .else(client.put("/txn/n").value("fail"))
      .commit();
    expect(r.succeeded).toBe(true);
    expect(await client.getAll().prefix("/txn/").strings()).toEqual({ "/txn/n": "2", "/txn/side": "yes" });
    const again = await client
      .if("/txn/n", "Value", "==", "1")
      .then(client.put("/txn/n").value("3"))
      .else(client.put("/txn/else").value("taken"))
      .commit();
    expect(again.succeeded).toBe(false);
    expect(await client.get("/txn/else").string()).toBe("taken");
  });

  it("a lease that is not kept alive expires on the leader and takes its key on every member", async () => {
    const lease = client.lease(1, { autoKeepAlive: false });
    const id = await lease.grant();
    await lease.put("/leased/k").value("v");
    expect(await client.get("/leased/k").string()).toBe("v");
    const granted = Date.now();
    await waitFor(
      async () => (await client.get("/leased/k").string()) === null,
      "the lease to expire",
      10_000,
    );
    const elapsed = Date.now() - granted;
    // TTL 1 s; the leader checks every 500 ms.
    expect(elapsed).toBeLessThan(4000);
    for (const name of c.running.keys()) {
      const one = new Etcd3({ hosts: `http://${c.client(name)}` });
      try {
        await waitFor(async () => (await one.get("/leased/k").string()) === null, `${name} to drop the key`);
        expect((await one.lease(1, { autoKeepAlive: false }).grant()) !== id).toBe(true);
      } finally {
        one.close();
      }
    }
  });

  it("a lease kept alive through a follower outlives its TTL", async () => {
    const lead = await c.leader();
    const follower = [...c.running.keys()].find((n) => n !== lead)!;
    const viaFollower = new Etcd3({ hosts: `http://${c.client(follower)}` });
    try {
      const lease = viaFollower.lease(1);
      await lease.grant();
      await lease.put("/kept/k").value("v");
      await new Promise((r) => setTimeout(r, 2500));
      expect(await client.get("/kept/k").string()).toBe("v");
      await lease.revoke();
      expect(await client.get("/kept/k").string()).toBeNull();
    } finally {
      viaFollower.close();
    }
  });
});
