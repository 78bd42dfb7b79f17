import { afterEach, describe, expect, it } from "vitest";
import { RaftRuntimeError } from "./errors.js";
import { PartitionTable } from "./partition.js";
import { TestCluster, text, waitFor } from "./test-support/harness.js";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe("partition table", () => {
  it("blocks by direction, delays, and heals", () => {
    const t = new PartitionTable();
    t.block(2 as never, "in");
    t.block(3 as never, "both");
    t.delay(4 as never, 50);
    expect(t.canReceiveFrom(2 as never)).toBe(false);
    expect(t.canSendTo(2 as never)).toBe(true);
    expect(t.canSendTo(3 as never)).toBe(false);
    expect(t.delayMs(4 as never)).toBe(50);
    expect(() => t.delay(4 as never, -1)).toThrow(RangeError);
    t.heal();
    expect(t.state()).toEqual({ blockedIn: [], blockedOut: [], delaysMs: [] });
  });
});

describe("a partitioned leader", () => {
  it("is replaced; its pending proposals settle (never hang); after healing all members converge", async () => {
    cluster = await TestCluster.start(3, { proposalTimeoutMs: 3000 });
    const c = cluster;
    const oldLead = await c.leader();
    await c.rt(oldLead).propose(text("before"));
    for (const m of c.members) if (m.id !== oldLead) c.rt(oldLead).partition.block(m.id, "both");

    // Accepted by the old leader (it does not know yet), never committable.
    const stranded = Array.from({ length: 20 }, (_, i) => c.rt(oldLead).propose(text(`stranded${i}`)));
    const strandedSettled = Promise.allSettled(stranded);

    const majority = c.members.filter((m) => m.id !== oldLead);
    const newLead = await c.leader(majority);
    expect(newLead).not.toBe(oldLead);
    const written = await Promise.all(
      Array.from({ length: 30 }, (_, i) => c.rt(newLead).propose(text(`majority${i}`))),
    );
    expect(written).toHaveLength(30);
    // CheckQuorum: the old leader steps down on its own.
    await waitFor(() => c.rt(oldLead).status().role !== "leader", "the old leader to step down");

    c.rt(oldLead).partition.heal();
    const outcomes = await strandedSettled;
    await c.converged();
    const items = c.member(newLead).sm.items;
    for (const [i, o] of outcomes.entries()) {
      if (o.status === "fulfilled") {
        expect(items).toContain(`stranded${i}`);
        continue;
      }
      const err = o.reason as RaftRuntimeError;
      expect(err).toBeInstanceOf(RaftRuntimeError);
      expect(["overwritten", "timeout", "leaderChanged"]).toContain(err.code);
      // "overwritten" is a promise: the entry was not applied, a retry is safe.
      if (err.code === "overwritten") expect(items).not.toContain(`stranded${i}`);
    }
    expect(items.filter((x) => x.startsWith("majority"))).toHaveLength(30);
    await c.rt(oldLead).propose(text("after heal"));
    await c.converged();
  });

  it("delays traffic without losing it", async () => {
    cluster = await TestCluster.start(3);
    const c = cluster;
    const lead = await c.leader();
    const follower = c.members.find((m) => m.id !== lead)!.id;
    c.rt(lead).partition.delay(follower, 30);
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.rt(follower).propose(text(`d${i}`))));
    await c.converged();
    expect(c.member(follower).sm.items).toHaveLength(20);
  });
});
