/**
 * Membership changes of a running cluster under writes: a fourth master is added with
 * etcdctl (MemberAdd) and started with --join, then a founding member is removed (it exits
 * by itself once it applies its removal). No acknowledged write is lost, and the members
 * that remain agree.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterCluster, sleep, waitFor } from "./support/master-cluster.js";
import { etcdctl, HAVE_ETCDCTL, keysUnder, Writer } from "./support/master-etcd.js";

interface JsonMember {
  ID: number | string;
  name: string;
  peerURLs: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

describe.skipIf(!HAVE_ETCDCTL)("membership changes under writes", () => {
  let c: MasterCluster;

  beforeAll(async () => {
    c = await MasterCluster.start(3);
    await c.settled();
  });
  afterAll(async () => {
    await c?.close();
  });

  const members = async (endpoints: string[]): Promise<JsonMember[]> => {
    // -w json prints ids as numbers that may exceed 2^53 in etcd; ours are 52-bit, so exact.
    const r = await etcdctl(endpoints, ["member", "list", "-w", "json"]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { members: JsonMember[] }).members;
  };

  it("adds a fourth member that catches up, then removes a founding member", async () => {
    const founders = [...c.running.keys()];
    const writer = new Writer("/mem/w", c.endpoints(founders));
    try {
      await sleep(500);

      const m4 = await c.reserve("m4");
      const peerUrl = `http://127.0.0.1:${m4.peerPort}`;
      const add = await etcdctl(c.endpoints(founders), ["member", "add", "m4", `--peer-urls=${peerUrl}`]);
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toContain('ETCD_NAME="m4"');
      // etcdctl prints the new member's initial cluster, with the founders' published names.
      expect(add.stdout).toContain(`m4=${peerUrl}`);
      for (const n of founders) expect(add.stdout).toContain(`${n}=http://127.0.0.1:${c.spec(n).peerPort}`);

      await c.startMember("m4", { join: true, initialCluster: [...founders, "m4"] });
      await waitFor(
        async () =>
          (await members(c.endpoints(founders))).some((m) => m.name === "m4" && m.clientURLs?.length),
        "m4 to publish its name and client URL",
      );
      await c.converged([...founders, "m4"], 30_000);

      // Remove a founding member that is not the leader; the writer keeps going meanwhile.
      const lead = await c.leader();
      const victim = founders.find((n) => n !== lead)!;
      const victimId = BigInt((await members([c.client("m4")])).find((m) => m.name === victim)!.ID).toString(
        16,
      );
      const rm = await etcdctl([c.client(lead)], ["member", "remove", victimId]);
      expect(rm.code, rm.stderr).toBe(0);
      const exit = await Promise.race([
        c.running.get(victim)!.exited,
        sleep(15_000).then(() => "still running"),
      ]);
      expect(exit, `${victim} should exit once it applies its own removal`).toBe(0);

      await sleep(1000);
    } finally {
      await writer.stop();
    }
    const remaining = [...c.running.keys()];
    expect(remaining.sort()).toEqual([...founders.filter((n) => c.running.has(n)), "m4"].sort());
    expect(remaining).toHaveLength(3);
    const listed = await members(c.endpoints(remaining));
    expect(listed.map((m) => m.name).sort()).toEqual([...remaining].sort());

    expect(writer.acked.length).toBeGreaterThan(20);
    for (const n of remaining) {
      const present = await keysUnder(c.client(n), "/mem/w-");
      expect(
        writer.acked.filter((k) => !present.has(k)),
        `acknowledged writes missing on ${n}`,
      ).toEqual([]);
    }
    await c.converged(remaining, 30_000);
  });
});
