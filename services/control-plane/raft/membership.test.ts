import { afterEach, describe, expect, it } from "vitest";
import { RaftRuntimeError } from "./errors.js";
import type { RuntimeEvents } from "./runtime-types.js";
import { TestCluster, text, waitFor } from "./test-support/harness.js";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Retries `op` while it fails with a retryable error, until `timeoutMs`. */
async function retry(op: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof RaftRuntimeError) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe("membership changes", () => {
  it("adds a learner that catches up, promotes it, removes another member, and reports each change", async () => {
    cluster = await TestCluster.start(3);
    const c = cluster;
    const lead = await c.leader();
    const changes: Array<RuntimeEvents["membershipChange"]> = [];
    c.rt(lead).on("membershipChange", (e) => changes.push(e));
    await Promise.all(Array.from({ length: 30 }, (_, i) => c.rt(lead).propose(text(`x${i}`))));

    const spare = await c.addSpare();
    await retry(() => c.rt(lead).addMember(spare.id, spare.url, { learner: true }));
    await c.startMember(spare.id);
    await c.converged();
    expect(c.rt(lead).status().confState.learners).toEqual([spare.id]);
    expect(
      c
        .rt(spare.id)
        .status()
        .members.map((m) => m.id),
    ).toEqual([1, 2, 3, 4]);

    await retry(() => c.rt(lead).promoteMember(spare.id));
    expect(c.rt(lead).status().confState.voters).toContain(spare.id);

    const removed = c.members.find((m) => m.id !== lead && m.id !== spare.id)!.id;
    await retry(() => c.rt(lead).removeMember(removed));
    expect(c.rt(lead).status().confState.voters).not.toContain(removed);
    await c.stopMember(removed);

    await Promise.all(Array.from({ length: 10 }, (_, i) => c.rt(spare.id).propose(text(`y${i}`))));
    await c.converged();
    expect(c.member(spare.id).sm.items).toHaveLength(40);
    expect(changes.map((e) => [e.change.type, e.change.nodeId])).toEqual([
      ["addLearner", spare.id],
      ["addVoter", spare.id],
      ["removeNode", removed],
    ]);
    expect(changes[0]?.url).toBe(spare.url);
  });

  it("emits leader and role changes", async () => {
    cluster = await TestCluster.start(3);
    const c = cluster;
    const lead = await c.leader();
    const target = c.members.find((m) => m.id !== lead)!.id;
    const seen: Array<RuntimeEvents["leaderChange"]> = [];
    const roles: Array<RuntimeEvents["roleChange"]> = [];
    c.rt(target).on("leaderChange", (e) => seen.push(e));
    c.rt(target).on("roleChange", (e) => roles.push(e));
    await c.rt(lead).transferLeadership(target);
    await waitFor(() => roles.some((r) => r.role === "leader"), "the target to report becoming leader");
    expect(seen.at(-1)?.lead).toBe(target);
  });
});
