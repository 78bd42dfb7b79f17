/**
 * `--peer-protocol tcp`: the masters replicate over plain TCP frames instead of gRPC streams.
 * The same promise holds: writes commit on a quorum, and after the leader is SIGKILLed the
 * others elect a new one that still has every acknowledged write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterCluster, sleep } from "./support/master-cluster.js";
import { keysUnder, Writer } from "./support/master-etcd.js";

describe("masters replicating over --peer-protocol tcp", () => {
  let c: MasterCluster;

  beforeAll(async () => {
    c = await MasterCluster.start(3, { extraArgs: ["--peer-protocol", "tcp"] });
    await c.settled();
  });
  afterAll(async () => {
    await c?.close();
  });

  it("keeps every acknowledged write across the loss of the leader", async () => {
    const writer = new Writer("/tcp/w", c.endpoints());
    await sleep(1000);
    const oldLeader = await c.leader();
    await c.stopMember(oldLeader, "SIGKILL");
    await sleep(1500);
    await writer.stop();

    const survivors = [...c.running.keys()];
    const newLeader = await c.leader(survivors);
    expect(newLeader).not.toBe(oldLeader);
    expect(writer.acked.length).toBeGreaterThan(0);
    const present = await keysUnder(c.client(newLeader), "/tcp/w-");
    expect(writer.acked.filter((k) => !present.has(k))).toEqual([]);
  }, 60_000);
});
