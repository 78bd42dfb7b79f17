/**
 * etcdctl (the Go client, v3 API) against three real master processes, with every endpoint
 * listed: what an operator pointing etcd tooling at Flotilla sees.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MvccStore, utf8 } from "../../libs/mvcc/index.js";
import { unwrapSnapshotFile } from "../../services/control-plane/etcd/index.js";
import { MasterCluster, waitFor } from "./support/master-cluster.js";
import { etcdctl, etcdctlStream, HAVE_ETCDCTL } from "./support/master-etcd.js";

describe.skipIf(!HAVE_ETCDCTL)("etcdctl against three masters", () => {
  let c: MasterCluster;
  let all: string[];
  const ok = async (args: readonly string[], stdin?: string): Promise<string> => {
    const r = await etcdctl(all, args, stdin === undefined ? {} : { stdin });
    expect(r.code, `etcdctl ${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    c = await MasterCluster.start(3);
    all = c.endpoints();
    await c.settled();
  });
  afterAll(async () => {
    await c?.close();
  });

  it("puts, gets, gets a prefix and deletes", async () => {
    expect(await ok(["put", "/app/a", "1"])).toBe("OK\n");
    await ok(["put", "/app/b", "2"]);
    await ok(["put", "/other", "x"]);
    expect(await ok(["get", "/app/a"])).toBe("/app/a\n1\n");
    expect(await ok(["get", "--prefix", "/app/"])).toBe("/app/a\n1\n/app/b\n2\n");
    expect(await ok(["del", "--prefix", "/app/"])).toBe("2\n");
    expect(await ok(["get", "--prefix", "/app/"])).toBe("");
    // Each member serves the write through its own replica.
    for (const e of all) {
      const r = await etcdctl([e], ["get", "/other", "--print-value-only"]);
      expect(r.stdout).toBe("x\n");
    }
  });

  it("runs a txn: the compare picks the branch", async () => {
    await ok(["put", "/txn/k", "old"]);
    const out = await ok(["txn"], 'value("/txn/k") = "old"\n\nput /txn/k new\n\nput /txn/k failed\n\n');
    expect(out).toBe("SUCCESS\n\nOK\n");
    expect(await ok(["get", "/txn/k", "--print-value-only"])).toBe("new\n");
    const again = await ok(["txn"], 'value("/txn/k") = "old"\n\nput /txn/k x\n\nput /txn/k failed\n\n');
    expect(again).toBe("FAILURE\n\nOK\n");
  });

  it("watches a key from a follower and sees later writes", async () => {
    const lead = await c.leader();
    const follower = [...c.running.keys()].find((n) => n !== lead)!;
    const w = etcdctlStream([c.client(follower)], ["watch", "/watched"]);
    try {
      await new Promise((r) => setTimeout(r, 500));
      await ok(["put", "/watched", "v1"]);
      await ok(["del", "/watched"]);
      await waitFor(() => w.out.text.includes("DELETE"), "the watch to print both events", 10_000);
      expect(w.out.text).toBe("PUT\n/watched\nv1\nDELETE\n/watched\n\n");
    } finally {
      w.child.kill("SIGKILL");
    }
  });

  it("grants a lease, keeps it alive once, attaches a key, and the key goes when the lease is revoked", async () => {
    const grant = await ok(["lease", "grant", "30"]);
    const id = /lease ([0-9a-f]+) granted with TTL\(30s\)/.exec(grant)?.[1];
    expect(id, grant).toBeDefined();
    // Keep-alive through every member: followers forward it to the leader.
    for (const e of all) {
      const r = await etcdctl([e], ["lease", "keep-alive", "--once", id!]);
      expect(r.stdout).toBe(`lease ${id} keepalived with TTL(30)\n`);
    }
    await ok(["put", "--lease", id!, "/leased", "v"]);
    expect(await ok(["lease", "timetolive", id!, "--keys"])).toMatch(/attached keys\(\[\/leased\]\)/);
    await ok(["lease", "revoke", id!]);
    expect(await ok(["get", "/leased"])).toBe("");
  });

  it("lists members with names and URLs, reports endpoint status and health", async () => {
    const table = await ok(["member", "list", "-w", "json"]);
    const members = (
      JSON.parse(table) as { members: Array<{ name: string; peerURLs: string[]; clientURLs: string[] }> }
    ).members;
    expect(members.map((m) => m.name).sort()).toEqual(["m1", "m2", "m3"]);
    for (const m of members) {
      expect(m.clientURLs).toEqual([`http://${c.client(m.name)}`]);
      expect(m.peerURLs).toEqual([`http://127.0.0.1:${c.spec(m.name).peerPort}`]);
    }
    const status = JSON.parse(await ok(["endpoint", "status", "-w", "json"])) as Array<{
      Status: { leader: string; header: { member_id: string } };
    }>;
    expect(status).toHaveLength(3);
    expect(new Set(status.map((s) => s.Status.leader)).size).toBe(1);
    expect(status.filter((s) => s.Status.leader === s.Status.header.member_id)).toHaveLength(1);
    const health = await etcdctl(all, ["endpoint", "health"]);
    expect(health.code).toBe(0);
    expect((health.stdout + health.stderr).match(/is healthy/g)).toHaveLength(3);
  });

  it("saves a snapshot that holds the store", async () => {
    await ok(["put", "/snap/key", "snap-value"]);
    const file = join(c.root, "backup.db");
    const r = await etcdctl([c.client("m1")], ["snapshot", "save", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(file).size % 512).toBe(32);
    const store = new MvccStore();
    store.restore([unwrapSnapshotFile(readFileSync(file))]);
    const got = store.range({ key: utf8("/snap/key") });
    expect(got.ok && Buffer.from(got.value.range.kvs[0]!.value).toString()).toBe("snap-value");
  });
});
