/**
 * Durability across crashes: the leader is SIGKILLed while clients write, then the whole
 * cluster is. Every write the cluster acknowledged must be readable afterwards, and the
 * members must agree byte for byte (HashKV at one revision). Runs with --fsync on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterCluster, sleep } from "./support/master-cluster.js";
import { call, grpcClient, keysUnder, Writer } from "./support/master-etcd.js";

const WRITERS = 6;

/** HashKV at `revision` on every running member. */
async function hashes(c: MasterCluster, revision: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of c.running.keys()) {
    const m = grpcClient(c.client(name), "Maintenance");
    try {
      const r = await call<{ hash: number }>(m, "HashKV", { revision }, 10_000);
      if (!r.ok) throw new Error(`HashKV on ${name}: ${r.error.message}`);
      out.set(name, String(r.value.hash));
    } finally {
      m.close();
    }
  }
  return out;
}

/** Asserts every acknowledged key is readable through `endpoint`. */
async function expectAllReadable(endpoint: string, writers: readonly Writer[]): Promise<number> {
  let n = 0;
  for (const w of writers) {
    const present = await keysUnder(endpoint, `${w.prefix}-`);
    const lost = w.acked.filter((k) => !present.has(k));
    expect(lost, `acknowledged writes of ${w.prefix} missing on ${endpoint}`).toEqual([]);
    n += w.acked.length;
  }
  return n;
}

describe("crashes under concurrent writes", () => {
  let c: MasterCluster;

  beforeAll(async () => {
    c = await MasterCluster.start(3, { fsync: "on" });
    await c.settled();
  });
  afterAll(async () => {
    await c?.close();
  });

  it("keeps every acknowledged write when the leader is SIGKILLed, and the restarted member converges", async () => {
    const names = [...c.running.keys()];
    const endpoints = c.endpoints(names);
    const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(`/fo/w${i}`, endpoints));
    await sleep(1500);
    const oldLeader = await c.leader();
    const before = writers.reduce((n, w) => n + w.acked.length, 0);
    await c.stopMember(oldLeader, "SIGKILL");
    await sleep(2500);
    for (const w of writers) await w.stop();
    const after = writers.reduce((n, w) => n + w.acked.length, 0);
    expect(before).toBeGreaterThan(20);
    // Writes resumed on the new leader.
    expect(after).toBeGreaterThan(before + 20);

    const survivors = names.filter((n) => n !== oldLeader);
    const newLeader = await c.leader(survivors);
    expect(newLeader).not.toBe(oldLeader);
    const total = await expectAllReadable(c.client(survivors[0]!), writers);
    expect(total).toBe(after);

    await c.startMember(oldLeader);
    const revision = await c.converged(names, 30_000);
    const h = await hashes(c, revision);
    expect(new Set(h.values()).size, JSON.stringify(Object.fromEntries(h))).toBe(1);
    await expectAllReadable(c.client(oldLeader), writers);
  });

  it("keeps every acknowledged write when all three are SIGKILLed at once and restarted", async () => {
    const names = [...c.running.keys()];
    const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(`/all/w${i}`, c.endpoints(names)));
    await sleep(1500);
    await Promise.all(names.map((n) => c.stopMember(n, "SIGKILL")));
    for (const w of writers) await w.stop();
    const acked = writers.reduce((n, w) => n + w.acked.length, 0);
    expect(acked).toBeGreaterThan(20);

    await Promise.all(names.map((n) => c.startMember(n)));
    await c.leader(names, 30_000);
    await expectAllReadable(c.client(names[0]!), writers);
    const revision = await c.converged(names, 30_000);
    const h = await hashes(c, revision);
    expect(new Set(h.values()).size).toBe(1);
    for (const n of names) await expectAllReadable(c.client(n), writers);
  });
});
