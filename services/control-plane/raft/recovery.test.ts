import { afterEach, describe, expect, it } from "vitest";
import { RaftRuntimeError } from "./errors.js";
import { TestCluster, text, waitFor } from "./test-support/harness.js";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function proposeMany(c: TestCluster, via: number, prefix: string, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => c.rt(via).propose(text(`${prefix}${i}`))));
}

describe("restart and catch-up", () => {
  it("a restarted member recovers from its data dir and catches up from the leader's log", async () => {
    cluster = await TestCluster.start(3, { fsync: true });
    const c = cluster;
    const lead = await c.leader();
    const other = c.members.find((m) => m.id !== lead)!.id;
    await proposeMany(c, lead, "a", 100);
    await c.converged();
    await c.stopMember(other);
    await proposeMany(c, lead, "b", 100);
    await c.startMember(other);
    await c.converged();
    expect(c.member(other).sm.items).toHaveLength(200);
    expect(c.member(other).sm.restoredFrom).toEqual([]); // replayed from its own WAL, no snapshot
  });

  it("a member that fell behind the leader's compaction catches up through a snapshot", async () => {
    cluster = await TestCluster.start(3, { snapshotEntries: 50, snapshotCatchUpEntries: 10 });
    const c = cluster;
    const lead = await c.leader();
    const lagger = c.members.find((m) => m.id !== lead)!.id;
    await proposeMany(c, lead, "a", 20);
    await c.converged();
    const appliedAtStop = c.rt(lagger).status().applied;
    await c.stopMember(lagger);
    for (let i = 0; i < 6; i++) await proposeMany(c, lead, `b${i}-`, 50);
    await waitFor(() => c.rt(lead).status().firstIndex > appliedAtStop + 1, "the leader to compact its log");
    await c.startMember(lagger);
    await c.converged();
    const sm = c.member(lagger).sm;
    expect(sm.items).toHaveLength(320);
    expect(sm.restoredFrom.some((i) => i > appliedAtStop)).toBe(true);
    // And it keeps replicating normally afterwards.
    await proposeMany(c, lagger, "c", 20);
    await c.converged();
    expect(c.member(lead).sm.items).toEqual(sm.items);
  });

  it("a member restarted after taking its own snapshots restores from it and replays the rest", async () => {
    cluster = await TestCluster.start(3, { snapshotEntries: 40, snapshotCatchUpEntries: 5 });
    const c = cluster;
    const lead = await c.leader();
    await proposeMany(c, lead, "a", 130);
    await c.converged();
    await waitFor(() => c.rt(lead).status().firstIndex > 1, "the leader to compact");
    await c.stopMember(lead);
    await c.startMember(lead);
    await c.converged();
    expect(c.member(lead).sm.restoredFrom.length).toBe(1);
    expect(c.member(lead).sm.items).toHaveLength(130);
  });
});

describe("stop", () => {
  it("rejects pending proposals and reads with code 'stopped'", async () => {
    cluster = await TestCluster.start(3);
    const c = cluster;
    const lead = await c.leader();
    await c.rt(lead).propose(text("committed"));
    for (const m of c.members) if (m.id !== lead) await c.stopMember(m.id);
    // Still leader for an election timeout: it accepts these, but they cannot commit.
    const pending = Array.from({ length: 20 }, (_, i) => c.rt(lead).propose(text(`stuck${i}`)));
    const read = c.rt(lead).readIndex();
    const settled = Promise.allSettled([...pending, read]);
    await c.stopMember(lead);
    const outcomes = await settled;
    for (const o of outcomes) {
      expect(o.status).toBe("rejected");
      const err = (o as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(RaftRuntimeError);
      expect((err as RaftRuntimeError).code).toBe("stopped");
    }
  });
});
