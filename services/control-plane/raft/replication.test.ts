import { afterEach, describe, expect, it } from "vitest";
import { TestCluster, text, waitFor } from "./test-support/harness.js";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe("three runtimes over real gRPC", () => {
  it("elect a leader and commit 1,000 concurrent proposals made via all three, each resolved once with its own result", async () => {
    cluster = await TestCluster.start(3, { fsync: true });
    const c = cluster;
    await c.leader();
    const settled = new Map<number, number>();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        c
          .rt((i % 3) + 1)
          .propose(text(`p${i}`))
          .then((r) => {
            settled.set(i, (settled.get(i) ?? 0) + 1);
            return r;
          }),
      ),
    );
    expect(settled.size).toBe(1000);
    expect([...settled.values()].every((n) => n === 1)).toBe(true);
    results.forEach((r, i) => {
      expect((r.result as { echo: string }).echo).toBe(`p${i}`);
    });
    // Distinct entries: no two proposals resolved with the same index.
    expect(new Set(results.map((r) => r.index)).size).toBe(1000);
    await c.converged();
    const items = c.member(1).sm.items;
    expect(items).toHaveLength(1000);
    expect(new Set(items).size).toBe(1000);
    // The member that proposed saw its result at the position the entry holds everywhere.
    for (const r of results.slice(0, 50)) {
      const { echo, position } = r.result as { echo: string; position: number };
      expect(items[position - 1]).toBe(echo);
    }
  });

  it("serves linearizable reads: readIndex on a follower waits until what was acknowledged is applied there", async () => {
    cluster = await TestCluster.start(3);
    const c = cluster;
    const lead = await c.leader();
    const follower = c.members.find((m) => m.id !== lead)!;
    for (let round = 0; round < 5; round++) {
      await c.rt(lead).propose(text(`w${round}`));
      await Promise.all(Array.from({ length: 50 }, () => follower.rt!.readIndex()));
      expect(follower.sm.items).toContain(`w${round}`);
    }
  });

  it("moves leadership on request", async () => {
    cluster = await TestCluster.start(3);
    const c = cluster;
    const lead = await c.leader();
    const target = c.members.find((m) => m.id !== lead)!.id;
    await c.rt(lead).transferLeadership(target);
    expect(await c.leader()).toBe(target);
    await c.rt(lead).propose(text("after transfer"));
    await c.converged();
  });

  it("rejects with RESOURCE_EXHAUSTED-coded errors beyond maxInflightProposals, and still applies the rest", async () => {
    cluster = await TestCluster.start(3, { maxInflightProposals: 50 });
    const c = cluster;
    const lead = await c.leader();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => c.rt(lead).propose(text(`b${i}`))),
    );
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(50);
    expect(refused).toHaveLength(150);
    const { grpcStatusOf } = await import("./errors.js");
    const { status } = await import("@grpc/grpc-js");
    for (const r of refused) {
      const err = (r as PromiseRejectedResult).reason as { code: "tooManyRequests"; retryable: boolean };
      expect(err.code).toBe("tooManyRequests");
      expect(err.retryable).toBe(true);
      expect(grpcStatusOf(err.code)).toBe(status.RESOURCE_EXHAUSTED);
    }
    await waitFor(() => c.rt(lead).status().pendingProposals === 0, "no proposals left pending");
  });
});
